// The fisher lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { MNIST } from '../kit/quick-look.ts';
import { FISHER_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'fisher',
  ...FISHER_QUICK_LOOK,
  jobs: [['fisher.spectrum', { network: { ...FISHER_QUICK_LOOK.params, source: MNIST }, compare: true }]],
  quotes: (l) => {
    const s = l.fisher.spectrum!;
    const ratio = s.stats.lambdaMax / s.stats.mLambda;
    const e = Math.floor(Math.log10(ratio));
    return [
      `λ_max is ${(ratio / 10 ** e).toFixed(1)}·10⁴ × the mean eigenvalue m_λ`.replace('10⁴', e === 4 ? '10⁴' : `10^${e}`),
      `λ_max ${Math.round(s.stats.lambdaMax)} beside the mean-field ${Math.round(s.theory!.lambdaMax)}`,
    ];
  },
};
