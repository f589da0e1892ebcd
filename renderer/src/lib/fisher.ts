// Chart shaping for the Fisher/NTK lab: pure functions from stored results to chart series,
// tested in test/unit/fisher-view.test.ts.
import type {
  FisherSignalResult,
  FisherIsometryResult,
  FisherLrResult,
  FisherSpectrumResult,
  FisherSweepResult,
  FisherTheoryValues,
} from '../../../core/contract';
import type { Series } from './series';

export type FisherStat = 'mLambda' | 'sLambda' | 'lambdaMax';

/** A number as the lab's tables show it: 5 significant digits, exponent outside [1e-3, 1e4). */
export const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(4) : v.toPrecision(5);

/** Measured relative to predicted, as a signed percentage. */
export const relError = (measured: number | null, predicted: number | null | undefined): string =>
  measured === null || predicted === null || predicted === undefined ? '—' : `${(100 * (measured / predicted - 1)).toFixed(1)} %`;

/**
 * Histogram of log₁₀ λ over the nonzero eigenvalues (those above 10⁻¹² of the largest: the dual
 * has at most min(TC, P) nonzero ones) in `bins` equal bins, drawn as steps, with dashed
 * markers at the theory's λ_max, bulk and m_λ and at the measured λ_max.
 */
export function eigenHistogram(
  eigen: ArrayLike<number>,
  theory: FisherTheoryValues | null,
  measuredLambdaMax: number,
  bins = 40,
): Series[] {
  const all = Array.from(eigen);
  if (!all.length) return [];
  const top = Math.max(...all);
  const logs = all.filter((v) => v > top * 1e-12).map(Math.log10);
  if (!logs.length) return [];
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const w = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of logs) counts[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  const steps = counts.flatMap((c, i) => [
    { x: lo + i * w, y: c },
    { x: lo + (i + 1) * w, y: c },
  ]);
  const ymax = Math.max(...counts);
  const marker = (label: string, v: number | undefined, color: number): Series[] =>
    v && v > 0
      ? [
          {
            label,
            style: 'dashed',
            color,
            points: [
              { x: Math.log10(v), y: 0 },
              { x: Math.log10(v), y: ymax },
            ],
          },
        ]
      : [];
  return [
    { label: 'eigenvalues of F* (count)', points: steps },
    ...marker('theory λ_max', theory?.lambdaMax, 1),
    ...marker('theory bulk', theory?.bulk, 2),
    ...marker('theory m_λ', theory?.mLambda, 3),
    ...marker('measured λ_max', measuredLambdaMax, 4),
  ];
}

/** A sweep's statistic against the varied setting: mean over seeds as points, ± sd as thin faint lines, and the theory line. */
export function sweepSeries(sweep: FisherSweepResult, key: FisherStat): Series[] {
  const pts = sweep.points;
  return [
    { label: 'measured (mean)', style: 'points', color: 0, points: pts.map((p) => ({ x: p.value, y: p.mean[key]! })) },
    { label: 'mean + sd', style: 'band', color: 0, points: pts.map((p) => ({ x: p.value, y: p.mean[key]! + p.sd[key] })) },
    {
      label: 'mean − sd',
      style: 'band',
      color: 0,
      // Log axes: a band reaching zero is drawn at the smallest positive number instead.
      points: pts.map((p) => ({ x: p.value, y: Math.max(1e-300, p.mean[key]! - p.sd[key]) })),
    },
    { label: 'mean-field theory', color: 1, points: pts.filter((p) => p.theory).map((p) => ({ x: p.value, y: p.theory![key] })) },
  ];
}

/** Training loss per step at each multiple of 2/λ_max; a diverged run says so in its label. */
export function lrSeries(lr: FisherLrResult): Series[] {
  return lr.curves.map((c) => ({
    label: `η = ${c.factor} × 2/λ_max${c.diverged ? ' (diverged)' : ''}`,
    // Capped where a diverged run's loss leaves any readable scale (the label says it diverged); a loss
    // that overflowed (stored as 10³⁰⁰) is NaN here, which the chart marks as non-finite.
    points: c.losses.map((y, x) => ({ x, y: y >= 1e300 ? NaN : Math.min(y, 1e12) })),
  }));
}

/** Largest or mean eigenvalue of the conditional FIM against depth, per weight kind. */
export function isometrySeries(iso: FisherIsometryResult, stat: 'max' | 'mean'): Series[] {
  const of = (w: 'gaussian' | 'orthogonal') => iso.runs.filter((r) => r.weights === w);
  const measured = (['gaussian', 'orthogonal'] as const).map((w, i): Series => ({
    label: `${w} weights`,
    style: 'points',
    color: i,
    points: of(w).map((r) => ({
      x: r.depth,
      y: stat === 'max' ? Math.max(...r.eigenvalues) : r.eigenvalues.reduce((a, b) => a + b, 0) / r.eigenvalues.length,
    })),
  }));
  // The free-probability prediction: λ_max from the limiting law's edge, the mean exactly.
  const theory = (['gaussian', 'orthogonal'] as const).map((w, i): Series => ({
    label: `${w}: free probability`,
    style: 'dashed',
    color: i,
    points: of(w).flatMap((r) => {
      const y = stat === 'max' ? r.theory?.lambdaMax : r.theory?.moments[0];
      return y === null || y === undefined ? [] : [{ x: r.depth, y }];
    }),
  }));
  return [...measured, ...theory.filter((t) => t.points.length)];
}

/** One run's eigenvalue histogram (fraction per bin, at the bin centres) beside the limiting law's mass in the same bins. */
export function isometryHistogramSeries(run: FisherIsometryResult['runs'][number]): Series[] {
  const h = run.histogram;
  if (!h) return [];
  const mid = (i: number) => (h.edges[i]! + h.edges[i + 1]!) / 2;
  return [
    {
      label: 'measured (fraction of eigenvalues)',
      style: 'points',
      color: 1,
      points: h.measured.map((y, i) => ({ x: mid(i), y })),
    },
    { label: 'free probability (mass per bin)', color: 0, points: h.theory.map((y, i) => ({ x: mid(i), y })) },
  ];
}

/** Every run's eigenvalues in descending order, divided by the depth (orthogonal linear nets: flat at |x|² + 1). */
export function isometrySpread(iso: FisherIsometryResult): Series[] {
  return iso.runs.map((r, i) => ({
    label: `L = ${r.depth}, ${r.weights}`,
    color: i,
    style: r.weights === 'orthogonal' ? 'line' : 'dashed',
    points: [...r.eigenvalues].sort((a, b) => b - a).map((y, k) => ({ x: k + 1, y: y / r.depth })),
  }));
}

/** λ_max of the same network under each normalisation, measured and predicted (a gap, said in the legend, where there is no theory). */
export function comparisonSeries(comparison: NonNullable<FisherSpectrumResult['comparison']>): Series[] {
  const none = comparison.filter((c) => c.theoryLambdaMax === null).map((c) => c.norm);
  return [
    { label: 'measured λ_max', points: comparison.map((c, i) => ({ x: i, y: c.lambdaMax })) },
    {
      label: `theory λ_max${none.length ? ` (no theory for ${none.join(', ')})` : ''}`,
      points: comparison.map((c, i) =>
        c.theoryLambdaMax === null ? { x: i, y: NaN, none: true } : { x: i, y: c.theoryLambdaMax },
      ),
    },
  ];
}

/** Length q_l per layer: the sampled networks (mean, ± sd as thin faint lines) beside the recursion. */
export function signalLengthSeries(r: FisherSignalResult): Series[] {
  return [
    { label: 'theory (length map)', points: r.layers.map((l) => ({ x: l.l, y: l.qTheory })), color: 0 },
    { label: 'sampled networks (mean)', style: 'points', points: r.layers.map((l) => ({ x: l.l, y: l.q })), color: 1 },
    { label: '± sd', style: 'band', points: r.layers.map((l) => ({ x: l.l, y: l.q + l.qSd })), color: 1 },
    { label: '− sd', style: 'band', points: r.layers.map((l) => ({ x: l.l, y: l.q - l.qSd })), color: 1 },
  ];
}

/** The two inputs' correlation c_l, or their angle arccos c_l in degrees, per layer. */
export function signalCorrelationSeries(r: FisherSignalResult, as: 'c' | 'angle'): Series[] {
  const f = (c: number) => (as === 'c' ? c : (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI);
  return [
    { label: 'theory (correlation map)', points: r.layers.map((l) => ({ x: l.l, y: f(l.cTheory) })), color: 0 },
    { label: 'sampled networks (mean)', style: 'points', points: r.layers.map((l) => ({ x: l.l, y: f(l.c) })), color: 1 },
  ];
}

/**
 * The order/chaos boundary χ₁ = 1 in the (σ_w², σ_b²) plane, from the grid: on each σ_b² row, the σ_w²
 * where χ₁ first crosses 1 (linear between grid points); and this network's point.
 */
export function phaseSeries(r: FisherSignalResult): Series[] {
  const { sigmaW2: W, sigmaB2: B, chi1 } = r.phase;
  const boundary: { x: number; y: number }[] = [];
  B.forEach((b, i) => {
    for (let j = 1; j < W.length; j++) {
      const a = chi1[i * W.length + j - 1];
      const c = chi1[i * W.length + j];
      if (a === null || a === undefined || c === null || c === undefined) continue;
      if ((a - 1) * (c - 1) <= 0 && a !== c) {
        boundary.push({ x: W[j - 1]! + ((1 - a) / (c - a)) * (W[j]! - W[j - 1]!), y: b });
        break;
      }
    }
  });
  return [
    { label: 'χ₁ = 1 (order | chaos)', points: boundary, color: 0 },
    { label: 'this network', style: 'points', points: [{ x: r.params.sigmaW2, y: r.params.sigmaB2 }], color: 3 },
  ];
}

/** One run's training at multiples c of 2/λ_max(theory): the loss per step, overflow as NaN (marked on the chart). */
export function isometryLrSeries(run: FisherIsometryResult['runs'][number]): Series[] {
  return (run.lr?.curves ?? []).map((c, i) => ({
    label: `c = ${c.factor}${c.diverged ? ' (did not converge)' : ''}`,
    color: i,
    points: c.losses.map((y, x) => ({ x, y: y >= 1e300 ? NaN : y })),
  }));
}

/** The learning rate the theory allows, η* = 2/λ_max(theory), against depth, per weight kind. */
export function isometryEtaSeries(iso: FisherIsometryResult): Series[] {
  return (['gaussian', 'orthogonal'] as const)
    .map((w, i): Series => ({
      label: `${w} weights`,
      color: i,
      points: iso.runs.filter((r) => r.weights === w && r.lr).map((r) => ({ x: r.depth, y: r.lr!.eta })),
    }))
    .filter((s) => s.points.length);
}
