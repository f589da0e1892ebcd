// `npm run fuzz [-- --cases N --seed S]`: mutated sessions, IDX pairs, re-signed session edits and
// sweep files, from real files, each loaded as `kairo` loads them. Every case must either load or be refused with one KairoError
// line; a stack trace, another exception, a hang (5 s per case) or running out of memory is a
// failure. test/unit/fuzz.test.ts runs a few hundred cases of each in `npm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FuzzReport {
  cases: number;
  loaded: number;
  refused: number;
  failures: { kind: string; index: number; what: string }[];
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  dir: string;
  /** The base files: a real session and a real IDX pair (written by prepareBase). */
  base: { session: string; images: string; labels: string };
  timeoutMs?: number;
}

const WORKER = new URL('./worker-boot.mjs', import.meta.url);

/**
 * The case families, `cases` of each: sessions with damaged bytes or headers; IDX pairs; sessions
 * whose manifest was edited and re-signed (the checksum recomputed, as anyone can) or whose
 * checksum key was damaged; sweep files and sweep-folder manifests.
 */
export const FAMILIES = ['session', 'idx', 'semantic', 'sweep'] as const;

/** Runs the cases in a worker with capped memory; a case that outlives the timeout is reported and the rest go on in a fresh worker. */
export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  mkdirSync(o.dir, { recursive: true });
  const report: FuzzReport = { cases: 0, loaded: 0, refused: 0, failures: [] };
  const total = FAMILIES.length * o.cases;
  let next = 0;
  while (next < total) {
    next = await new Promise<number>((resolve) => {
      const w = new Worker(WORKER, {
        workerData: { ...o, from: next, total },
        resourceLimits: { maxOldGenerationSizeMb: 1024 },
      });
      let current = next;
      let timer: NodeJS.Timeout | null = null;
      // A fresh worker first loads the modules it checks with (every lab's CLI, for the sweep
      // family): that can take many seconds on a loaded machine and is no case's hang.
      const arm = (ms = o.timeoutMs ?? 5000) => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          report.failures.push({
            kind: FAMILIES[Math.floor(current / o.cases)]!,
            index: current,
            what: `hang: no answer in ${o.timeoutMs ?? 5000} ms`,
          });
          void w.terminate();
          resolve(current + 1);
        }, ms);
      };
      arm(120_000);
      w.on('message', (m: { ready?: true; i: number; outcome: 'loaded' | 'refused' | 'failed'; what?: string; kind: string }) => {
        if (m.ready) return arm();
        report.cases++;
        if (m.outcome === 'loaded') report.loaded++;
        else if (m.outcome === 'refused') report.refused++;
        else report.failures.push({ kind: m.kind, index: m.i, what: m.what ?? '' });
        current = m.i + 1;
        arm();
      });
      w.on('error', (e) => {
        report.failures.push({
          kind: FAMILIES[Math.floor(current / o.cases)]!,
          index: current,
          what: `worker died: ${e.message.split('\n')[0]}`,
        });
        if (timer) clearTimeout(timer);
        resolve(current + 1);
      });
      w.on('exit', () => {
        if (timer) clearTimeout(timer);
        resolve(Math.max(current, total));
      });
    });
  }
  return report;
}

/** A real session (a small trained VAE with recall runs) and a real IDX pair (200 MNIST digits). */
export async function prepareBase(dir: string): Promise<FuzzOptions['base']> {
  mkdirSync(dir, { recursive: true });
  process.env.KAIRO_HOME ??= join(dir, 'home');
  const { Core } = await import('../../core/core.ts');
  const { defaultVaeTrain, defaultRecall } = await import('../../core/labs/vae/state.ts');
  const { VAE_PAPER_PRESET } = await import('../../core/contract.ts');
  const { getDataset } = await import('../../core/data/datasets.ts');
  const { encodeIdx } = await import('../../core/data/idx.ts');
  const core = new Core({ platform: { carrier: 'web' } });
  const run = async (kind: 'vae.train' | 'vae.recall', params: unknown) => {
    const j = await core.call('jobs.start', { kind, params } as never);
    const end = await core.jobs.wait(j.id);
    if (end.state !== 'done') throw new Error(`${kind}: ${end.error?.message}`);
  };
  await run('vae.train', {
    ...defaultVaeTrain(),
    source: { ...VAE_PAPER_PRESET.data },
    hidden: [16],
    latent: 3,
    epochs: 2,
    batchSize: 64,
  });
  await run('vae.recall', {
    ...defaultRecall(),
    ...VAE_PAPER_PRESET.recall,
    noise: [0, 0.2],
    samples: 40,
    iterations: 3,
    strips: 2,
  });
  const session = join(dir, 'base.kairo');
  await core.call('session.save', { path: session });
  await core.shutdown();
  const mnist = getDataset({ kind: 'mnist' }).test!;
  const images = join(dir, 'base-images.idx');
  const labels = join(dir, 'base-labels.idx');
  writeFileSync(images, encodeIdx([200, 28, 28], mnist.images.subarray(0, 200 * 784)));
  writeFileSync(labels, encodeIdx([200], mnist.labels.subarray(0, 200)));
  return { session, images, labels };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  const dir = join(process.cwd(), '.tmp', 'fuzz');
  const base = await prepareBase(dir);
  const r = await fuzz({ cases: arg('cases', 300), seed: arg('seed', 1), dir, base });
  for (const f of r.failures) process.stdout.write(`FAIL ${f.kind} #${f.index}: ${f.what}\n`);
  process.stdout.write(`${r.loaded} loaded, ${r.refused} refused with one line\n`);
  process.stdout.write(`${r.cases - r.failures.length} passed, ${r.failures.length} failed\n`);
  process.exit(r.failures.length ? 1 : 0);
}
