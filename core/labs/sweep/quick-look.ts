// The Sweeps lab's quick look as the job it runs (the view starts the same one) and the numbers its
// line quotes (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { SWEEP_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'sweep',
  ...SWEEP_QUICK_LOOK,
  jobs: [['sweep.local', SWEEP_QUICK_LOOK.params]],
  quotes: (l) => {
    const runs = [...l.sweep.result!.runs].sort((a, b) => Number(a.params.width) - Number(b.params.width));
    const r = (i: number) => runs[i]!.result as { lambda_max: number; theory: { lambda_max: number } | null };
    const perM = (i: number) => (r(i).lambda_max / Number(runs[i]!.params.width)).toFixed(2);
    const last = runs.length - 1;
    return [
      `λ_max/M = ${perM(0)} at M = ${runs[0]!.params.width} and ${perM(last)} at M = ${runs[last]!.params.width}`,
      `(mean-field: ${(r(last).theory!.lambda_max / Number(runs[last]!.params.width)).toFixed(2)})`,
    ];
  },
};
