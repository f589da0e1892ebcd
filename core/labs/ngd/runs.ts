// What a natural-gradient run record keeps (core/labs/runs/): each method's loss beside its prediction.
import type {
  NgdCompareParams,
  NgdCompareResult,
  NgdSweepParams,
  NgdSweepResult,
  UnitFisherParams,
  UnitFisherResult,
} from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const compareSummary = (_p: NgdCompareParams, r: NgdCompareResult): RunSummary => ({
  metrics: Object.fromEntries([
    ['λ_max', r.lambdaMax],
    ['P', r.parameters],
    ...r.runs.map((m) => [`final loss ${m.method} (${m.at})`, m.diverged ? NaN : m.losses.at(-1)] as const),
  ]),
  curves: r.runs.flatMap((m) => [
    curve(
      `loss ${m.method} (${m.at})`,
      'step',
      m.losses.map((v) => (v >= 1e300 ? NaN : v)),
    ),
    curve(`loss ${m.method} (${m.at}) theory`, 'step', m.theory.losses),
  ]),
});

export const sweepSummary = (p: NgdSweepParams, r: NgdSweepResult): RunSummary => {
  const methods = [...new Set(r.points.map((q) => q.method))];
  return {
    metrics: { points: r.points.length, 'largest gap': r.points.length ? Math.max(...r.points.map((q) => q.gap)) : undefined },
    curves: methods.map((m) => {
      const ps = r.points.filter((q) => q.method === m);
      return curve(
        `gap to theory, ${m}`,
        String(p.axis),
        ps.map((q) => q.gap),
        ps.map((q) => q.value),
      );
    }),
  };
};

export const unitFisherSummary = (_p: UnitFisherParams, r: UnitFisherResult): RunSummary => ({
  metrics: {
    'largest eigenvalue': r.closedForm.at(-1),
    'smallest eigenvalue': r.closedForm[0],
    'max |GG⁻¹ − I|': r.inverseError,
  },
  curves: [curve('eigenvalues, closed form', 'index', r.closedForm), curve('eigenvalues, Monte Carlo', 'index', r.monteCarlo)],
});
