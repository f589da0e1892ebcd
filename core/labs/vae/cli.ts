// `kairo vae …`: the VAE lab without a window. The same jobs the UI starts, run to the end.
import type { CliContext, LabCommand } from '../lab.ts';
import {
  HIERARCHICAL_FIELDS,
  RECALL_FIELDS,
  VAE_MNIST_PRESET,
  VAE_PAPER_PRESET,
  VAE_SWEEP_FIELDS,
  VAE_TRAIN_FIELDS,
  type JobKinds,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { defaultHierarchicalSource } from '../data/state.ts';
import { defaultRecall, defaultSweep, defaultVaeTrain, RECALL_STARTS } from './state.ts';
import { choiceFlag, type Parsed, checkOutputFlags } from '../kit/args.ts';
import { flagsOf, readFlags, usageOf } from '../kit/flags.ts';
import { IDX_FLAGS, IDX_USAGE, idxSource } from '../kit/data-source.ts';

export const VAE_USAGE = `  (defaults: the app's "MNIST setting" on images, its "Paper setting" with --data hierarchical)
  vae train ${usageOf(VAE_TRAIN_FIELDS, 12)}
            [--out F.kairo] [--data mnist|hierarchical] ${IDX_USAGE}
            hierarchical data: [${usageOf(HIERARCHICAL_FIELDS, 32)}]
  vae recall --session F.kairo ${usageOf(RECALL_FIELDS, 13, ['strips'])} [--save]
             (one --noise level; --noise-kind defaults to bitflip on hierarchical data, gaussian on images;
             --save keeps the run and ${RECALL_FIELDS.strips.default} image strips in the session)
  vae sweep ${usageOf(VAE_SWEEP_FIELDS, 12)}
            [--data … as for train]`;

const HIERARCHICAL_FLAGS = flagsOf(HIERARCHICAL_FIELDS).valued;
const VALUED = new Set([
  ...flagsOf(VAE_TRAIN_FIELDS).valued,
  ...flagsOf(RECALL_FIELDS).valued,
  ...flagsOf(VAE_SWEEP_FIELDS).valued,
  ...HIERARCHICAL_FLAGS,
  'out',
  'session',
  ...IDX_FLAGS,
  'data',
]);
const SWITCHES = new Set(['save']);
/** What `kairo sweep` may vary (core/cli/commands.ts). */
export const VAE_FLAGS = { subcommands: ['train', 'recall', 'sweep'], valued: VALUED, switches: SWITCHES } as const;

function source(p: Parsed): JobKinds['vae.train']['params']['source'] {
  const data = choiceFlag(p, 'data', 'mnist', ['mnist', 'hierarchical'] as const);
  if (data === 'hierarchical') {
    if (p.flags.has('idx-images') || p.flags.has('idx-labels'))
      throw invalid('--data hierarchical generates its patterns: drop the --idx-* files');
    return { kind: 'hierarchical', ...readFlags(p, HIERARCHICAL_FIELDS, defaultHierarchicalSource()) };
  }
  const stray = HIERARCHICAL_FLAGS.find((f) => p.flags.has(f));
  if (stray) throw invalid(`--${stray} belongs to --data hierarchical`);
  return idxSource(p);
}

export async function vaeCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  checkOutputFlags(p, ['out', 'machine-out']);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  const core = ctx;
  {
    switch (sub) {
      case 'train': {
        // On the hierarchical patterns the defaults are the app's "Paper setting"; on images its "MNIST setting".
        const src = source(p);
        const preset = src.kind === 'hierarchical' ? VAE_PAPER_PRESET.train : VAE_MNIST_PRESET.train;
        await ctx.runJob('vae.train', {
          source: src,
          ...readFlags(p, VAE_TRAIN_FIELDS, { ...defaultVaeTrain(), ...preset, hidden: [...preset.hidden] }),
        });
        const r = core.session.labs.vae.result!;
        const outPath = p.flags.get('out');
        if (typeof outPath === 'string') await ctx.save(outPath);
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
        await ctx.open(file);
        const d = defaultRecall();
        const binary = core.session.labs.vae.result?.params.source.kind === 'hierarchical';
        // Scripts from before the hierarchical data passed the noise kind as --start.
        const legacy = choiceFlag(p, 'start', d.start, [...RECALL_STARTS, 'gaussian', 'saltpepper', 'pure'] as const);
        const isStart = (v: string): v is (typeof RECALL_STARTS)[number] => (RECALL_STARTS as readonly string[]).includes(v);
        if (!isStart(legacy)) p.flags.set('start', 'test');
        const noiseKind = isStart(legacy) ? (binary ? 'bitflip' : 'gaussian') : legacy;
        const preset = binary ? VAE_PAPER_PRESET.recall : VAE_MNIST_PRESET.recall;
        const params = readFlags(p, RECALL_FIELDS, { ...d, ...preset, noiseKind, noise: [0] });
        if (params.noise.length !== 1) throw invalid('--noise takes one level here: run recall once per level');
        await ctx.runJob('vae.recall', { ...params, strips: p.flags.has('save') ? params.strips : 0 });
        // The run just made is the newest one.
        const run = core.session.labs.vae.runs.at(-1)!;
        if (p.flags.has('save')) await ctx.save(null);
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
        const src = source(p);
        const preset =
          src.kind === 'hierarchical'
            ? {
                ...VAE_PAPER_PRESET.sweep,
                hidden: [...VAE_PAPER_PRESET.sweep.hidden],
                latents: [...VAE_PAPER_PRESET.sweep.latents],
                noise: [...VAE_PAPER_PRESET.sweep.noise],
              }
            : {};
        await ctx.runJob('vae.sweep', { source: src, ...readFlags(p, VAE_SWEEP_FIELDS, { ...d, ...preset }) });
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
  }
}

export const command: LabCommand = { usage: VAE_USAGE, ...VAE_FLAGS, run: vaeCli };
