// Running a sweep's runs and collecting them. Each run writes DIR/<index>.json atomically (a
// killed run leaves no half file) holding its params, hash, the command's JSON result or its
// error, timing, host and Kairo version. DIR/sweep.json records the expansion, so a directory
// holds one sweep, and a rerun skips every run whose file exists with the same hash.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { invalid, toErrorValue } from '../errors.ts';
import { APP_VERSION } from '../version.ts';
import { argvOf, expand, type CommandFlags, type Params, type SweepRun, type SweepSpec } from './spec.ts';

export interface SweepCommand extends CommandFlags {
  /** The CLI module's entry: runs `[subcommand, …flags]` and hands its JSON result to `out`. */
  run(argv: string[], out: (v: unknown) => void): Promise<number>;
}

export interface RunRecord {
  index: number;
  hash: string;
  command: string[];
  params: Params;
  result?: unknown;
  error?: string;
  seconds: number;
  host: string;
  kairo_version: string;
  started_at: string;
}

export interface SweepManifest {
  format: 'kairo-sweep';
  spec: SweepSpec;
  count: number;
  hashes: string[];
}

/** Writes a file through a temporary file and a rename: readers see the old file or the new one. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Records the sweep in DIR (once); a directory that holds another sweep is refused. */
export function prepareDir(dir: string, spec: SweepSpec): { runs: SweepRun[]; manifest: SweepManifest } {
  const runs = expand(spec);
  const manifest: SweepManifest = { format: 'kairo-sweep', spec, count: runs.length, hashes: runs.map((r) => r.hash) };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'sweep.json');
  if (existsSync(file)) {
    const old = readManifest(dir);
    if (old.count !== manifest.count || old.hashes.some((h, i) => h !== manifest.hashes[i])) {
      throw invalid(`${resolve(dir)} holds another sweep (see its sweep.json); give a fresh --out folder`);
    }
  } else writeAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
  return { runs, manifest };
}

export function readManifest(dir: string): SweepManifest {
  const file = join(dir, 'sweep.json');
  let m: SweepManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as SweepManifest;
  } catch (e) {
    throw invalid(
      `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no sweep here (no sweep.json)' : 'not valid JSON'}`,
    );
  }
  if (m?.format !== 'kairo-sweep' || !Number.isInteger(m.count) || !Array.isArray(m.hashes))
    throw invalid(`${file}: not a Kairo sweep manifest`);
  return m;
}

/** The index of this run: --index, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX (Kubernetes). */
export function runIndex(flag: string | undefined, env: NodeJS.ProcessEnv, count: number): number {
  const [from, v] =
    flag !== undefined
      ? ['--index', flag]
      : env.SLURM_ARRAY_TASK_ID !== undefined
        ? ['SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID]
        : ['JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX];
  if (v === undefined) throw invalid('give --index i (or run under Slurm or a Kubernetes Indexed Job)');
  const i = Number(v);
  if (!Number.isInteger(i) || i < 0 || i >= count) throw invalid(`${from} = ${v}: this sweep has runs 0..${count - 1}`);
  return i;
}

function readRecord(path: string): RunRecord | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch {
    return null;
  }
}

/** Runs one index in this process and writes its record; skipped when a good record with its hash exists. */
export async function runOne(
  dir: string,
  spec: SweepSpec,
  index: number,
  cmd: SweepCommand,
): Promise<{ record: RunRecord; skipped: boolean }> {
  const { runs } = prepareDir(dir, spec);
  const run = runs[index]!;
  const file = join(dir, `${index}.json`);
  const old = existsSync(file) ? readRecord(file) : null;
  if (old && old.hash === run.hash && old.error === undefined) return { record: old, skipped: true };
  const started = new Date();
  const t0 = performance.now();
  let result: unknown;
  let error: string | undefined;
  try {
    const argv = argvOf(spec, run.params, cmd.switches).slice(1);
    await cmd.run(argv, (v) => (result = v));
  } catch (e) {
    error = toErrorValue(e).message;
  }
  const record: RunRecord = {
    index,
    hash: run.hash,
    command: [...spec.command],
    params: run.params,
    ...(error === undefined ? { result } : { error }),
    seconds: (performance.now() - t0) / 1000,
    host: hostname(),
    kairo_version: APP_VERSION,
    started_at: started.toISOString(),
  };
  writeAtomic(file, JSON.stringify(record, null, 2) + '\n');
  return { record, skipped: false };
}

export interface Collected {
  spec: SweepSpec;
  runs: { index: number; params: Params; result: unknown; seconds: number }[];
  missing: number[];
  failed: { index: number; params: Params; error: string }[];
}

/** Every record of a sweep directory: done, failed, and the indices with no (or a stale) file. */
export function collect(dir: string): Collected {
  const m = readManifest(dir);
  const runs = expand(m.spec);
  const out: Collected = { spec: m.spec, runs: [], missing: [], failed: [] };
  const files = new Set(readdirSync(dir));
  for (const r of runs) {
    const rec = files.has(`${r.index}.json`) ? readRecord(join(dir, `${r.index}.json`)) : null;
    if (!rec || rec.hash !== r.hash) out.missing.push(r.index);
    else if (rec.error !== undefined) out.failed.push({ index: r.index, params: r.params, error: rec.error });
    else out.runs.push({ index: r.index, params: r.params, result: rec.result, seconds: rec.seconds });
  }
  return out;
}
