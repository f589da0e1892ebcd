// Training a VAE in a worker: the training loop with live image previews, then the test ELBO,
// the concept vectors and the scatter's axes computed at the end.
import { project } from '../../../../models/vae/recall.ts';
import { checkConfig, readWeights } from '../../../../models/vae/vae.ts';
import type { VaeTrainParams, VaeTrainResult } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { parseOrThrow } from '../../../validate.ts';
import { vaeTrainSchema } from '../state.ts';
import { configOf } from '../config.ts';
import { MODEL_PREFIX, previewImages, prepare, trainLoop, concepts, hierarchyOf } from './model.ts';

const projectRows = (M: ArrayLike<number>, rows: number, d: number, axes: ArrayLike<number>): number[][] =>
  Array.from({ length: rows }, (_, k) => {
    const q = project(Array.prototype.slice.call(M, k * d, (k + 1) * d) as number[], 1, d, axes);
    return [q[0]!, q[1]!];
  });

export async function runVaeTrain(raw: VaeTrainParams, ctx: JobContext): Promise<JobOutput<'vae.train'>> {
  const params = parseOrThrow(vaeTrainSchema, raw, 'vae.train');
  const prep = prepare(params);
  try {
    checkConfig(configOf(params, prep.ds.train.shape));
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const t = await trainLoop(params, prep, ctx, { testCount: 10000, previews: true });
  try {
    const shape = prep.ds.train.shape;
    const c = await concepts(t.vae, prep, ctx.cancelled());
    const tensors: Record<string, NamedTensor> = {};
    for (const [name, w] of Object.entries(await readWeights(t.vae)))
      tensors[MODEL_PREFIX + name] = { dtype: 'F32', shape: w.shape, data: w.data };
    tensors['vae.concepts'] = { dtype: 'F32', shape: [prep.classes, params.latent], data: Float32Array.from(c.concepts) };
    tensors['vae.axes'] = { dtype: 'F32', shape: [3, params.latent], data: Float32Array.from(c.axes) };
    if (prep.test) {
      const pv = await previewImages(t.vae, prep.test, 0);
      for (const [k, v] of [
        ['vae.preview.reconstructions', pv.reconstructions],
        ['vae.preview.samples', pv.samples],
      ] as const) {
        tensors[k] = { dtype: 'U8', shape: v.shape, data: new Uint8Array(Buffer.from(v.base64, 'base64')) };
      }
    }
    const result: VaeTrainResult = {
      params,
      steps: t.steps,
      epochs: t.epochs,
      testNegElbo: t.epochs.at(-1)?.testNegElbo ?? null,
      stepsDone: t.stepsDone,
      partial: t.stepsDone < t.totalSteps,
      imageShape: [shape[0]!, shape[1]!],
      classes: prep.classes,
      conceptCounts: c.counts,
      conceptsProjected: projectRows(c.concepts, prep.classes, params.latent, c.axes),
      hierarchy: hierarchyOf(prep.ds.source),
      rootsProjected: c.centres.roots
        ? projectRows(c.centres.roots, c.centres.roots.length / params.latent, params.latent, c.axes)
        : null,
      globalProjected: projectRows(c.centres.global, 1, params.latent, c.axes)[0]!,
      tensors: Object.keys(tensors),
    };
    return { result, tensors };
  } finally {
    t.vae.dispose();
  }
}
