// What a Fisher-lab run record keeps (core/labs/runs/): measured statistics beside their theory.
import type {
  FisherBlocksResult,
  FisherInputMetricResult,
  FisherSignalParams,
  FisherSignalResult,
  FisherIsometryParams,
  FisherIsometryResult,
  FisherLrParams,
  FisherLrResult,
  FisherNetworkParams,
  FisherSpectrumResult,
  FisherSweepParams,
  FisherSweepResult,
} from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const spectrumSummary = (_p: { network: FisherNetworkParams }, r: FisherSpectrumResult): RunSummary => ({
  metrics: {
    m_λ: r.stats.mLambda,
    s_λ: r.stats.sLambda,
    λ_max: r.stats.lambdaMax,
    'theory m_λ': r.theory?.mLambda,
    'theory λ_max': r.theory?.lambdaMax,
    P: r.stats.P,
    seconds: r.seconds,
  },
  curves: [],
});

export const sweepSummary = (p: FisherSweepParams, r: FisherSweepResult): RunSummary => {
  const x = r.points.map((q) => q.value);
  return {
    metrics: {
      points: r.points.length,
      'last λ_max': r.points.at(-1)?.mean.lambdaMax,
      'last m_λ': r.points.at(-1)?.mean.mLambda,
    },
    // Each statistic measured, then its theory line.
    curves: (
      [
        ['λ_max', 'lambdaMax'],
        ['m_λ', 'mLambda'],
      ] as const
    ).flatMap(([name, k]) => [
      curve(
        name,
        p.axis,
        r.points.map((q) => q.mean[k]),
        x,
      ),
      curve(
        `${name} theory`,
        p.axis,
        r.points.map((q) => q.theory?.[k] ?? null),
        x,
      ),
    ]),
  };
};

export const lrSummary = (_p: FisherLrParams, r: FisherLrResult): RunSummary => ({
  metrics: {
    λ_max: r.lambdaMax,
    'largest converging c': Math.max(0, ...r.curves.filter((c) => !c.diverged).map((c) => c.factor)) || undefined,
  },
  curves: r.curves.map((c) =>
    curve(
      `loss at c = ${c.factor}`,
      'step',
      c.losses.map((v) => (v >= 1e300 ? NaN : v)),
    ),
  ),
});

export const isometrySummary = (_p: FisherIsometryParams, r: FisherIsometryResult): RunSummary => {
  const kinds = [...new Set(r.runs.map((q) => q.weights))];
  return {
    metrics: { depths: new Set(r.runs.map((q) => q.depth)).size },
    curves: kinds.flatMap((w) => {
      const rs = r.runs.filter((q) => q.weights === w);
      const L = rs.map((q) => q.depth);
      return [
        curve(
          `λ_max, ${w} weights`,
          'depth L',
          rs.map((q) => Math.max(...q.eigenvalues)),
          L,
        ),
        curve(
          `λ_max theory, ${w} weights`,
          'depth L',
          rs.map((q) => q.theory?.lambdaMax ?? null),
          L,
        ),
      ];
    }),
  };
};

export const blocksSummary = (_p: { network: FisherNetworkParams }, r: FisherBlocksResult): RunSummary => ({
  metrics: { 'off/on block ratio': r.offOnRatio, units: r.units },
  curves: [],
});

export const signalSummary = (_p: FisherSignalParams, r: FisherSignalResult): RunSummary => {
  const l = r.layers.map((x) => x.l);
  return {
    metrics: {
      'q*': r.fixedPoint.q,
      'c*': r.fixedPoint.c,
      'χ₁': r.fixedPoint.chi1,
      ξ_c: r.fixedPoint.xiC,
      'final c': r.layers.at(-1)?.c,
    },
    curves: [
      curve(
        'q_l',
        'layer l',
        r.layers.map((x) => x.q),
        l,
      ),
      curve(
        'q_l theory',
        'layer l',
        r.layers.map((x) => x.qTheory),
        l,
      ),
      curve(
        'c_l',
        'layer l',
        r.layers.map((x) => x.c),
        l,
      ),
      curve(
        'c_l theory',
        'layer l',
        r.layers.map((x) => x.cTheory),
        l,
      ),
    ],
  };
};

export const inputMetricSummary = (_p: { network: FisherNetworkParams }, r: FisherInputMetricResult): RunSummary => ({
  metrics: {
    m_λ: r.stats.mLambda,
    s_λ: r.stats.sLambda,
    λ_max: r.stats.lambdaMax,
    'theory m_λ': r.theory?.mLambda,
    'theory λ_max': r.theory?.lambdaMax,
  },
  curves: [curve('eigenvalues (descending)', 'index', r.eigenvalues)],
});
