// The README's measured numbers, kept generated: each sits between markers
//   <!--claim:ID-->VALUE<!--/claim-->
// (invisible once rendered), and test/claims/claims.ts says which `kairo` command produces it, how it
// is read from the command's JSON, how the README writes it and how far a rerun may drift. This
// module parses, formats and compares; test/claims/run.ts (`npm run claims`) reruns and rewrites,
// test/unit/claims.test.ts reruns the cheap ones in CI.
import { spawnSync } from 'node:child_process';

export interface Claim {
  id: string;
  /** The command as a user types it after `kairo`, every flag that matters spelled out. */
  command: string;
  /** The number the README quotes, from the command's JSON output. */
  value: (out: unknown) => number;
  /** How the README writes it: fixed decimals, significant digits, a percentage, or a·10ⁿ. */
  format: `fixed:${number}` | `sig:${number}` | `pct:${number}` | `sci:${number}`;
  /** Relative drift allowed beyond the README's rounding (seeded runs repeat to ~10⁻¹²; this covers other machines' arithmetic). */
  tolerance: number;
  /**
   * 'ci': cheap enough to rerun in every test run; 'full': in `npm run claims`; 'long' (tens of minutes, the
   * authors' 200-epoch protocols): only with `npm run claims -- --long`.
   */
  cost: 'ci' | 'full' | 'long';
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const toSuper = (n: number) =>
  String(n)
    .replace('-', '⁻')
    .replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]!);

export function formatValue(v: number, format: Claim['format']): string {
  const [kind, digits] = format.split(':') as [string, string];
  const n = Number(digits);
  if (kind === 'fixed') return v.toFixed(n);
  // Trailing zeros are digits the claim vouches for (0.20, not 0.2); exponents only where toPrecision uses them.
  if (kind === 'sig') return /e/.test(v.toPrecision(n)) ? Number(v.toPrecision(n)).toString() : v.toPrecision(n);
  if (kind === 'pct') return `${(v * 100).toFixed(n)} %`;
  const [m, e] = v.toExponential(n - 1).split('e');
  return `${m}·10${toSuper(Number(e))}`;
}

/** A README value back to a number, and half a unit of its last written digit (its rounding). */
export function parseShown(s: string): { value: number; half: number } {
  const t = s.trim();
  const sci = /^(-?[\d.]+)·10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(t);
  const pct = /^(-?[\d.]+) %$/.exec(t);
  const mant = sci ? sci[1]! : pct ? pct[1]! : t;
  if (!/^-?\d+(\.\d+)?$/.test(mant)) throw new Error(`not a number the claims write: "${s}"`);
  const decimals = mant.includes('.') ? mant.split('.')[1]!.length : 0;
  let scale = 1;
  if (sci) scale = 10 ** Number([...sci[2]!].map((c) => (c === '⁻' ? '-' : String(SUPERSCRIPT.indexOf(c)))).join(''));
  if (pct) scale = 0.01;
  return { value: Number(mant) * scale, half: 0.5 * 10 ** -decimals * scale };
}

const MARKER = /<!--claim:([a-z0-9-]+)-->(.*?)<!--\/claim-->/g;

/** Every marked value in a text, in order. */
export function markedValues(text: string): { id: string; shown: string }[] {
  return [...text.matchAll(MARKER)].map((m) => ({ id: m[1]!, shown: m[2]! }));
}

export function rewrite(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(MARKER, (whole, id: string) =>
    values.has(id) ? `<!--claim:${id}-->${values.get(id)}<!--/claim-->` : whole,
  );
}

/**
 * Runs `kairo …` as a user would (the built CLI in a child process) and parses its JSON. Commands
 * joined by `&&` run in order (a training run that writes the session the next one reads); the
 * last one's JSON is the output.
 */
export function runKairo(command: string): unknown {
  let out = '';
  for (const one of command.split('&&')) {
    const r = spawnSync(process.execPath, ['bin/kairo.mjs', ...one.split(/\s+/).filter(Boolean)], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`kairo ${one.trim()}: exit ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
    out = r.stdout;
  }
  return JSON.parse(out) as unknown;
}

export interface Verdict {
  id: string;
  command: string;
  shown: string;
  fresh: number;
  ok: boolean;
}

/**
 * Reruns the claims (each command once) and compares each fresh value with the one the text shows:
 * within the claim's relative tolerance plus the shown value's rounding.
 */
export function check(claims: readonly Claim[], text: string, run: (command: string) => unknown = runKairo): Verdict[] {
  const shown = new Map(markedValues(text).map((m) => [m.id, m.shown]));
  const outputs = new Map<string, unknown>();
  return claims.map((c) => {
    if (!outputs.has(c.command)) outputs.set(c.command, run(c.command));
    const fresh = c.value(outputs.get(c.command));
    const s = shown.get(c.id);
    if (s === undefined) return { id: c.id, command: c.command, shown: '(not in the README)', fresh, ok: false };
    const { value, half } = parseShown(s);
    const ok = Number.isFinite(fresh) && Math.abs(fresh - value) <= half + c.tolerance * Math.abs(value);
    return { id: c.id, command: c.command, shown: s, fresh, ok };
  });
}

/** Reads a path like `runs.1.theory.lambda_max` (indices or `[key=value]` selectors) from parsed JSON. */
export function at(out: unknown, path: string): number {
  let v: unknown = out;
  for (const part of path.split('.')) {
    const sel = /^\[(\w+)=([\w-]+)\]$/.exec(part);
    if (sel && Array.isArray(v)) v = v.find((x) => String((x as Record<string, unknown>)[sel[1]!]) === sel[2]);
    else if (Array.isArray(v)) v = v.at(Number(part));
    else if (v !== null && typeof v === 'object') v = (v as Record<string, unknown>)[part];
    else v = undefined;
  }
  if (typeof v !== 'number') throw new Error(`no number at ${path}`);
  return v;
}
