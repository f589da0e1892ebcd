// The augment lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { MNIST } from '../kit/quick-look.ts';
import { AUGMENT_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'augment',
  ...AUGMENT_QUICK_LOOK,
  jobs: [['augment.compare', { ...AUGMENT_QUICK_LOOK.params, source: MNIST }]],
  quotes: (l) => {
    const r = l.augment.result!;
    const acc = (p: string) => `${(100 * r.cells.find((c) => c.policy === p)!.accuracy.mean).toFixed(1)} %`;
    const spa = r.cells.find((c) => c.policy === 'self-paced')!.curve;
    const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
    return [
      `SPA augments ${pct(spa[0]!.augmented)} of the images in epoch 1 and ${pct(spa.at(-1)!.augmented)} in epoch ${spa.length}`,
      `correlation ${r.samples!.lossCorrelation!.toFixed(2)} between`,
      `NA ${acc('none')}, CA ${acc('conventional')}, SPA ${acc('self-paced')}`,
    ];
  },
};
