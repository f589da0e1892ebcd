// The hopfield lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { p2 } from '../kit/quick-look.ts';
import { HOPFIELD_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'hopfield',
  ...HOPFIELD_QUICK_LOOK,
  jobs: [['hopfield.train', HOPFIELD_QUICK_LOOK.params]],
  quotes: (l) => [`${p2(l.hopfield.result!.trainNll)} nats per point`],
};
