// `kairo vae …`: the VAE lab without a window. The same jobs the UI starts, run to the end.
import type { JobKinds } from '../contract.ts';
import { Core } from '../core.ts';
import { invalid } from '../errors.ts';
import { defaultRecall, defaultSweep, defaultVaeTrain } from '../services/vae/state.ts';
import { choiceFlag, listFlag, numFlag, parseArgs, type Parsed } from './args.ts';
import { runJob } from './run-job.ts';

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


function source(p: Parsed): JobKinds['vae.train']['params']['source'] {
  const images = p.flags.get('idx-images');
  const labels = p.flags.get('idx-labels');
  if (images === undefined && labels === undefined) return { kind: 'mnist' };
  if (typeof images !== 'string' || typeof labels !== 'string') throw invalid('give both --idx-images and --idx-labels');
  const ti = p.flags.get('idx-test-images');
  const tl = p.flags.get('idx-test-labels');
  return { kind: 'idx', name: 'IDX dataset', trainImages: images, trainLabels: labels, testImages: typeof ti === 'string' ? ti : null, testLabels: typeof tl === 'string' ? tl : null };
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
        const hidden = listFlag(p, 'hidden', d.hidden);
        await runJob(core, 'vae.train', {
          source: source(p),
          arch: choiceFlag(p, 'arch', d.arch, ['mlp', 'conv'] as const),
          hidden,
          latent: numFlag(p, 'latent', d.latent),
          decoder: choiceFlag(p, 'decoder', d.decoder, ['bernoulli', 'gaussian'] as const),
          gaussianSigma: d.gaussianSigma,
          beta: numFlag(p, 'beta', d.beta),
          learningRate: numFlag(p, 'lr', d.learningRate),
          batchSize: numFlag(p, 'batch', d.batchSize),
          epochs: numFlag(p, 'epochs', d.epochs),
          trainSize: numFlag(p, 'train-size', d.trainSize),
          seed: numFlag(p, 'seed', d.seed),
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
          start: choiceFlag(p, 'start', d.start, ['gaussian', 'saltpepper', 'pure'] as const),
          noise: [numFlag(p, 'noise', 0)],
          samples: numFlag(p, 'samples', d.samples),
          iterations: numFlag(p, 'iterations', d.iterations),
          mode: choiceFlag(p, 'mode', d.mode, ['mean', 'sample'] as const),
          strips: p.flags.has('save') ? d.strips : 0,
          seed: numFlag(p, 'seed', d.seed),
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
          latents: listFlag(p, 'latents', d.latents),
          noise: listFlag(p, 'noise', d.noise),
          hidden: listFlag(p, 'hidden', d.hidden),
          epochs: numFlag(p, 'epochs', d.epochs),
          trainSize: numFlag(p, 'train-size', d.trainSize),
          samples: numFlag(p, 'samples', d.samples),
          iterations: numFlag(p, 'iterations', d.iterations),
          seed: numFlag(p, 'seed', d.seed),
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
