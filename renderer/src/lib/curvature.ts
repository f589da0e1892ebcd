// Chart shaping for the curvature lab: pure functions from stored results to chart series,
// tested in test/unit/curvature-view.test.ts.
import type { CurvatureResult, CurvatureTrackResult, SharpnessCurve } from '../../../core/contract';
import type { Series } from './series';

/** A number as the lab's tables show it: 5 significant digits, exponent outside [1e-3, 1e4). */
export const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined
    ? '—'
    : v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3)
      ? v.toExponential(4)
      : v.toPrecision(5);

/**
 * The SLQ density as a line, and the Lanczos top eigenvalues as points on the λ axis (the
 * outliers the broadened density smears): measurement both, never drawn like theory.
 */
export function densitySeries(r: CurvatureResult): Series[] {
  if (!r.density) return [];
  const { x, y } = r.density;
  const peak = Math.max(...y);
  return [
    {
      label: `density (SLQ, ${r.params.analysis.probes} probes, σ = ${fmt(r.density.sigma)})`,
      color: 0,
      points: x.map((xi, i) => ({ x: xi, y: y[i]! })),
    },
    {
      label: `top ${r.top.length} eigenvalues (Lanczos)`,
      color: 1,
      style: 'points',
      // Drawn at a tenth of the density's peak: on a log axis that sits above the bulk's tails.
      points: r.top.map((l) => ({ x: l, y: peak / 10 })),
    },
  ];
}

/** What every sharpness chart draws: the curvature lab's own run, or a curve another lab's training recorded. */
export type Sharpness = Pick<SharpnessCurve, 'steps' | 'lambdaMax' | 'trace' | 'twoOverLr'>;

/**
 * The density of log₁₀ λ (per decade) for a log λ axis, over the eigenvalues above 10⁻⁶ λ_max, with
 * the positive top eigenvalues as points; null where the result has none (older results, or no
 * positive eigenvalue).
 */
export function logDensitySeries(r: CurvatureResult): Series[] | null {
  const log = r.density?.log;
  if (!log || !log.x.length) return null;
  const peak = Math.max(...log.y);
  return [
    {
      label: `density of log₁₀ λ (SLQ, σ = ${fmt(log.sigma)} decades; ${(100 * log.below).toFixed(1)} % of the weight below 10⁻⁶ λ_max, not drawn)`,
      color: 0,
      points: log.x.map((xi, i) => ({ x: xi, y: log.y[i]! })),
    },
    {
      label: `top ${r.top.length} eigenvalues (Lanczos)`,
      color: 1,
      style: 'points',
      points: r.top.filter((l) => l > 0).map((l) => ({ x: l, y: peak / 10 })),
    },
  ];
}

/** λ_max of the Hessian against the step (measured, points on a line) and 2/η (the stability edge, dashed). */
export function sharpnessSeries(t: Sharpness): Series[] {
  const last = t.steps.at(-1) ?? 0;
  return [
    { label: 'λ_max of the Hessian (Lanczos)', color: 0, points: t.steps.map((s, i) => ({ x: s, y: t.lambdaMax[i]! })) },
    {
      label: `2/η = ${fmt(t.twoOverLr)}`,
      color: 1,
      style: 'dashed',
      points: [
        { x: 0, y: t.twoOverLr },
        { x: last, y: t.twoOverLr },
      ],
    },
    ...(t.trace
      ? [
          {
            label: 'trace (Hutchinson, 10 probes)',
            color: 2,
            right: true,
            points: t.steps.map((s, i) => ({ x: s, y: t.trace![i]! })),
          },
        ]
      : []),
  ];
}

export const lossSeries = (t: CurvatureTrackResult): Series[] => [
  { label: 'training loss (full batch)', color: 0, points: t.losses.map((y, x) => ({ x, y })) },
];

/** The first step at which λ_max reached 90 % of 2/η, or null: where progressive sharpening meets the edge. */
export function edgeStep(t: Sharpness): number | null {
  const i = t.lambdaMax.findIndex((l) => l >= 0.9 * t.twoOverLr);
  return i < 0 ? null : t.steps[i]!;
}

/** Measured relative to a reference, as a signed difference in parts of the reference. */
export const relDiff = (a: number, b: number | null | undefined): string =>
  b === null || b === undefined || b === 0 ? '—' : ((a - b) / Math.abs(b)).toExponential(1);
