// `kairo sweep …`: expand a sweep file into numbered runs, run one (here, in a Slurm array task
// or a Kubernetes Indexed Job), run all on this machine, collect the results, or write the
// cluster templates.
import type { CliContext, CommandFlags, LabCommand } from '../lab.ts';
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalid, KairoError } from '../../errors.ts';
import { readRegularFile } from '../../files.ts';
import { DOCKERFILE, k8sManifest, slurmScript } from './cluster.ts';
import { collect, prepareDir, runIndex, runOne, writeAtomic } from './runner.ts';
import { SweepRuns, validateSpec, type SweepSpec } from './spec.ts';
import { checkOutputFlags, intFlag, type Parsed } from '../kit/args.ts';
import { refuseStrayFlags } from '../kit/cli.ts';

export const SWEEP_USAGE = `  sweep expand SPEC                      {"count", "runs": [{"index", "params", "hash"}]}
  sweep run SPEC --out DIR [--index i]   one run (else SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) into DIR/<i>.json
  sweep local SPEC --out DIR [--workers K]   every run on this machine, K at a time
  sweep collect DIR [--out F.kairo]      {"runs": [{"index", "params", "result"}], "missing", "failed"}; --out: a session the app opens
  sweep slurm SPEC --out DIR [--max-parallel K] [--partition P] [--time T] [--cpus-per-task N] [--mem M]
  sweep k8s SPEC --image IMG --out DIR [--parallelism K] [--cpu N] [--memory M] [--pvc NAME]
    SPEC: {"command": ["fisher", "spectrum"], "fixed": {flag: value}, "grid": {flag: [values]},
           "zip": {flag: [values]}, "random": {"count", "seed", "params": {flag: {min, max, log?, int?} | {choice}}}}`;

const VALUED = new Set([
  'out',
  'index',
  'workers',
  'max-parallel',
  'partition',
  'time',
  'cpus-per-task',
  'mem',
  'image',
  'parallelism',
  'cpu',
  'memory',
  'pvc',
]);
/** Each subcommand's flags: another's is refused, never ignored. */
const SUB_FLAGS = new Map<string, ReadonlySet<string>>([
  ['expand', new Set()],
  ['run', new Set(['out', 'index'])],
  ['local', new Set(['out', 'workers'])],
  ['collect', new Set(['out'])],
  ['slurm', new Set(['out', 'max-parallel', 'partition', 'time', 'cpus-per-task', 'mem'])],
  ['k8s', new Set(['out', 'image', 'parallelism', 'cpu', 'memory', 'pvc'])],
]);
const KAIRO_BIN = fileURLToPath(new URL('../../../bin/kairo.mjs', import.meta.url));

function readSpec(path: string | undefined, commands: ReadonlyMap<string, CommandFlags>): SweepSpec {
  if (!path) throw invalid('give the sweep file: kairo sweep … SPEC');
  let raw: unknown;
  try {
    raw = JSON.parse(readRegularFile(path, 64 * 1024 * 1024).toString('utf8'));
  } catch (e) {
    // JSON.parse quotes the text it failed on: the message names the file, never its contents.
    if (e instanceof SyntaxError) throw invalid(`${path}: not a valid JSON sweep file`);
    throw e;
  }
  return validateSpec(raw, commands);
}

const str = (v: string | true | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export async function sweepCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  const commands = await ctx.sweepable();
  const [sub, target, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  const outDir = () => {
    const d = str(p.flags.get('out'));
    if (!d) throw invalid('--out DIR is required');
    return resolve(d);
  };
  const own = SUB_FLAGS.get(sub ?? '');
  if (own) refuseStrayFlags(p, `sweep ${sub}`, own);
  switch (sub) {
    case 'expand': {
      const spec = readSpec(target, commands);
      const runs = [...new SweepRuns(spec)];
      out({ count: runs.length, runs });
      return 0;
    }
    case 'run': {
      const spec = readSpec(target, commands);
      const dir = outDir();
      const { runs } = prepareDir(dir, spec, commands);
      const i = runIndex(str(p.flags.get('index')), process.env, runs.count);
      const r = await runOne(dir, spec, i, commands.get(spec.command[0])!, commands, ctx.scratch());
      out({
        index: i,
        hash: r.record.hash,
        skipped: r.skipped,
        seconds: r.record.seconds,
        file: join(dir, `${i}.json`),
        ...(r.record.error !== undefined ? { error: r.record.error } : {}),
      });
      if (r.record.error !== undefined) process.stderr.write(`kairo: error: run ${i}: ${r.record.error}\n`);
      return r.record.error !== undefined ? 2 : 0;
    }
    case 'local': {
      const spec = readSpec(target, commands);
      const dir = outDir();
      const { runs } = prepareDir(dir, spec, commands);
      const workers = intFlag(p, 'workers', 1, 1, Math.max(1, cpus().length));
      return runLocal(resolve(target!), dir, runs.count, workers, out);
    }
    case 'collect': {
      if (!target) throw invalid('give the sweep folder: kairo sweep collect DIR');
      checkOutputFlags(p, ['out']);
      const c = collect(target, commands);
      const file = str(p.flags.get('out'));
      if (file) {
        // A session the app opens: the Sweeps lab holding this folder's runs.
        await ctx.call('sweep.collect', { path: resolve(target) });
        await ctx.save(file);
      }
      out({
        runs: c.runs.map((r) => ({ index: r.index, params: r.params, result: r.result })),
        missing: c.missing,
        failed: c.failed,
      });
      return 0;
    }
    case 'slurm': {
      const spec = readSpec(target, commands);
      checkOutputFlags(p, ['out']);
      const dir = outDir();
      const { runs } = prepareDir(dir, spec, commands);
      const specCopy = join(dir, 'spec.json');
      writeAtomic(specCopy, JSON.stringify(spec, null, 2) + '\n');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'logs'), { recursive: true });
      const script = slurmScript({
        node: process.execPath,
        kairo: KAIRO_BIN,
        spec: specCopy,
        dir,
        count: runs.count,
        maxParallel: p.flags.has('max-parallel') ? intFlag(p, 'max-parallel', 1, 1, 100000) : undefined,
        partition: str(p.flags.get('partition')),
        time: str(p.flags.get('time')),
        cpusPerTask: intFlag(p, 'cpus-per-task', 2, 1, 1024),
        mem: str(p.flags.get('mem')),
      });
      const file = join(dir, 'sweep.sbatch');
      writeAtomic(file, script);
      out({ count: runs.count, script: file, submit: `sbatch ${file}` });
      return 0;
    }
    case 'k8s': {
      const spec = readSpec(target, commands);
      const image = str(p.flags.get('image'));
      if (!image) throw invalid('--image IMG is required (build it with the Dockerfile this writes)');
      checkOutputFlags(p, ['out']);
      const dir = outDir();
      const { runs } = prepareDir(dir, spec, commands);
      const manifest = k8sManifest({
        image,
        count: runs.count,
        spec,
        parallelism: intFlag(p, 'parallelism', 4, 1, 100000),
        cpu: str(p.flags.get('cpu')),
        memory: str(p.flags.get('memory')),
        pvc: str(p.flags.get('pvc')),
      });
      writeAtomic(join(dir, 'job.json'), JSON.stringify(manifest, null, 2) + '\n');
      writeAtomic(join(dir, 'Dockerfile'), DOCKERFILE);
      out({
        count: runs.count,
        manifest: join(dir, 'job.json'),
        dockerfile: join(dir, 'Dockerfile'),
        apply: `kubectl apply -f ${join(dir, 'job.json')}`,
      });
      return 0;
    }
    default:
      throw invalid(`unknown sweep command ${JSON.stringify(sub ?? '')}; try expand, run, local, collect, slurm or k8s`);
  }
}

/** Every index in child processes, `workers` at a time, with progress on stderr. */
async function runLocal(spec: string, dir: string, count: number, workers: number, out: (v: unknown) => void): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  let finished = 0;
  let failed = 0;
  let skipped = 0;
  // SIGINT or SIGTERM (a scheduler's stop) ends the runs under way and starts no more; the runs
  // done keep their records, and a rerun of the same command skips them.
  const children = new Set<ReturnType<typeof spawn>>();
  let stopped: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    stopped ??= s;
    for (const c of children) c.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const one = (i: number) =>
    new Promise<void>((res) => {
      const child = spawn(process.execPath, [KAIRO_BIN, 'sweep', 'run', spec, '--index', String(i), '--out', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      child.on('close', () => children.delete(child));
      let so = '';
      child.stdout.on('data', (d) => (so += d));
      child.stderr.on('data', () => {});
      child.on('close', (code) => {
        finished++;
        if (code !== 0) failed++;
        else if (/"skipped": true/.test(so)) skipped++;
        const el = (performance.now() - t0) / 1000;
        const eta = finished < count ? ` · ETA ${Math.round((el / finished) * (count - finished))} s` : '';
        process.stderr.write(
          `sweep: ${finished}/${count} done${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} skipped` : ''}${eta}\n`,
        );
        res();
      });
    });
  const lane = async () => {
    while (next < count && !stopped) await one(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, count) }, lane));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stopped)
    throw new KairoError(
      'cancelled',
      `sweep stopped by ${stopped} after ${finished} of ${count} runs; run it again to do the rest`,
    );
  out({ count, done: count - failed, failed, skipped, seconds: (performance.now() - t0) / 1000, out: dir });
  return failed ? 2 : 0;
}

/** `kairo sweep …` runs the other labs' commands: their flag tables load with it. */
export const command: LabCommand = {
  usage: SWEEP_USAGE,
  subcommands: ['expand', 'run', 'local', 'slurm', 'k8s', 'collect'],
  valued: VALUED,
  switches: new Set(),
  flagsOf: (sub) => SUB_FLAGS.get(sub) ?? new Set(),
  run: sweepCli,
};
