// A run's parameters as a researcher compares them (tested in test/unit/runs-view.test.ts): flattened
// to paths (`source.kind`, `hidden`), the ones that differ between runs as the table's columns,
// two runs side by side as a diff, each named by its form field's label and unit, not its key.
import * as contract from '../../../core/contract';
import type { FieldSpec, JsonValue, RunRecord } from '../../../core/contract';

const isField = (v: unknown): v is FieldSpec =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as { label?: unknown }).label === 'string' &&
  typeof (v as { flag?: unknown }).flag === 'string' &&
  typeof (v as { kind?: unknown }).kind === 'string';

/** Every field the contract describes, by key: the job's own first (`VAE_TRAIN_FIELDS` for vae.train), then its lab's, then any. */
const FIELD_SETS = (Object.entries(contract) as [string, unknown][]).filter(
  (e): e is [string, Record<string, unknown>] => e[0].endsWith('_FIELDS') && !!e[1] && typeof e[1] === 'object',
);

function fieldOf(kind: string, key: string): FieldSpec | null {
  const [lab = '', job = ''] = kind.toUpperCase().split('.');
  const own = FIELD_SETS.filter(([n]) => n.startsWith(`${lab}_${job}_`) || n === `${job}_FIELDS`);
  const labs = FIELD_SETS.filter(([n]) => n.startsWith(`${lab}_`));
  for (const [, set] of [...own, ...labs, ...FIELD_SETS]) {
    const f = Object.hasOwn(set, key) ? set[key] : undefined;
    if (isField(f)) return f;
  }
  return null;
}

/** "Learning rate (η)", "Noise level", or the path itself where no field describes it. */
export function paramLabel(kind: string, path: string): string {
  const f = fieldOf(kind, path.split('.').at(-1)!);
  if (!f) return path;
  return f.unit ? `${f.label} [${f.unit}]` : f.label;
}

/** The parameters as path → value; lists stay one value (they are one setting: hidden sizes, noise levels). */
export function flatParams(v: JsonValue, prefix = ''): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) for (const [p, y] of flatParams(x, prefix ? `${prefix}.${k}` : k)) out.set(p, y);
  } else if (prefix) out.set(prefix, v);
  return out;
}

/** A value as the table shows it: lists comma-separated, numbers to 4 significant digits, "–" where the run lacks it. */
export function paramText(v: JsonValue | undefined): string {
  if (v === undefined) return '–';
  if (Array.isArray(v)) return v.map((x) => paramText(x)).join(', ');
  if (typeof v === 'number') return String(Number(v.toPrecision(4)));
  if (v === null) return 'none';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Parameter paths whose values are not the same in every one of these runs (the seed has its own column). */
export function differingParams(runs: readonly RunRecord[]): string[] {
  const flat = runs.map((r) => flatParams(r.params));
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].filter((p) => p !== 'seed');
  return paths.filter((p) => new Set(flat.map((m) => JSON.stringify(m.get(p) ?? null))).size > 1);
}

/** Two runs parameter by parameter: every path where they differ, with both values. */
export function runDiff(a: RunRecord, b: RunRecord): { path: string; label: string; a: string; b: string }[] {
  const fa = flatParams(a.params);
  const fb = flatParams(b.params);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  return paths
    .filter((p) => JSON.stringify(fa.get(p) ?? null) !== JSON.stringify(fb.get(p) ?? null))
    .map((p) => ({ path: p, label: paramLabel(a.kind, p), a: paramText(fa.get(p)), b: paramText(fb.get(p)) }));
}

/** "2.6 MB": a checkpoint's size. */
export function bytesText(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${Math.round(n / 1e3)} kB` : `${n} B`;
}

/**
 * A job's refusal as the form's user reads it: the core names the schema path it checked
 * (`vae.recall.noise: bit-flip levels are probabilities`); the form shows the field's label
 * (`Noise levels: bit-flip levels are probabilities`). Other messages pass unchanged.
 */
export function fieldMessage(message: string): string {
  const m = /^([a-z]+\.[a-zA-Z]+)\.([\w.]+): (.*)$/s.exec(message);
  if (!m) return message;
  const label = paramLabel(m[1]!, m[2]!);
  return label === m[2] ? message : `${label}: ${m[3]}`;
}

/** A measured duration as a button says it: "about 15 s" (up to the next 5 s), "about 2½ min" (to the half minute). */
export function aboutTime(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(5, Math.ceil(seconds / 5) * 5)} s`;
  const halves = Math.round(seconds / 30);
  return `about ${Math.floor(halves / 2) || ''}${halves % 2 ? '½' : ''} min`;
}
