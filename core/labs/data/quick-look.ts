// The data lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { MNIST, p2 } from '../kit/quick-look.ts';
import { BASELINE_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'data',
  ...BASELINE_QUICK_LOOK,
  jobs: [['data.baseline', { ...BASELINE_QUICK_LOOK.params, source: MNIST }]],
  quotes: (l) => [`${p2(l.data.baseline!.testAccuracy!)} test accuracy`],
};
