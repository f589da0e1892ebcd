// The curvature lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { p2 } from '../kit/quick-look.ts';
import { CURVATURE_QUICK_LOOK } from './contract.ts';

export const quickLook: QuickLookRun = {
  lab: 'curvature',
  ...CURVATURE_QUICK_LOOK,
  jobs: [['curvature.spectrum', CURVATURE_QUICK_LOOK.params]],
  quotes: (l) => {
    const r = l.curvature.result!;
    const agree = Math.abs(r.top[0]! - r.fisherLab!.lambdaMax) < 1e-10 * r.top[0]!;
    return [
      `${r.parameters.toLocaleString('en')} × ${r.parameters.toLocaleString('en')} products, ${p2(r.top[0]!)}`,
      agree ? "equals the Fisher lab's dual-Gram λ_max to 10⁻¹⁰" : 'DIFFERS from the dual-Gram λ_max',
      `(mean-field theory: ${p2(r.fisherLab!.theoryLambdaMax!)})`,
      `two outliers (${p2(r.top[0]!)}, ${p2(r.top[1]!)}) stand far above λ₃ = ${p2(r.top[2]!)}`,
      `the readout layer holds ${Math.round(100 * r.layers.at(-1)!.share)} % of the top eigenvector`,
    ];
  },
};
