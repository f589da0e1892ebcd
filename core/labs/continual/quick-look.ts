// The continual lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { defaultsOf } from '../../contract/params.ts';
import { CL_CORRECTION_FIELDS, CL_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'continual',
  ...CL_QUICK_LOOK,
  jobs: [
    ['continual.sweep', { ...CL_QUICK_LOOK.params.model, ...CL_QUICK_LOOK.params.sweep, ...defaultsOf(CL_CORRECTION_FIELDS) }],
  ],
  quotes: (l) => {
    const pts = l.continual.sweep!.points;
    const at = (c: number) => pts.find((q) => q.value === c)!.mean;
    const none = at(1);
    return [
      `(${none.e11.toFixed(4)} → ${none.e12.toFixed(4)});`,
      none.e12 / none.e11 > 1.9 && none.e12 / none.e11 < 2.1 ? 'doubles its error' : 'ratio off',
      `keeps it at ${at(0.05).e12.toFixed(4)}`,
    ];
  },
};
