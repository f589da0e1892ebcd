// The softmax baseline on the Datasets lab's data: how well a linear classifier does, the yardstick
// the other labs' numbers sit beside.
import type { LabStates } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { baselineParamsSchema } from '../state.ts';
import type { BaselineParams, BaselineResult } from '../../../contract.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { sharpnessSummary } from '../../kit/sharpness.ts';
import { warmInputs } from '../../kit/warm-start.ts';

const summary = (_p: BaselineParams, r: BaselineResult): RunSummary => ({
  metrics: {
    'test accuracy': r.testAccuracy,
    'test loss': r.testLoss,
    'final train loss': r.curve.at(-1)?.loss,
    steps: r.stepsDone,
    ...sharpnessSummary(r.sharpness).metrics,
  },
  curves: [
    ...sharpnessSummary(r.sharpness).curves,
    curve(
      'train loss',
      'step',
      r.curve.map((c) => c.loss),
      r.curve.map((c) => c.step),
    ),
    curve(
      'train accuracy',
      'step',
      r.curve.map((c) => c.accuracy),
      r.curve.map((c) => c.step),
    ),
  ],
});

export const baseline = experiment('data.baseline', {
  job: {
    label: 'Softmax baseline',
    params: baselineParamsSchema,
    source: (p) => p.source,
    // A warm start takes the lab's current W and b (the last baseline, or a reopened run) with it.
    prepare: (ctx, p) =>
      p.warmStart ? warmInputs(ctx.session.labs.data.baseline?.tensors ?? null, (n) => ctx.session.tensor(n)) : undefined,
    handler: async () => (await import('../jobs/baseline.ts')).runBaseline,
    summary,
    // Its output is the lab's model: each run keeps it as a checkpoint that can be reopened.
    checkpoint: true,
    store: (session, o) => {
      const lab: LabStates['data'] = { ...session.labs.data, baseline: o.result };
      session.store('data', lab, o.tensors);
    },
  },
});
