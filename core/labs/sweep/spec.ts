// A sweep file: one `kairo` command, fixed flags, and the flags that vary — a grid (every
// combination), zipped lists (varied together) and random draws — expanded into numbered runs
// with stable indices and hashes, as disentanglement_lib did for its 12,600 models. The same
// expansion feeds `kairo sweep run` on a laptop, a Slurm array task or a Kubernetes Indexed Job.
import { createHash } from 'node:crypto';
import { mulberry32 } from '../../../models/common/rng.ts';
import { invalid } from '../../errors.ts';
import type { Parsed } from '../kit/args.ts';
import type { CommandFlags } from '../kit/cli.ts';

export type FlagValue = number | string | boolean | number[];
export type Params = Record<string, FlagValue>;

export interface RandomRange {
  min: number;
  max: number;
  /** Draw uniformly in log space (min > 0). */
  log?: boolean;
  /** Round to an integer. */
  int?: boolean;
}

export interface SweepSpec {
  /** A kairo command and subcommand, e.g. ["fisher", "spectrum"]. */
  command: [string, string];
  fixed?: Params;
  grid?: Record<string, FlagValue[]>;
  zip?: Record<string, FlagValue[]>;
  random?: { count: number; seed: number; params: Record<string, RandomRange | { choice: FlagValue[] }> };
}

export interface SweepRun {
  index: number;
  params: Params;
  hash: string;
}

export type { CommandFlags } from '../kit/cli.ts';

const SECTIONS = new Set(['command', 'fixed', 'grid', 'zip', 'random']);
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function checkValue(where: string, flag: string, v: unknown, cmd: CommandFlags): FlagValue {
  if (cmd.switches.has(flag)) {
    if (typeof v !== 'boolean') throw invalid(`${where}: --${flag} is a switch; give true or false`);
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '' && !v.startsWith('--')) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
  throw invalid(
    `${where}: a value must be a finite number, a string, or a list of numbers (for list flags); got ${JSON.stringify(v)}`,
  );
}

/** Validates a parsed sweep file against the command's flags; errors name the field. */
export function validateSpec(raw: unknown, commands: ReadonlyMap<string, CommandFlags>): SweepSpec {
  if (!isObj(raw)) throw invalid('sweep: the file must hold a JSON object');
  for (const k of Object.keys(raw))
    if (!SECTIONS.has(k)) throw invalid(`sweep.${k}: unknown section; expected command, fixed, grid, zip or random`);
  const c = raw.command;
  if (!Array.isArray(c) || c.length !== 2 || !c.every((x) => typeof x === 'string'))
    throw invalid('sweep.command: give the command and subcommand, e.g. ["fisher", "spectrum"]');
  const cmd = commands.get(c[0] as string);
  if (!cmd) throw invalid(`sweep.command: unknown command "${c[0]}"; sweepable: ${[...commands.keys()].join(', ')}`);
  if (!cmd.subcommands.includes(c[1] as string))
    throw invalid(`sweep.command: "${c[0]}" has no subcommand "${c[1]}"; try ${cmd.subcommands.join(', ')}`);
  const seen = new Map<string, string>();
  const flagOf = (section: string, flag: string) => {
    const where = `sweep.${section}.${flag}`;
    if (!cmd.flagsOf(c[1] as string).has(flag)) throw invalid(`${where}: kairo ${c[0]} ${c[1]} has no flag --${flag}`);
    const prev = seen.get(flag);
    if (prev) throw invalid(`${where}: --${flag} is already set in sweep.${prev}`);
    seen.set(flag, section);
    return where;
  };
  const spec: SweepSpec = { command: [c[0] as string, c[1] as string] };
  if (raw.fixed !== undefined) {
    if (!isObj(raw.fixed)) throw invalid('sweep.fixed: must be an object of flag: value');
    spec.fixed = {};
    for (const [k, v] of Object.entries(raw.fixed)) spec.fixed[k] = checkValue(flagOf('fixed', k), k, v, cmd);
  }
  for (const section of ['grid', 'zip'] as const) {
    const s = raw[section];
    if (s === undefined) continue;
    if (!isObj(s)) throw invalid(`sweep.${section}: must be an object of flag: [values]`);
    const out: Record<string, FlagValue[]> = {};
    let len = -1;
    for (const [k, vs] of Object.entries(s)) {
      const where = flagOf(section, k);
      if (!Array.isArray(vs) || vs.length === 0) throw invalid(`${where}: give a non-empty list of values`);
      if (section === 'zip') {
        if (len >= 0 && vs.length !== len)
          throw invalid(`${where}: zipped lists must have equal lengths (${vs.length} vs ${len})`);
        len = vs.length;
      }
      out[k] = vs.map((v, i) => checkValue(`${where}[${i}]`, k, v, cmd));
    }
    spec[section] = out;
  }
  if (raw.random !== undefined) {
    const r = raw.random;
    if (!isObj(r)) throw invalid('sweep.random: must be {count, seed, params}');
    if (!Number.isInteger(r.count) || (r.count as number) < 1 || (r.count as number) > 100000)
      throw invalid('sweep.random.count: an integer in 1..100000');
    if (!Number.isInteger(r.seed) || (r.seed as number) < 0) throw invalid('sweep.random.seed: a non-negative integer');
    if (!isObj(r.params))
      throw invalid('sweep.random.params: must be an object of flag: {min, max[, log, int]} or {choice: [...]}');
    const params: NonNullable<SweepSpec['random']>['params'] = {};
    for (const [k, v] of Object.entries(r.params)) {
      const where = flagOf('random.params', k);
      if (isObj(v) && Array.isArray(v.choice) && v.choice.length)
        params[k] = { choice: v.choice.map((x, i) => checkValue(`${where}.choice[${i}]`, k, x, cmd)) };
      else if (
        isObj(v) &&
        typeof v.min === 'number' &&
        typeof v.max === 'number' &&
        Number.isFinite(v.min) &&
        Number.isFinite(v.max) &&
        v.min <= v.max
      ) {
        if (v.log && !(v.min > 0)) throw invalid(`${where}: a log range needs min > 0`);
        params[k] = { min: v.min, max: v.max, log: v.log === true, int: v.int === true };
      } else throw invalid(`${where}: give {min, max} with min ≤ max (optional log, int) or {choice: [values]}`);
    }
    spec.random = { count: r.count as number, seed: r.seed as number, params };
  }
  checkCount(spec);
  return spec;
}

/**
 * The most runs one sweep file may expand to. Runs are counted as a product before anything is
 * expanded, so a 1000 × 1000 × 1000 grid is refused in microseconds instead of growing the host
 * until it dies; the cap matches random.count's, and a manifest's hash list stays a few MB.
 */
export const MAX_SWEEP_RUNS = 100_000;

interface Axes {
  grid: [string, FlagValue[]][];
  zipKeys: string[];
  zipLen: number;
  draws: number;
}

function axesOf(spec: SweepSpec): Axes {
  const zipKeys = Object.keys(spec.zip ?? {});
  return {
    grid: Object.entries(spec.grid ?? {}),
    zipKeys,
    zipLen: zipKeys.length ? spec.zip![zipKeys[0]!]!.length : 1,
    draws: spec.random ? spec.random.count : 1,
  };
}

/** How many runs a spec expands to, as a product (a float, so it cannot overflow to a small number). */
export function runCount(spec: SweepSpec): number {
  const a = axesOf(spec);
  return a.grid.reduce((n, [, vs]) => n * vs.length, 1) * a.zipLen * a.draws;
}

function checkCount(spec: SweepSpec): void {
  const n = runCount(spec);
  if (n <= MAX_SWEEP_RUNS) return;
  const a = axesOf(spec);
  const factors = [
    ...a.grid.map(([, vs]) => vs.length),
    ...(a.zipKeys.length ? [a.zipLen] : []),
    ...(spec.random ? [a.draws] : []),
  ];
  throw invalid(
    `sweep: ${factors.map((f) => f.toLocaleString('en-US')).join(' × ')} = ${n.toLocaleString('en-US')} runs; one sweep runs at most ${MAX_SWEEP_RUNS.toLocaleString('en-US')} (split it into several files)`,
  );
}

function sortedJson(v: Params): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, v[k]]),
    ),
  );
}

export function runHash(command: readonly string[], params: Params): string {
  return createHash('sha256')
    .update(JSON.stringify(command) + sortedJson(params))
    .digest('hex')
    .slice(0, 16);
}

/** The random draws, in order (at most MAX_SWEEP_RUNS small objects). */
function drawsOf(spec: SweepSpec): Params[] {
  if (!spec.random) return [{}];
  const rand = mulberry32(spec.random.seed);
  return Array.from({ length: spec.random.count }, () => {
    const d: Params = {};
    for (const [k, r] of Object.entries(spec.random!.params)) {
      if ('choice' in r) d[k] = r.choice[Math.floor(rand() * r.choice.length)]!;
      else {
        const u = rand();
        let v = r.log ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min))) : r.min + u * (r.max - r.min);
        if (r.int) v = Math.min(r.max, Math.max(r.min, Math.round(v)));
        d[k] = v;
      }
    }
    return d;
  });
}

/**
 * The runs of a spec one at a time, by index: grid (first key slowest) × zip rows × random draws,
 * fixed flags in each. Deterministic, and nothing but the draws is held in memory.
 */
export class SweepRuns {
  readonly count: number;
  private readonly axes: Axes;
  private readonly draws: Params[];

  constructor(private readonly spec: SweepSpec) {
    checkCount(spec);
    this.axes = axesOf(spec);
    this.count = runCount(spec);
    this.draws = drawsOf(spec);
  }

  at(index: number): SweepRun {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw invalid(`run ${index}: this sweep has runs 0..${this.count - 1}`);
    const { grid, zipKeys, zipLen, draws } = this.axes;
    let rest = index;
    const d = this.draws[rest % draws]!;
    rest = Math.floor(rest / draws);
    const zi = rest % zipLen;
    rest = Math.floor(rest / zipLen);
    const g: Params = {};
    for (let k = grid.length - 1; k >= 0; k--) {
      const [key, vs] = grid[k]!;
      g[key] = vs[rest % vs.length]!;
      rest = Math.floor(rest / vs.length);
    }
    const z = Object.fromEntries(zipKeys.map((k) => [k, this.spec.zip![k]![zi]!])) as Params;
    // Key order as the nested loops always gave it: fixed, grid in key order, zip, draws.
    const ordered: Params = {};
    for (const [key] of grid) ordered[key] = g[key]!;
    const params = { ...(this.spec.fixed ?? {}), ...ordered, ...z, ...d };
    return { index, params, hash: runHash(this.spec.command, params) };
  }

  *[Symbol.iterator](): Generator<SweepRun> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }
}

/** Every run of a spec (at most MAX_SWEEP_RUNS), for the few callers that need them all at once. */
export function expand(spec: SweepSpec): SweepRun[] {
  return [...new SweepRuns(spec)];
}

/** Flags whose values are files: read (…) or written (out). */
export const PATH_FLAGS: ReadonlyMap<string, 'read' | 'write'> = new Map([
  ['out', 'write'],
  ['machine-out', 'write'],
  ['session', 'read'],
  ['machine', 'read'],
  ['points', 'read'],
  ['idx-images', 'read'],
  ['idx-labels', 'read'],
  ['idx-test-images', 'read'],
  ['idx-test-labels', 'read'],
]);

/** Every file a sweep's runs would read or write, from any section of the spec. */
export function specPaths(spec: SweepSpec): { path: string; use: 'read' | 'write' }[] {
  const out: { path: string; use: 'read' | 'write' }[] = [];
  const add = (k: string, v: unknown) => {
    const use = PATH_FLAGS.get(k);
    if (use && typeof v === 'string') out.push({ path: v, use });
  };
  for (const [k, v] of Object.entries(spec.fixed ?? {})) add(k, v);
  for (const sec of [spec.grid ?? {}, spec.zip ?? {}]) for (const [k, vs] of Object.entries(sec)) vs.forEach((v) => add(k, v));
  for (const [k, r] of Object.entries(spec.random?.params ?? {})) if ('choice' in r) r.choice.forEach((v) => add(k, v));
  return out;
}

/**
 * The flags of one run as its command receives them (`kairo <lab> <sub> --flag value …` parsed):
 * values as the shell would spell them, switches present when true.
 */
export function argsOf(spec: SweepSpec, params: Params, switches: ReadonlySet<string>): Parsed {
  const flags = new Map<string, string | true>();
  for (const [k, v] of Object.entries(params)) {
    if (switches.has(k)) {
      if (v === true) flags.set(k, true);
    } else flags.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return { positional: [spec.command[1]], flags };
}
