// Training a VAE on the Datasets lab's images or on hierarchical patterns: its curves, test ELBO,
// concept vectors and the model recall runs on.
import { saveSession, sessionFlags } from '../../kit/cli.ts';
import type { VaeTrainParams, VaeTrainResult } from '../../../contract.ts';
import { VAE_MNIST_PRESET, VAE_PAPER_PRESET, VAE_TRAIN_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags, parseFlagged } from '../../kit/flags.ts';
import { defaultVaeTrain, vaeTrainSchema } from '../state.ts';
import { HIERARCHICAL_FLAGS, IDX_FLAGS, source } from './common.ts';
import { sameSetting, warmInputs } from '../../kit/warm-start.ts';

const summary = (_p: VaeTrainParams, r: VaeTrainResult): RunSummary => {
  const ep = r.epochs.map((e) => e.epoch);
  return {
    metrics: {
      'test −ELBO': r.testNegElbo,
      'final train loss': r.steps.at(-1)?.loss,
      'final KL': r.steps.at(-1)?.kl,
      steps: r.stepsDone,
    },
    curves: [
      curve(
        'train loss (nats/image)',
        'step',
        r.steps.map((s) => s.loss),
        r.steps.map((s) => s.step),
      ),
      curve(
        'KL (nats/image)',
        'step',
        r.steps.map((s) => s.kl),
        r.steps.map((s) => s.step),
      ),
      curve(
        'test −ELBO (nats/image)',
        'epoch',
        r.epochs.map((e) => e.testNegElbo),
        ep,
      ),
    ],
  };
};

export const train = experiment('vae.train', {
  job: {
    label: 'Train VAE',
    params: vaeTrainSchema,
    source: (p) => p.source,
    // A warm start takes the lab's current model (the last training, or a reopened run) with it.
    prepare: (ctx, p) => {
      if (!p.warmStart) return undefined;
      const r = ctx.session.labs.vae.result;
      for (const k of ['arch', 'hidden', 'latent', 'decoder'] as const) if (r) sameSetting(k, r.params[k], p[k]);
      return warmInputs(r?.tensors.filter((n) => n.startsWith('vae.model.')) ?? null, (n) => ctx.session.tensor(n));
    },
    handler: async () => (await import('../jobs/train.ts')).runVaeTrain,
    summary,
    // Its output is the lab's model: each run keeps it as a checkpoint that can be reopened.
    checkpoint: true,
    store: (session, o) =>
      // Recall runs belong to the model they ran on: a new model starts with none.
      session.store('vae', { ...session.labs.vae, result: o.result, draft: o.result.params, runs: [] }, o.tensors),
  },
  cli: {
    sub: 'train',
    flags: [...flagNames(VAE_TRAIN_FIELDS), ...HIERARCHICAL_FLAGS, ...IDX_FLAGS, 'data', 'out', 'session', 'run'],
    run: async (p, out, ctx) => {
      // On the hierarchical patterns the defaults are the app's "Paper setting"; on images its "MNIST setting".
      // --session F: the run (and its checkpoint) joins that session, saved back to F or to --out.
      // --run ID (with --session) opens that run's model first: with --warm-start, training continues from it.
      const file = await sessionFlags(p, ctx, 'vae', { required: false });
      const src = source(p);
      const preset = src.kind === 'hierarchical' ? VAE_PAPER_PRESET.train : VAE_MNIST_PRESET.train;
      // Rules between fields name the flag the user typed, not the job's schema path.
      const params = parseFlagged(
        vaeTrainSchema,
        { source: src, ...readFlags(p, VAE_TRAIN_FIELDS, { ...defaultVaeTrain(), ...preset, hidden: [...preset.hidden] }) },
        'vae train',
        VAE_TRAIN_FIELDS,
      );
      const { result: r } = await ctx.runJob('vae.train', params);
      const saved = await saveSession(p, ctx, file);
      out({
        test_neg_elbo: r.testNegElbo,
        epochs: r.epochs.map((e) => ({
          epoch: e.epoch,
          test_neg_elbo: e.testNegElbo,
          test_rec: e.testRec,
          test_kl: e.testKl,
          train_loss: e.trainLoss,
        })),
        ...(saved !== null ? { session: saved } : {}),
      });
      return 0;
    },
  },
});
