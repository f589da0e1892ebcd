// What a job kind's run record keeps: its summary (final metrics and curves) and the helper that
// makes a curve storable. Every lab's runs.ts builds its summaries with these.
import type { RunCurve } from '../../contract.ts';

/** The session keeps the latest runs; older ones are dropped first (the runs table says so). */
export const MAX_RUNS = 500;
/** Points a stored curve keeps (evenly thinned, the last point always kept). */
export const MAX_CURVE_POINTS = 400;

/** What a job kind's definition says about a result: final metrics (null or absent: not measured) and curves. */
export interface RunSummary {
  metrics: Record<string, number | null | undefined>;
  curves: RunCurve[];
}

/** A named curve from raw values; NaN and infinities become null (drawn as markers), long ones are thinned. */
export function curve(name: string, xLabel: string, y: readonly (number | null)[], x?: readonly number[]): RunCurve {
  const xs = x ?? y.map((_, i) => i);
  const n = Math.min(xs.length, y.length);
  const keep: number[] = [];
  if (n <= MAX_CURVE_POINTS) for (let i = 0; i < n; i++) keep.push(i);
  else {
    const stride = (n - 1) / (MAX_CURVE_POINTS - 1);
    for (let k = 0; k < MAX_CURVE_POINTS; k++) keep.push(Math.round(k * stride));
  }
  const fin = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const px = keep.map((i) => xs[i]!);
  return { name, xLabel, x: px.map((v) => (Number.isFinite(v) ? v : 0)), y: keep.map((i) => fin(y[i])) };
}
