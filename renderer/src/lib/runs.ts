// The runs table and its overlay, as pure functions (tested in test/unit/runs-view.test.ts):
// which metric columns a set of runs has, how they sort, their CSV, and the overlay's series.
import type { RunRecord } from '../../../core/contract';
import type { Series } from './series';

/** Metric names over these runs, in the order they first appear (a lab's runs share most of them). */
export function metricColumns(runs: readonly RunRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) seen.add(k);
  return [...seen];
}

export type RunSortKey = 'name' | 'kind' | 'outcome' | 'startedAt' | 'seconds' | `metric:${string}`;

const seconds = (r: RunRecord) => (r.finishedAt - r.startedAt) / 1000;

function keyOf(r: RunRecord, key: RunSortKey): number | string | null {
  if (key.startsWith('metric:')) {
    const m = key.slice('metric:'.length);
    return Object.hasOwn(r.metrics, m) ? r.metrics[m]! : null;
  }
  if (key === 'seconds') return seconds(r);
  return r[key as 'name' | 'kind' | 'outcome' | 'startedAt'];
}

/** Sorted by a column; runs without the value (not measured, or non-finite) come last either way. */
export function sortRuns(runs: readonly RunRecord[], key: RunSortKey, descending: boolean): RunRecord[] {
  const dir = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const va = keyOf(a, key);
    const vb = keyOf(b, key);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    if (typeof va === 'number' && typeof vb === 'number') return dir * (va - vb);
    return dir * String(va).localeCompare(String(vb));
  });
}

const cell = (v: unknown): string => {
  const s =
    typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per run: identity, outcome, time, seed, every metric column (empty: not measured; "NaN": non-finite), note, parameters. */
export function runsCsv(runs: readonly RunRecord[]): string {
  const cols = metricColumns(runs);
  const head = ['id', 'name', 'lab', 'kind', 'outcome', 'started', 'seconds', 'seed', ...cols, 'note', 'error', 'params'];
  const rows = runs.map((r) => [
    r.id,
    r.name,
    r.lab,
    r.kind,
    r.outcome,
    new Date(r.startedAt).toISOString(),
    seconds(r),
    r.seed,
    ...cols.map((c) => (Object.hasOwn(r.metrics, c) ? (r.metrics[c] ?? 'NaN') : '')),
    r.note,
    r.error,
    r.params,
  ]);
  return [head, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}

/** Curve names over these runs, in first-appearance order. */
export function curveNames(runs: readonly RunRecord[]): string[] {
  return [...new Set(runs.flatMap((r) => r.curves.map((c) => c.name)))];
}

/** One series per run that has the curve; a null (non-finite) value becomes NaN, which the chart marks. */
export function overlaySeries(runs: readonly RunRecord[], name: string): { series: Series[]; xLabel: string } {
  let xLabel = '';
  const series = runs.flatMap((r) => {
    const c = r.curves.find((q) => q.name === name);
    if (!c) return [];
    xLabel ||= c.xLabel;
    return [{ label: r.name, points: c.x.map((x, i) => ({ x, y: c.y[i] ?? NaN })) }];
  });
  return { series, xLabel };
}

/** "2.3 s", "4 min 05 s", "1 h 02 min". */
export function duration(r: RunRecord): string {
  const s = seconds(r);
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A metric as the table shows it: 4 significant digits; "NaN" for non-finite; "–" for not measured. */
export function metricText(r: RunRecord, name: string): string {
  if (!Object.hasOwn(r.metrics, name)) return '–';
  const v = r.metrics[name];
  return v === null || v === undefined
    ? 'NaN'
    : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(3)
      : String(Number(v.toPrecision(4)));
}
