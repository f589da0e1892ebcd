// Repeated inference on the session's model: encode → decode → re-encode from noisy or held-out
// inputs, and where the states go (memory, concept, root, global centre).
import { sessionFlags } from '../../kit/cli.ts';
import type { RecallParams, RecallRunResult } from '../../../contract.ts';
import { RECALL_FIELDS, VAE_MNIST_PRESET, VAE_PAPER_PRESET } from '../../../contract.ts';
import { invalid, KairoError } from '../../../errors.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { choiceFlag } from '../../kit/args.ts';
import { flagNames, readFlags, parseFlagged } from '../../kit/flags.ts';
import { defaultRecall, RECALL_STARTS, recallSchema } from '../state.ts';

/** Recall runs kept per model; older ones (and their tensors) are dropped first. */
export const MAX_RUNS = 16;

const NOISE_NAMES: Record<RecallParams['noiseKind'], (level: number) => string> = {
  bitflip: (v) => `bit flips p = ${v}`,
  gaussian: (v) => `Gaussian σ = ${v}`,
  saltpepper: (v) => `salt-and-pepper p = ${v}`,
  pure: () => 'pure noise',
};

/** A recall job runs one or more noise levels; each keeps its concept-distance curve. */
const summary = (p: RecallParams, runs: RecallRunResult[]): RunSummary => {
  const first = runs[0];
  // The level with its meaning: a probability for bit flips and salt-and-pepper, a standard deviation for Gaussian noise.
  const noise = (r: RecallRunResult) => NOISE_NAMES[p.noiseKind](r.noise);
  const t = (r: RecallRunResult) => r.points.map((p) => p.t);
  return {
    metrics: {
      'min d_concept/d₀': first?.minima.concept?.min,
      'at step': first?.minima.concept?.step,
      'final frac. nearest own': first?.points.at(-1)?.fracNearestOwn,
      'final spread': first?.points.at(-1)?.spread,
    },
    curves: runs.flatMap((r) => [
      curve(
        `distance to concept, ${noise(r)}`,
        'recall step t',
        r.points.map((p) => p.distConcept),
        t(r),
      ),
      curve(
        `distance to memory, ${noise(r)}`,
        'recall step t',
        r.points.map((p) => p.distMemory),
        t(r),
      ),
      curve(
        `fraction nearest own concept, ${noise(r)}`,
        'recall step t',
        r.points.map((p) => p.fracNearestOwn),
        t(r),
      ),
    ]),
  };
};

export const recall = experiment('vae.recall', {
  job: {
    label: 'VAE recall',
    params: recallSchema,
    // A recall runs on the session's model: hand it over now, as it is at the start. While a
    // new VAE trains, that model is about to be replaced (and its runs with it): refuse.
    prepare: (ctx) => {
      if (ctx.active.includes('vae.train'))
        throw new KairoError('invalid_input', 'a VAE is training; run recall when it has finished');
      const lab = ctx.session.labs.vae;
      if (!lab.result) throw invalid('no trained VAE in this session: train one first');
      const tensors = Object.fromEntries(lab.result.tensors.map((n) => [n, ctx.session.tensor(n)!]));
      return { tensors, state: { result: lab.result } };
    },
    handler: async () => (await import('../jobs/recall.ts')).runVaeRecall,
    summary,
    store: (session, o) => {
      const lab = session.labs.vae;
      const runs = [...lab.runs, ...o.result].slice(-MAX_RUNS);
      session.store('vae', { ...lab, runs, recallDraft: o.result[0]?.params ?? lab.recallDraft }, o.tensors);
    },
  },
  cli: {
    sub: 'recall',
    flags: [...flagNames(RECALL_FIELDS), 'session', 'run', 'save'],
    run: async (p, out, ctx) => {
      // --run ID: that run's model instead of the session's current one.
      await sessionFlags(p, ctx, 'vae', { required: true });
      const d = defaultRecall();
      const binary = ctx.session.labs.vae.result?.params.source.kind === 'hierarchical';
      // Scripts from before the hierarchical data passed the noise kind as --start.
      const legacy = choiceFlag(p, 'start', d.start, [...RECALL_STARTS, 'gaussian', 'saltpepper', 'pure'] as const);
      const isStart = (v: string): v is (typeof RECALL_STARTS)[number] => (RECALL_STARTS as readonly string[]).includes(v);
      if (!isStart(legacy)) p.flags.set('start', 'test');
      const noiseKind = isStart(legacy) ? (binary ? 'bitflip' : 'gaussian') : legacy;
      const preset = binary ? VAE_PAPER_PRESET.recall : VAE_MNIST_PRESET.recall;
      const params = readFlags(p, RECALL_FIELDS, { ...d, ...preset, noiseKind, noise: [0] });
      if (params.noise.length !== 1) throw invalid('--noise takes one level here: run recall once per level');
      const checked = parseFlagged(
        recallSchema,
        { ...params, strips: p.flags.has('save') ? params.strips : 0 },
        'vae recall',
        RECALL_FIELDS,
      );
      const { result: runs } = await ctx.runJob('vae.recall', checked);
      // The run just made is the newest one.
      const run = runs.at(-1)!;
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
    },
  },
});
