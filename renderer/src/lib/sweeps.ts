// Shaping a collected sweep for the Sweeps view: the numeric fields of each run's result, the
// parameters that vary, a table, and curves of a result against a parameter with mean ± sd over
// seeds (and the result's theory counterpart, where the command prints one). Pure functions,
// tested in test/unit/sweep-view.test.ts.
import type { SweepFlagValue, SweepResult, SweepRunEntry } from '../../../core/contract';

/** Numbers in a result, flattened to dotted names (arrays are skipped: they are curves, not values). */
export function numericFields(result: unknown, prefix = '', depth = 0): Record<string, number> {
  const out: Record<string, number> = {};
  if (!result || typeof result !== 'object' || Array.isArray(result) || depth > 3) return out;
  for (const [k, v] of Object.entries(result as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out[name] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, numericFields(v, name, depth + 1));
  }
  return out;
}

const key = (v: SweepFlagValue | undefined): string => (Array.isArray(v) ? v.join(',') : String(v));

/** Parameters whose value is not the same in every run. */
export function varyingParams(runs: SweepRunEntry[]): string[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.params)))];
  return names.filter((n) => new Set(runs.map((r) => key(r.params[n]))).size > 1);
}

/** Result fields that are numbers in at least one run, in first-seen order. */
export function resultFields(runs: SweepRunEntry[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(numericFields(r.result))))];
}

export interface SweepTable {
  columns: string[];
  rows: (number | string | null)[][];
}

export function sweepTable(s: SweepResult): SweepTable {
  const params = varyingParams(s.runs);
  const fields = resultFields(s.runs);
  return {
    columns: ['index', ...params, ...fields, 'seconds'],
    rows: s.runs.map((r) => {
      const f = numericFields(r.result);
      return [
        r.index,
        ...params.map((p) =>
          r.params[p] === undefined ? null : typeof r.params[p] === 'number' ? (r.params[p] as number) : key(r.params[p]),
        ),
        ...fields.map((k) => f[k] ?? null),
        r.seconds,
      ];
    }),
  };
}

/** Rows sorted by one column (nulls last) and filtered by a text that any cell must contain. */
export function viewRows(t: SweepTable, sortBy: number, ascending: boolean, filter: string): SweepTable['rows'] {
  const f = filter.trim().toLowerCase();
  const rows = f ? t.rows.filter((r) => r.some((c) => c !== null && String(c).toLowerCase().includes(f))) : [...t.rows];
  const dir = ascending ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[sortBy];
    const y = b[sortBy];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
  });
}

export function toCsv(t: { columns: string[]; rows: SweepTable['rows'] }): string {
  const cell = (c: string | number | null) =>
    c === null ? '' : typeof c === 'number' ? String(c) : /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
  return [t.columns.map(cell).join(','), ...t.rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

export interface CurveSeries {
  label: string;
  points: { x: number; y: number }[];
  style?: 'line' | 'points' | 'dashed' | 'band';
  color?: number;
}

/** Names a flag or a result field of the CLI's JSON as an axis title: the quantity in words and symbols, then the raw key. */
const TITLES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  m_lambda: 'mean FIM eigenvalue m_λ',
  s_lambda: 'second moment of FIM eigenvalues s_λ',
  lambda_max: 'largest FIM eigenvalue λ_max',
  lambda_min: 'smallest eigenvalue λ_min',
  width: 'width M',
  depth: 'depth L',
  samples: 'samples N',
  outputs: 'outputs C',
  lr: 'learning rate η',
  seed: 'seed',
  latent: 'latent size',
  epochs: 'epochs',
  beta: 'β',
  'sigma-w2': 'weight variance σ_w²',
  'sigma-b2': 'bias variance σ_b²',
  damping: 'damping ρ',
  noise: 'noise level',
  similarity: 'target similarity ρ',
});
export function fieldTitle(key: string): string {
  const theory = key.startsWith('theory.');
  const base = theory ? key.slice('theory.'.length) : key;
  const words =
    TITLES[base] ??
    base
      .replace(/_/g, ' ')
      .replace(/\blambda\b/g, 'λ')
      .replace(/\bsigma\b/g, 'σ')
      .replace(/\beta\b/g, 'η');
  const named = `${words}${theory ? ', theory' : ''}`;
  return named === key ? key : `${named} (${key})`;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);

/**
 * `y` against the numeric parameter `x`: one curve per combination of the other varying
 * parameters (seed excepted, which is averaged over), with mean ± sd band edges as thin faint lines,
 * and the mean of `theory.<y>` as a dashed line where the results carry it: theory and the band never
 * look alike.
 */
export function curves(runs: SweepRunEntry[], x: string, y: string): CurveSeries[] {
  const others = varyingParams(runs).filter((p) => p !== x && p !== 'seed');
  const groups = new Map<string, SweepRunEntry[]>();
  for (const r of runs) {
    if (typeof r.params[x] !== 'number') continue;
    const g = others.map((p) => `${p}=${key(r.params[p])}`).join(', ');
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const theoryKey = y.startsWith('theory.') ? null : `theory.${y}`;
  const out: CurveSeries[] = [];
  [...groups.entries()].forEach(([g, rs], color) => {
    const xs = [...new Set(rs.map((r) => r.params[x] as number))].sort((a, b) => a - b);
    const at = (field: string) =>
      xs.flatMap((xv) => {
        const vals = rs
          .filter((r) => r.params[x] === xv)
          .map((r) => numericFields(r.result)[field])
          .filter((v): v is number => v !== undefined);
        return vals.length ? [{ x: xv, m: mean(vals), s: sd(vals), n: vals.length }] : [];
      });
    const ys = at(y);
    const label = g ? `${y} (${g})` : y;
    out.push({
      label: ys.some((p) => p.n > 1) ? `${label}, mean over seeds` : label,
      points: ys.map((p) => ({ x: p.x, y: p.m })),
      color,
    });
    if (ys.some((p) => p.n > 1)) {
      out.push({ label: `${label} + sd`, points: ys.map((p) => ({ x: p.x, y: p.m + p.s })), style: 'band', color });
      out.push({ label: `${label} − sd`, points: ys.map((p) => ({ x: p.x, y: p.m - p.s })), style: 'band', color });
    }
    const th = theoryKey ? at(theoryKey) : [];
    if (th.length)
      out.push({
        label: `theory ${label.replace(', mean over seeds', '')}`,
        points: th.map((p) => ({ x: p.x, y: p.m })),
        style: 'dashed',
        color,
      });
  });
  return out;
}
