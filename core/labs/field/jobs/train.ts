// Training one field network in a worker: its curves, the kernel regime's laziness and the
// linearised prediction beside it.
import { type FieldTrainParams, type FieldTrainResult } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { parseOrThrow } from '../../../validate.ts';
import { trainSchema } from '../state.ts';
import { loadData, accuracy, trainField } from './network.ts';

export async function runFieldTrain(raw: FieldTrainParams, ctx: JobContext): Promise<JobOutput<'field.train'>> {
  const p = parseOrThrow(trainSchema, raw, 'field.train');
  const d = loadData(p);
  const t = await trainField(p, d, ctx, (step) => ctx.progress({ step, totalSteps: p.steps, samples: step * d.n }));
  try {
    const tensors: Record<string, NamedTensor> = {};
    for (const [name, w] of Object.entries(await t.net.read()))
      tensors[`field.model.${name}`] = { dtype: 'F32', shape: w.shape, data: w.data };
    const result: FieldTrainResult = {
      params: p,
      lambdaMax: t.lambdaMax,
      eta: t.eta,
      trainLoss: t.trainLoss,
      ntkLoss: t.ntkLoss.slice(0, t.trainLoss.length),
      trainAccuracy: await accuracy(t.net, d.X, d.labels, d.n, d.D),
      testAccuracy: await accuracy(t.net, d.Xt, d.labelsT, d.nt, d.D),
      laziness: t.laziness,
      functionGap: Number.isFinite(t.functionGap) ? t.functionGap : null,
      kernel: t.fullKernel ? 'full' : 'output-averaged',
      stepsDone: t.stepsDone,
      partial: t.stepsDone < p.steps,
      tensors: Object.keys(tensors),
      sharpness: t.sharpness,
    };
    return { result, tensors };
  } finally {
    t.net.dispose();
  }
}
