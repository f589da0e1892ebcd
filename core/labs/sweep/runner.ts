// Running a sweep's runs and collecting them. Each run writes DIR/<index>.json atomically (a
// killed run leaves no half file) holding its params, hash, the command's JSON result or its
// error, timing, host and Kairo version. DIR/sweep.json records the expansion, so a directory
// holds one sweep, and a rerun skips every run whose file exists with the same hash.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { invalid, KairoError, toErrorValue } from '../../errors.ts';
import { readRegularFile } from '../../files.ts';
import { APP_VERSION } from '../../version.ts';
import type { CliContext, LabCommand } from '../kit/cli.ts';
import { argsOf, SweepRuns, validateSpec, type CommandFlags, type Params, type SweepSpec } from './spec.ts';

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
export function prepareDir(
  dir: string,
  spec: SweepSpec,
  commands: ReadonlyMap<string, CommandFlags>,
): { runs: SweepRuns; manifest: SweepManifest } {
  const runs = new SweepRuns(spec);
  const hashes = Array.from({ length: runs.count }, (_, i) => runs.at(i).hash);
  const manifest: SweepManifest = { format: 'kairo-sweep', spec, count: runs.count, hashes };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'sweep.json');
  if (existsSync(file)) {
    const old = readManifest(dir, commands);
    if (old.count !== manifest.count || old.hashes.some((h, i) => h !== manifest.hashes[i])) {
      throw invalid(`${resolve(dir)} holds another sweep (see its sweep.json); give a fresh --out folder`);
    }
  } else writeAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
  return { runs, manifest };
}

/** A manifest or record is a few MB at most (100,000 hashes); anything larger is not one of ours. */
const MAX_SWEEP_FILE = 64 * 1024 * 1024;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * DIR/sweep.json, read through the regular-file reader and validated: its spec against the
 * commands' flags (and the run limit), its count and hashes against the spec's own expansion.
 */
export function readManifest(dir: string, commands: ReadonlyMap<string, CommandFlags>): SweepManifest {
  const file = join(dir, 'sweep.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readRegularFile(file, MAX_SWEEP_FILE).toString('utf8'));
  } catch (e) {
    if (e instanceof KairoError && e.code === 'not_found') throw invalid(`${file}: no sweep here (no sweep.json)`);
    if (e instanceof SyntaxError) throw invalid(`${file}: not valid JSON`);
    throw e;
  }
  if (!isObj(raw) || raw.format !== 'kairo-sweep') throw invalid(`${file}: not a Kairo sweep manifest`);
  let spec: SweepSpec;
  try {
    spec = validateSpec(raw.spec, commands);
  } catch (e) {
    throw invalid(`${file}: ${toErrorValue(e).message}`);
  }
  const runs = new SweepRuns(spec);
  const { count, hashes } = raw;
  if (count !== runs.count) throw invalid(`${file}: count ${JSON.stringify(count)} does not match its spec's ${runs.count} runs`);
  if (!Array.isArray(hashes) || hashes.length !== runs.count)
    throw invalid(`${file}: hashes must list one hash per run (${runs.count})`);
  for (let i = 0; i < runs.count; i++)
    if (hashes[i] !== runs.at(i).hash) throw invalid(`${file}: hashes[${i}] does not match run ${i} of its spec`);
  return { format: 'kairo-sweep', spec, count: runs.count, hashes: hashes as string[] };
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
  const i = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(i) || i < 0 || i >= count) throw invalid(`${from} = ${v}: this sweep has runs 0..${count - 1}`);
  return i;
}

/** A run's record, or why it cannot be used (missing, not a regular file, malformed). */
function readRecord(path: string): RunRecord | { unreadable: string } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readRegularFile(path, MAX_SWEEP_FILE).toString('utf8'));
  } catch (e) {
    if (e instanceof KairoError && e.code === 'not_found') return null;
    return { unreadable: e instanceof SyntaxError ? `${path}: not valid JSON` : toErrorValue(e).message };
  }
  const r = raw as Partial<RunRecord>;
  if (
    !isObj(raw) ||
    typeof r.hash !== 'string' ||
    (r.error !== undefined && typeof r.error !== 'string') ||
    typeof r.seconds !== 'number' ||
    !Number.isFinite(r.seconds)
  )
    return { unreadable: `${path}: not a Kairo run record` };
  return r as RunRecord;
}

/**
 * Runs one index in this process and writes its record; skipped when a good record with its hash
 * exists. `ctx` is a scratch context of the process's core (an empty session of the run's own).
 */
export async function runOne(
  dir: string,
  spec: SweepSpec,
  index: number,
  cmd: LabCommand,
  commands: ReadonlyMap<string, CommandFlags>,
  ctx: CliContext,
): Promise<{ record: RunRecord; skipped: boolean }> {
  const { runs } = prepareDir(dir, spec, commands);
  const run = runs.at(index);
  const file = join(dir, `${index}.json`);
  const old = readRecord(file);
  if (old && !('unreadable' in old) && old.hash === run.hash && old.error === undefined) return { record: old, skipped: true };
  const started = new Date();
  const t0 = performance.now();
  let result: unknown;
  let error: string | undefined;
  try {
    await cmd.run(argsOf(spec, run.params, cmd.switches), (v) => (result = v), ctx);
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

/**
 * Every record of a sweep directory: done, failed (a record that is not a readable regular file
 * counts as failed, with the reason), and the indices with no (or a stale) file.
 */
export function collect(dir: string, commands: ReadonlyMap<string, CommandFlags>): Collected {
  const m = readManifest(dir, commands);
  const out: Collected = { spec: m.spec, runs: [], missing: [], failed: [] };
  for (const r of new SweepRuns(m.spec)) {
    const rec = readRecord(join(dir, `${r.index}.json`));
    if (rec && 'unreadable' in rec) out.failed.push({ index: r.index, params: r.params, error: rec.unreadable });
    else if (!rec || rec.hash !== r.hash) out.missing.push(r.index);
    else if (rec.error !== undefined) out.failed.push({ index: r.index, params: r.params, error: rec.error });
    else out.runs.push({ index: r.index, params: r.params, result: rec.result, seconds: rec.seconds });
  }
  return out;
}
