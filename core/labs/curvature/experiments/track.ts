// Sharpness during training: the Hessian's λ_max every K steps of full-batch gradient descent on
// a fresh MLP of the Fisher lab, beside 2/η.
import {
  CURVATURE_TRACK_FIELDS,
  FISHER_NETWORK_FIELDS,
  type CurvatureTrackParams,
  type CurvatureTrackResult,
} from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, parseFlagged, readFlags } from '../../kit/flags.ts';
import { defaultTrack, trackSchema } from '../state.ts';
import { freshMaxLabel, round } from './common.ts';
import { invalid } from '../../../errors.ts';

const summary = (_p: CurvatureTrackParams, r: CurvatureTrackResult): RunSummary => ({
  metrics: {
    'final λ_max': r.lambdaMax.at(-1),
    'largest λ_max': r.lambdaMax.length ? Math.max(...r.lambdaMax) : null,
    '2/η': r.twoOverLr,
    'final loss': r.losses.at(-1),
    'tracking cost (× GD time)': r.gdSeconds > 0 ? r.trackSeconds / r.gdSeconds : null,
  },
  curves: [curve('λ_max (Hessian)', 'step', r.lambdaMax, r.steps), curve('training loss', 'step', r.losses)],
});

export const track = experiment('curvature.track', {
  job: {
    label: 'Sharpness during training',
    params: trackSchema,
    source: (p) => p.network.source,
    prepare: (_ctx, p) => {
      const top = freshMaxLabel(p.network);
      if (top !== null && top >= p.network.outputs)
        throw invalid(`curvature.track.network.outputs: the labels go up to ${top}: at least ${top + 1} outputs`);
      return undefined;
    },
    handler: async () => (await import('../jobs/track.ts')).runTrack,
    float64: true,
    summary,
    store: (s, o) => s.store('curvature', { ...s.labs.curvature, track: o.result, trackDraft: o.result.params }, {}),
  },
  cli: {
    sub: 'track',
    flags: flagNames(CURVATURE_TRACK_FIELDS, FISHER_NETWORK_FIELDS),
    run: async (p, out, ctx) => {
      const d = defaultTrack();
      // Every network flag at the tracking default (a tanh MLP on 500 images) unless given.
      const params = parseFlagged(
        trackSchema,
        {
          ...readFlags(p, CURVATURE_TRACK_FIELDS, d),
          network: { ...readFlags(p, FISHER_NETWORK_FIELDS, d.network), source: d.network.source },
        },
        'curvature track',
        CURVATURE_TRACK_FIELDS,
        FISHER_NETWORK_FIELDS,
      );
      const { result: r } = await ctx.runJob('curvature.track', params);
      out({
        model: r.model,
        parameters: r.parameters,
        steps: r.steps,
        lambda_max: r.lambdaMax,
        ...(r.trace ? { trace: r.trace } : {}),
        two_over_lr: r.twoOverLr,
        loss: r.steps.map((s) => r.losses[s]!),
        gd_seconds: round(r.gdSeconds, 3),
        track_seconds: round(r.trackSeconds, 3),
        ...(r.partial ? { partial: true } : {}),
      });
      return 0;
    },
  },
});
