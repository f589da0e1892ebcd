import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { invalid } from '../../errors.ts';

/**
 * Output flags are checked before any work starts: a training run must not end in "cannot
 * save" because the folder was mistyped.
 */
export function checkOutputFlags(p: Parsed, names: readonly string[]): void {
  for (const n of names) {
    const v = p.flags.get(n);
    if (typeof v !== 'string') continue;
    const abs = resolve(v);
    const dir = dirname(abs);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw invalid(`--${n} ${v}: the folder ${dir} does not exist`);
    }
    if (!isDir) throw invalid(`--${n} ${v}: ${dir} is not a folder`);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw invalid(`--${n} ${v}: cannot write in ${dir}`);
    }
    try {
      if (statSync(abs).isDirectory()) throw invalid(`--${n} ${v}: is a folder, not a file`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--switch`; which flags take values is declared. */
export function parseArgs(argv: string[], valued: ReadonlySet<string>, switches: ReadonlySet<string>): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (switches.has(name)) {
      if (eq >= 0) throw invalid(`--${name} takes no value`);
      flags.set(name, true);
    } else if (valued.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw invalid(`--${name} needs a value`);
      flags.set(name, v);
    } else {
      throw invalid(`unknown option --${name}`);
    }
  }
  return { positional, flags };
}

/**
 * Numbers as people write them in decimal: `Number()` alone also reads `0x10` as 16, `0b11`,
 * `Infinity` and `1e0` where an integer is asked for, which silently runs something else.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** The number `text` spells in decimal (an integer only in plain digits when `integer`), else NaN. */
export function parseDecimal(text: string, integer = false): number {
  const t = text.trim();
  return (integer ? INTEGER : DECIMAL).test(t) ? Number(t) : NaN;
}

export function intFlag(p: Parsed, name: string, def: number, min: number, max: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const n = typeof v === 'string' ? parseDecimal(v, true) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw invalid(`--${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  return n;
}

/** A finite number; `def` when the flag is absent. Ranges are the lab schema's to check. */
export function numFlag(p: Parsed, name: string, def: number, integer = false): number {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const n = typeof v === 'string' ? parseDecimal(v, integer) : NaN;
  if (!Number.isFinite(n)) throw invalid(`--${name} must be ${integer ? 'an integer' : 'a number'}, got ${String(v)}`);
  return n;
}

/** A comma-separated list of numbers (an empty value is an empty list). */
export function listFlag(p: Parsed, name: string, def: number[], integer = false): number[] {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const xs = String(v)
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseDecimal(s, integer));
  if (xs.some((x) => !Number.isFinite(x)))
    throw invalid(`--${name} must be a comma-separated list of ${integer ? 'integers' : 'numbers'}, got ${String(v)}`);
  return xs;
}

/** Several named values, comma-separated, each one of `allowed` and given once. */
export function setFlag<T extends string>(p: Parsed, name: string, def: T[], allowed: readonly T[]): T[] {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const xs = String(v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = xs.find((x) => !allowed.includes(x as T));
  if (bad !== undefined)
    throw invalid(`--${name} takes a comma-separated list of ${allowed.join(', ')}; got ${JSON.stringify(bad)}`);
  if (new Set(xs).size !== xs.length) throw invalid(`--${name} names a value twice: ${String(v)}`);
  return xs as T[];
}

export function choiceFlag<T extends string>(p: Parsed, name: string, def: T, allowed: readonly T[]): T {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  if (!allowed.includes(v as T)) throw invalid(`--${name} must be one of ${allowed.join('|')}, got ${String(v)}`);
  return v as T;
}
