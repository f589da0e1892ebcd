// What a chart draws: named series of points, shaped by the pure functions in lib/ (tested
// without a browser) and drawn by components/Chart.svelte.
export interface Series {
  label: string;
  /** `none`: no value by design (no theory for that setting): drawn as a gap, not flagged as non-finite. */
  points: { x: number; y: number; none?: boolean }[];
  /** Second y axis on the right, for a metric on another scale. */
  right?: boolean;
  /**
   * 'points': markers without a line (measurements); 'dashed': a thin dashed line (theory); 'dotted': a
   * second theory; 'band': a thin faint solid line (the edge of a ± sd band), never like theory.
   */
  style?: 'line' | 'points' | 'dashed' | 'dotted' | 'band';
  /** Palette index, so related series (mean and its band) share a colour; -1: neutral grey (a key to line styles). */
  color?: number;
  /** false: drawn but not listed in the legend (a per-method line whose style a key entry explains); the CSV keeps it. */
  legend?: boolean;
}

/**
 * Tick labels of a logarithmic axis: decades only (chart.js also places ticks at 2…9 × 10^k), written
 * 0.01 … 1000 in plain notation and as 1e-32 or 1e+6 beyond; other ticks stay unlabelled.
 */
export function logTick(v: number): string {
  if (!(v > 0)) return '';
  const k = Math.round(Math.log10(v));
  if (Math.abs(Math.log10(v) - k) > 1e-9) return '';
  return k >= -2 && k <= 3 ? String(Number(v.toPrecision(1))) : `1e${k > 0 ? '+' : ''}${k}`;
}

const plainOrExp = (v: number, digits: number) => {
  const k = Math.floor(Math.log10(v) + 1e-9);
  return k >= -2 && k <= 3
    ? String(Number(v.toPrecision(digits)))
    : v
        .toExponential(digits - 1)
        .replace(/e\+?/, 'e')
        .replace('e', k > 0 ? 'e+' : 'e');
};

/**
 * Labels for the ticks chart.js places on a logarithmic axis (1…9 × 10^k): decades only where three
 * or more are on the axis; else also 2 and 5 × 10^k; else every tick. An axis spanning less than a
 * decade would otherwise show one label or none.
 */
export function logTickLabels(ticks: readonly number[]): string[] {
  const mantissa = (v: number) => Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(6));
  const keep = [[1], [1, 2, 5], null].find(
    (set) => ticks.filter((v) => v > 0 && (!set || set.includes(mantissa(v)))).length >= 3,
  );
  return ticks.map((v) => {
    if (!(v > 0)) return '';
    if (keep === undefined || keep === null) return plainOrExp(v, 2);
    return keep.includes(mantissa(v)) ? (keep.length === 1 ? logTick(v) : plainOrExp(v, 1)) : '';
  });
}

/**
 * Ticks for a log axis too short for chart.js's own (it places 1…9 × 10^k, plus the ends: an axis from
 * 1.1 to 1.9 gets two): 3–6 evenly spaced round values inside [min, max].
 */
export function shortLogTicks(min: number, max: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const base = 10 ** Math.floor(Math.log10(span / 3));
  const step = [1, 2, 5, 10].map((m) => m * base).find((st) => span / st <= 6)!;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max * (1 + 1e-12); v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Whether every x of every series is an integer (steps, stages, epochs): the axis then ticks integers only. */
export const integerX = (series: readonly Series[]): boolean =>
  series.some((s) => s.points.length) && series.every((s) => s.points.every((p) => Number.isInteger(p.x)));

/**
 * What a logarithmic y axis from `min` can show: points below it are dropped (the axis range must
 * contain what is drawn), and the series' label says how many.
 */
export function clipBelow<S extends Series>(series: readonly S[], min: number | undefined): S[] {
  if (min === undefined) return [...series];
  return series.map((s) => {
    const kept = s.points.filter((p) => !(p.y < min));
    const dropped = s.points.length - kept.length;
    return dropped
      ? { ...s, points: kept, label: `${s.label} (${dropped} below ${logTick(min) || min.toExponential(0)} not drawn)` }
      : s;
  });
}

/** Decades a logarithmic axis spans at most: chart.js's log scale collapses to [0, max] when its data reach ~30 decades. */
export const LOG_DECADES = 24;

/**
 * The lower end of a logarithmic y axis for these series: the smallest positive value's decade, but no
 * more than LOG_DECADES below the largest (float64 round-off reaches 10⁻³² of a loss; it is drawn below
 * the axis then). Undefined where chart.js's own choice is fine.
 */
export function logAxisMin(series: Series[]): number | undefined {
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0 && Number.isFinite(y));
  if (!ys.length) return undefined;
  const hi = Math.ceil(Math.log10(Math.max(...ys)));
  const lo = Math.floor(Math.log10(Math.min(...ys)));
  return hi - lo > LOG_DECADES ? 10 ** (hi - LOG_DECADES) : undefined;
}

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d'];

/** The colour of series i: the eight palette colours, then hues a golden angle apart, so any number stay distinct. */
export function seriesColor(i: number): string {
  if (i < 0) return '#888888';
  if (i < PALETTE.length) return PALETTE[i]!;
  const hue = Math.round((i * 137.508) % 360);
  // Hex, so that a two-digit alpha can be appended as for the palette.
  const c = hslToHex(hue, 0.55, 0.45);
  return c;
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * v)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** The light theme every exported figure uses, whatever the screen's: dark text on white. */
export const PRINT_THEME = { fg: '#111111', grid: 'rgba(0, 0, 0, 0.12)', background: '#ffffff' } as const;

/**
 * TensorBoard's smoothing: an exponential moving average with weight w ∈ [0, 1), debiased so the
 * first points are not pulled towards zero (s_i = EMA_i / (1 − wⁱ⁺¹)). Non-finite values pass
 * through unsmoothed and do not enter the average.
 */
export function smoothPoints(points: readonly { x: number; y: number }[], w: number): { x: number; y: number }[] {
  if (!(w > 0)) return points.map((p) => ({ ...p }));
  let ema = 0;
  let n = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.y)) return { ...p };
    ema = w * ema + (1 - w) * p.y;
    n++;
    return { x: p.x, y: ema / (1 - w ** n) };
  });
}

/** The points of a series whose y is NaN or infinite: flagged on the chart, never dropped silently. */
export function nonFinitePoints(series: readonly Series[]): { series: number; index: number; x: number; y: number }[] {
  return series.flatMap((s, i) =>
    s.points.flatMap((p, index) => (Number.isFinite(p.y) || p.none ? [] : [{ series: i, index, x: p.x, y: p.y }])),
  );
}

export interface AxisRange {
  min: number;
  max: number;
}

/**
 * The axis range a drag from a to b (data values) zooms to, ordered; null when the drag is too
 * small to mean a zoom (under minFraction of the current range, i.e. a click).
 */
export function dragRange(a: number, b: number, current: AxisRange, minFraction = 0.01): AxisRange | null {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (!(hi - lo > minFraction * Math.abs(current.max - current.min))) return null;
  return { min: lo, max: hi };
}

/** The range after panning by `delta` data units; on a log axis the shift is a factor (delta in decades). */
export function panRange(r: AxisRange, delta: number, log: boolean): AxisRange {
  return log ? { min: r.min * 10 ** delta, max: r.max * 10 ** delta } : { min: r.min + delta, max: r.max + delta };
}

/** Every point of every series as CSV (series, x, y); category charts write the category as x. */
export function seriesCsv(series: readonly Series[], categories?: readonly string[] | null): string {
  const rows = ['series,x,y'];
  for (const s of series)
    s.points.forEach((p, i) => {
      const x = categories ? JSON.stringify(categories[i] ?? String(p.x)) : String(p.x);
      rows.push(`${JSON.stringify(s.label)},${x},${p.y}`);
    });
  return rows.join('\n') + '\n';
}

/** A colour-scale limit in three digits, with an exponent where plain digits would run long (2.68e-6). */
export function scaleLabel(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2).replace('e+', 'e');
  const s = v.toPrecision(3);
  // toPrecision turns 1234 into "1.23e+3": write such values out (1230).
  return s.includes('e') ? String(Number(s)) : s;
}
