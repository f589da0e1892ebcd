// The continual lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { CL_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'continual',
  ...CL_QUICK_LOOK,
  jobs: [['continual.chain', { ...CL_QUICK_LOOK.params.model, ...CL_QUICK_LOOK.params.chain }]],
  quotes: (l) => {
    const e = l.continual.chain!.mean[0]!;
    return [
      `(${e[0]!.toFixed(4)} → ${e[1]!.toFixed(4)};`,
      e[1]! / e[0]! > 1.9 && e[1]! / e[0]! < 2.1 ? 'doubles its error' : 'ratio off',
    ];
  },
};
