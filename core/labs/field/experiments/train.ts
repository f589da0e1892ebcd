// Training a field network (a first layer drawn from a random neural field) in the NTK regime:
// its kernel, laziness and accuracy beside the linearised network.
import { saveSession, sessionFlags } from '../../kit/cli.ts';
import type { FieldTrainParams, FieldTrainResult, LabStates } from '../../../contract.ts';
import { FIELD_TRAIN_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import type { Parsed } from '../../kit/args.ts';
import { parseFlagged, readFlags, flagNames } from '../../kit/flags.ts';
import { sharpnessJson, sharpnessSummary } from '../../kit/sharpness.ts';
import { defaultFieldTrain, trainSchema } from '../state.ts';

/** The training the flags describe (the form's defaults where absent). */
export function trainParams(p: Parsed): FieldTrainParams {
  const d = defaultFieldTrain();
  return parseFlagged(trainSchema, { ...readFlags(p, FIELD_TRAIN_FIELDS, d), source: d.source }, 'field', FIELD_TRAIN_FIELDS);
}

const summary = (_p: FieldTrainParams, r: FieldTrainResult): RunSummary => {
  const sharp = sharpnessSummary(r.sharpness);
  return {
    metrics: {
      'test accuracy': r.testAccuracy,
      'train accuracy': r.trainAccuracy,
      'final train loss': r.trainLoss.at(-1),
      laziness: r.laziness,
      'function gap': r.functionGap,
      λ_max: r.lambdaMax,
      ...sharp.metrics,
    },
    curves: [curve('train loss', 'step', r.trainLoss), curve('train loss, NTK prediction', 'step', r.ntkLoss), ...sharp.curves],
  };
};

export const train = experiment('field.train', {
  job: {
    label: 'Train field network (NTK regime)',
    params: trainSchema,
    source: (p) => p.source,
    handler: async () => (await import('../jobs/train.ts')).runFieldTrain,
    summary,
    // Its output is the lab's model: each run keeps it as a checkpoint that can be reopened.
    checkpoint: true,
    store: (session, o) => {
      const lab: LabStates['field'] = { ...session.labs.field, result: o.result, draft: o.result.params };
      session.store('field', lab, o.tensors);
    },
  },
  cli: {
    sub: 'train',
    flags: [...flagNames(FIELD_TRAIN_FIELDS), 'out', 'session'],
    run: async (p, out, ctx) => {
      const params = trainParams(p);
      // --session F: the run (and its checkpoint) joins that session, saved back to F or to --out.
      const file = await sessionFlags(p, ctx, 'field', { required: false, openRun: false });
      const { result: r } = await ctx.runJob('field.train', params);
      const saved = await saveSession(p, ctx, file);
      out({
        lambda_max: r.lambdaMax,
        eta: r.eta,
        kernel: r.kernel,
        train_loss: r.trainLoss,
        ntk_loss: r.ntkLoss,
        laziness: r.laziness,
        function_gap: r.functionGap,
        train_accuracy: r.trainAccuracy,
        test_accuracy: r.testAccuracy,
        ...(r.sharpness ? { sharpness: sharpnessJson(r.sharpness) } : {}),
        ...(saved !== null ? { session: saved } : {}),
      });
      return 0;
    },
  },
});
