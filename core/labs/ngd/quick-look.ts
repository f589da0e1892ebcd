// The ngd lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { MNIST } from '../kit/quick-look.ts';
import { NGD_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'ngd',
  ...NGD_QUICK_LOOK,
  jobs: [['ngd.compare', { ...NGD_QUICK_LOOK.params, network: { ...NGD_QUICK_LOOK.params.network, source: MNIST } }]],
  quotes: (l) => {
    const runs = l.ngd.compare!.runs;
    const loss = (m: string) => runs.find((r) => r.method === m)!;
    const fitted = ['exact', 'block-diagonal', 'block-tridiagonal', 'kfac'].every((m) => loss(m).losses.at(-1)! < 1e-31);
    const unit = loss('unit-wise');
    const gd = loss('gd');
    return [
      `from ${gd.losses[0]!.toFixed(2)} to ${fitted ? 'below 10⁻³¹' : 'NOT below 10⁻³¹'} in ${gd.stepsDone} steps`,
      `where gradient descent reaches ${gd.losses.at(-1)!.toFixed(3)}`,
      unit.losses.at(-1)! > unit.losses[0]! ? '(its loss rose)' : 'unit-wise loss fell',
    ];
  },
};
