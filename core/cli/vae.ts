// `kairo vae …`: the VAE lab without a window. The same jobs the UI starts, run to the end.
import type { JobKind, JobKinds } from '../contract.ts';
import { Core } from '../core.ts';
import { invalid, KairoError } from '../errors.ts';
import { defaultRecall, defaultSweep, defaultVaeTrain } from '../services/vae/state.ts';
import { parseArgs, type Parsed } from './args.ts';

export const VAE_USAGE = `  vae train --latent d --hidden 400 --epochs E [--train-size N] --seed S --out F.kairo
            [--arch mlp|conv] [--decoder bernoulli|gaussian] [--beta B] [--lr X] [--batch N]
            [--idx-images F --idx-labels F [--idx-test-images F --idx-test-labels F]]
  vae recall --session F.kairo --samples N --iterations K --noise σ --mode mean|sample --seed S
             [--start gaussian|saltpepper|pure] [--save]
  vae sweep [--latents 2,8,32] [--noise 0,0.3,0.6] [--epochs E] [--train-size N] [--samples N]
            [--iterations K] [--seed S]`;

const VALUED = new Set([
  'latent', 'hidden', 'epochs', 'train-size', 'seed', 'out', 'arch', 'decoder', 'beta', 'lr', 'batch', 'session', 'samples',
  'iterations', 'noise', 'mode', 'start', 'latents', 'idx-images', 'idx-labels', 'idx-test-images', 'idx-test-labels',
]);
const SWITCHES = new Set(['save']);

function num(p: Parsed, name: string, def: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw invalid(`--${name} must be a number, got ${String(v)}`);
  return n;
}
function list(p: Parsed, name: string, def: number[]): number[] {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const xs = String(v).split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isFinite(x))) throw invalid(`--${name} must be a comma-separated list of numbers, got ${String(v)}`);
  return xs;
}
function choice<T extends string>(p: Parsed, name: string, def: T, allowed: readonly T[]): T {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  if (!allowed.includes(v as T)) throw invalid(`--${name} must be one of ${allowed.join('|')}, got ${String(v)}`);
  return v as T;
}

function source(p: Parsed): JobKinds['vae.train']['params']['source'] {
  const images = p.flags.get('idx-images');
  const labels = p.flags.get('idx-labels');
  if (images === undefined && labels === undefined) return { kind: 'mnist' };
  if (typeof images !== 'string' || typeof labels !== 'string') throw invalid('give both --idx-images and --idx-labels');
  const ti = p.flags.get('idx-test-images');
  const tl = p.flags.get('idx-test-labels');
  return { kind: 'idx', name: 'IDX dataset', trainImages: images, trainLabels: labels, testImages: typeof ti === 'string' ? ti : null, testLabels: typeof tl === 'string' ? tl : null };
}

/** Runs one job to its end with progress on stderr; a failed job becomes its one-line error. */
async function runJob<K extends JobKind>(core: Core, kind: K, params: JobKinds[K]['params']): Promise<void> {
  let lastPct = -1;
  const stop = core.subscribe((e) => {
    if (e.topic !== 'job.update' || !process.stderr.isTTY) return;
    const pct = Math.floor(100 * ((e.payload as { progress?: { fraction: number } }).progress?.fraction ?? 0));
    if (pct !== lastPct) process.stderr.write(`\r${kind}: ${(lastPct = pct)} %`);
  });
  const job = await core.call('jobs.start', { kind, params } as never);
  const end = await core.jobs.wait(job.id);
  stop();
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (end.state !== 'done') throw new KairoError(end.error?.code ?? 'internal', end.error?.message ?? `${kind} ${end.state}`);
}

export async function vaeCli(argv: string[], out: (v: unknown) => void): Promise<number> {
  const p = parseArgs(argv, VALUED, SWITCHES);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  const core = new Core({ platform: { carrier: 'web' } });
  try {
    switch (sub) {
      case 'train': {
        const d = defaultVaeTrain();
        const hidden = list(p, 'hidden', d.hidden);
        await runJob(core, 'vae.train', {
          source: source(p),
          arch: choice(p, 'arch', d.arch, ['mlp', 'conv'] as const),
          hidden,
          latent: num(p, 'latent', d.latent),
          decoder: choice(p, 'decoder', d.decoder, ['bernoulli', 'gaussian'] as const),
          gaussianSigma: d.gaussianSigma,
          beta: num(p, 'beta', d.beta),
          learningRate: num(p, 'lr', d.learningRate),
          batchSize: num(p, 'batch', d.batchSize),
          epochs: num(p, 'epochs', d.epochs),
          trainSize: num(p, 'train-size', d.trainSize),
          seed: num(p, 'seed', d.seed),
        });
        const r = core.session.labs.vae.result!;
        const outPath = p.flags.get('out');
        if (typeof outPath === 'string') await core.call('session.save', { path: outPath });
        out({
          test_neg_elbo: r.testNegElbo,
          epochs: r.epochs.map((e) => ({ epoch: e.epoch, test_neg_elbo: e.testNegElbo, test_rec: e.testRec, test_kl: e.testKl, train_loss: e.trainLoss })),
          ...(typeof outPath === 'string' ? { session: core.session.view().path } : {}),
        });
        return 0;
      }
      case 'recall': {
        const file = p.flags.get('session');
        if (typeof file !== 'string') throw invalid('--session F.kairo is required');
        await core.call('session.open', { path: file });
        const d = defaultRecall();
        await runJob(core, 'vae.recall', {
          start: choice(p, 'start', d.start, ['gaussian', 'saltpepper', 'pure'] as const),
          noise: [num(p, 'noise', 0)],
          samples: num(p, 'samples', d.samples),
          iterations: num(p, 'iterations', d.iterations),
          mode: choice(p, 'mode', d.mode, ['mean', 'sample'] as const),
          strips: p.flags.has('save') ? d.strips : 0,
          seed: num(p, 'seed', d.seed),
        });
        // The run just made is the newest one.
        const run = core.session.labs.vae.runs.at(-1)!;
        if (p.flags.has('save')) await core.call('session.save', { path: null });
        out({
          noise: run.noise,
          iterations: run.points.map((q) => ({
            t: q.t,
            mean_dist_own: q.meanDistOwn,
            mean_cos_own: q.meanCosOwn,
            frac_nearest_own: q.fracNearestOwn,
            spread: q.spread,
            nearest_histogram: q.nearestHistogram,
          })),
        });
        return 0;
      }
      case 'sweep': {
        const d = defaultSweep();
        await runJob(core, 'vae.sweep', {
          source: source(p),
          latents: list(p, 'latents', d.latents),
          noise: list(p, 'noise', d.noise),
          hidden: list(p, 'hidden', d.hidden),
          epochs: num(p, 'epochs', d.epochs),
          trainSize: num(p, 'train-size', d.trainSize),
          samples: num(p, 'samples', d.samples),
          iterations: num(p, 'iterations', d.iterations),
          seed: num(p, 'seed', d.seed),
        });
        const s = core.session.labs.vae.sweep!;
        out({
          cells: s.cells.map((c) => ({
            latent: c.latent,
            noise: c.noise,
            dist_start: c.distStart,
            dist_end: c.distEnd,
            frac_nearest_own_start: c.fracStart,
            frac_nearest_own_end: c.fracEnd,
            t90: c.t90,
            test_neg_elbo: c.testNegElbo,
          })),
        });
        return 0;
      }
      default:
        throw invalid(`unknown vae command ${JSON.stringify(sub ?? '')}; try train, recall or sweep`);
    }
  } finally {
    await core.shutdown();
  }
}
