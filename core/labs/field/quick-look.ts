// The field lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { MNIST, p2 } from '../kit/quick-look.ts';
import { FIELD_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'field',
  ...FIELD_QUICK_LOOK,
  jobs: [['field.train', { ...FIELD_QUICK_LOOK.params, source: MNIST }]],
  quotes: (l) => [
    `(relative function gap ${p2(l.field.result!.functionGap!)})`,
    `test accuracy ${p2(l.field.result!.testAccuracy)}`,
  ],
};
