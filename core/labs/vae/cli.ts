// `kairo vae …`: the VAE lab without a window. The same jobs the UI starts, run to the end.
import type { LabCommand } from '../lab.ts';
import { RECALL_MODES, VAE_ARCHS, VAE_DECODERS, type JobKinds } from '../../contract.ts';
import { Core } from '../../core.ts';
import { invalid } from '../../errors.ts';
import { defaultHierarchicalSource } from '../data/state.ts';
import { defaultRecall, defaultSweep, defaultVaeTrain, RECALL_NOISE_KINDS, RECALL_STARTS } from './state.ts';
import { choiceFlag, listFlag, numFlag, parseArgs, type Parsed, checkOutputFlags } from '../../cli/args.ts';
import { runJob } from '../../cli/run-job.ts';

export const VAE_USAGE = `  vae train --latent d --hidden 400 --epochs E [--train-size N] --seed S --out F.kairo
            [--arch mlp|conv] [--decoder bernoulli|gaussian] [--beta B] [--lr X] [--batch N]
            [--data mnist|hierarchical] [--idx-images F --idx-labels F [--idx-test-images F --idx-test-labels F]]
            hierarchical data: [--pattern-dim N] [--roots G] [--concepts C] [--memories S]
            [--test-memories S'] [--bias-concept b1] [--bias-memory b2] [--data-seed S]
  vae recall --session F.kairo --samples N --iterations K --noise p --mode mean|sample --seed S
             [--noise-kind bitflip|gaussian|saltpepper|pure] [--start train|test] [--x-mode mean|sample] [--save]
             (--noise-kind defaults to bitflip on hierarchical data, gaussian on images)
  vae sweep [--latents 2,8,32] [--noise 0,0.3,0.6] [--seeds K] [--epochs E] [--batch N] [--train-size N]
            [--samples N] [--iterations K] [--level-step t] [--noise-kind …] [--start train|test] [--seed S]
            [--data … as for train]`;

const VALUED = new Set([
  'latent',
  'hidden',
  'epochs',
  'train-size',
  'seed',
  'out',
  'arch',
  'decoder',
  'beta',
  'lr',
  'batch',
  'session',
  'samples',
  'iterations',
  'noise',
  'mode',
  'start',
  'latents',
  'idx-images',
  'idx-labels',
  'idx-test-images',
  'idx-test-labels',
  'data',
  'pattern-dim',
  'roots',
  'concepts',
  'memories',
  'test-memories',
  'bias-concept',
  'bias-memory',
  'data-seed',
  'noise-kind',
  'x-mode',
  'seeds',
  'level-step',
]);
const HIERARCHICAL_FLAGS = [
  'pattern-dim',
  'roots',
  'concepts',
  'memories',
  'test-memories',
  'bias-concept',
  'bias-memory',
  'data-seed',
];
const SWITCHES = new Set(['save']);
/** What `kairo sweep` may vary (core/cli/commands.ts). */
export const VAE_FLAGS = { subcommands: ['train', 'recall', 'sweep'], valued: VALUED, switches: SWITCHES } as const;

function source(p: Parsed): JobKinds['vae.train']['params']['source'] {
  const data = choiceFlag(p, 'data', 'mnist', ['mnist', 'hierarchical'] as const);
  if (data === 'hierarchical') {
    if (p.flags.has('idx-images') || p.flags.has('idx-labels'))
      throw invalid('--data hierarchical generates its patterns: drop the --idx-* files');
    const h = defaultHierarchicalSource();
    return {
      kind: 'hierarchical',
      patternDim: numFlag(p, 'pattern-dim', h.patternDim),
      roots: numFlag(p, 'roots', h.roots),
      concepts: numFlag(p, 'concepts', h.concepts),
      memories: numFlag(p, 'memories', h.memories),
      testMemories: numFlag(p, 'test-memories', h.testMemories),
      biasConcept: numFlag(p, 'bias-concept', h.biasConcept),
      biasMemory: numFlag(p, 'bias-memory', h.biasMemory),
      seed: numFlag(p, 'data-seed', h.seed),
    };
  }
  const stray = HIERARCHICAL_FLAGS.find((f) => p.flags.has(f));
  if (stray) throw invalid(`--${stray} belongs to --data hierarchical`);
  const images = p.flags.get('idx-images');
  const labels = p.flags.get('idx-labels');
  if (images === undefined && labels === undefined) return { kind: 'mnist' };
  if (typeof images !== 'string' || typeof labels !== 'string') throw invalid('give both --idx-images and --idx-labels');
  const ti = p.flags.get('idx-test-images');
  const tl = p.flags.get('idx-test-labels');
  return {
    kind: 'idx',
    name: 'IDX dataset',
    trainImages: images,
    trainLabels: labels,
    testImages: typeof ti === 'string' ? ti : null,
    testLabels: typeof tl === 'string' ? tl : null,
  };
}

export async function vaeCli(argv: string[], out: (v: unknown) => void): Promise<number> {
  const p = parseArgs(argv, VALUED, SWITCHES);
  checkOutputFlags(p, ['out', 'machine-out']);
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
          arch: choiceFlag(p, 'arch', d.arch, VAE_ARCHS),
          hidden,
          latent: numFlag(p, 'latent', d.latent),
          decoder: choiceFlag(p, 'decoder', d.decoder, VAE_DECODERS),
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
          epochs: r.epochs.map((e) => ({
            epoch: e.epoch,
            test_neg_elbo: e.testNegElbo,
            test_rec: e.testRec,
            test_kl: e.testKl,
            train_loss: e.trainLoss,
          })),
          ...(typeof outPath === 'string' ? { session: core.session.view().path } : {}),
        });
        return 0;
      }
      case 'recall': {
        const file = p.flags.get('session');
        if (typeof file !== 'string') throw invalid('--session F.kairo is required');
        await core.call('session.open', { path: file });
        const d = defaultRecall();
        const binary = core.session.labs.vae.result?.params.source.kind === 'hierarchical';
        // Scripts from before the hierarchical data passed the noise kind as --start.
        const legacy = choiceFlag(p, 'start', d.start, [...RECALL_STARTS, 'gaussian', 'saltpepper', 'pure'] as const);
        const isStart = (v: string): v is (typeof RECALL_STARTS)[number] => (RECALL_STARTS as readonly string[]).includes(v);
        await runJob(core, 'vae.recall', {
          start: isStart(legacy) ? legacy : 'test',
          noiseKind: choiceFlag(
            p,
            'noise-kind',
            isStart(legacy) ? (binary ? 'bitflip' : 'gaussian') : legacy,
            RECALL_NOISE_KINDS,
          ),
          noise: [numFlag(p, 'noise', 0)],
          samples: numFlag(p, 'samples', d.samples),
          iterations: numFlag(p, 'iterations', d.iterations),
          mode: choiceFlag(p, 'mode', d.mode, RECALL_MODES),
          xMode: choiceFlag(p, 'x-mode', d.xMode, RECALL_MODES),
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
            dist_memory: q.distMemory,
            dist_concept: q.distConcept,
            dist_root: q.distRoot,
            dist_global: q.distGlobal,
            nearest_level: q.nearestLevel,
            within_concept_spread: q.withinConceptSpread,
          })),
          minima: run.minima,
        });
        return 0;
      }
      case 'sweep': {
        const d = defaultSweep();
        await runJob(core, 'vae.sweep', {
          source: source(p),
          latents: listFlag(p, 'latents', d.latents),
          noise: listFlag(p, 'noise', d.noise),
          seeds: numFlag(p, 'seeds', d.seeds),
          hidden: listFlag(p, 'hidden', d.hidden),
          epochs: numFlag(p, 'epochs', d.epochs),
          batchSize: numFlag(p, 'batch', d.batchSize),
          trainSize: numFlag(p, 'train-size', d.trainSize),
          start: choiceFlag(p, 'start', d.start, RECALL_STARTS),
          noiseKind: choiceFlag(
            p,
            'noise-kind',
            p.flags.get('data') === 'hierarchical' ? 'bitflip' : d.noiseKind,
            RECALL_NOISE_KINDS,
          ),
          samples: numFlag(p, 'samples', d.samples),
          iterations: numFlag(p, 'iterations', d.iterations),
          levelStep: numFlag(p, 'level-step', d.levelStep),
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
            min_concept: c.minConcept,
            min_concept_sd: c.minConceptSd,
            min_step: c.minStep,
            nearest_level: c.nearestLevel,
            t90: c.t90,
            test_neg_elbo: c.testNegElbo,
          })),
          level_step: s.params.levelStep,
          seeds: s.params.seeds,
          seconds: s.seconds,
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

export const command: LabCommand = { usage: VAE_USAGE, ...VAE_FLAGS, run: vaeCli };
