// Recall runs on the session's model, in a worker: encode → decode → re-encode from noisy or
// held-out inputs, one run per noise level.
import { mulberry32 } from '../../../../models/common/rng.ts';
import { hierarchyCentres, project } from '../../../../models/vae/recall.ts';
import { createVae, type Vae } from '../../../../models/vae/vae.ts';
import type { RecallParams, RecallRunResult, VaeTrainResult } from '../../../contract.ts';
import { getDataset } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { pixelsToBytes } from '../../../session/encode.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { parseOrThrow } from '../../../validate.ts';
import { recallSchema } from '../state.ts';
import { configOf } from '../config.ts';
import { MODEL_PREFIX, startSplit, type RecallRefs, recallOnce } from './model.ts';

/** The model stored in the session, rebuilt from the tensors the core handed over. */
export function vaeFromInputs(ctx: JobContext): {
  vae: Vae;
  result: VaeTrainResult;
  conceptsM: Float32Array;
  axes: Float32Array;
} {
  const state = ctx.inputs.state as { result?: VaeTrainResult | null } | null;
  const r = state?.result;
  if (!r) throw invalid('no trained VAE in this session: train one first');
  const cfg = configOf(r.params, r.imageShape);
  const weights = Object.fromEntries(
    Object.entries(ctx.inputs.tensors)
      .filter(([k]) => k.startsWith(MODEL_PREFIX))
      .map(([k, t]) => [k.slice(MODEL_PREFIX.length), t.data]),
  );
  const conceptsT = ctx.inputs.tensors['vae.concepts'];
  const axesT = ctx.inputs.tensors['vae.axes'];
  if (!conceptsT || !axesT) throw invalid('the session lacks the concept vectors of its VAE: train it again');
  return {
    vae: createVae(cfg, weights),
    result: r,
    conceptsM: Float32Array.from(conceptsT.data),
    axes: Float32Array.from(axesT.data),
  };
}

export async function runVaeRecall(raw: RecallParams, ctx: JobContext): Promise<JobOutput<'vae.recall'>> {
  const params = parseOrThrow(recallSchema, raw, 'vae.recall');
  const model = vaeFromInputs(ctx);
  const { vae, conceptsM, axes, result } = model;
  try {
    const ds = getDataset(result.params.source);
    const split = startSplit(ds, params.start);
    const d = vae.config.latent;
    const [h, w] = vae.config.inputShape;
    const K = params.iterations;
    const refs: RecallRefs = {
      concepts: conceptsM,
      classes: result.classes,
      centres: hierarchyCentres(conceptsM, result.conceptCounts, result.classes, d, result.hierarchy),
    };
    const runs: RecallRunResult[] = [];
    const tensors: Record<string, NamedTensor> = {};
    const stamp = Date.now().toString(36);
    const total = params.noise.length * K;
    for (const [k, noise] of params.noise.entries()) {
      if (ctx.cancelled()) break;
      const rand = mulberry32(params.seed + 1000 * k);
      const r = await recallOnce(vae, split, refs, params, noise, rand, params.strips, {
        cancelled: ctx.cancelled,
        onStep: (t, n) => ctx.progress({ step: k * K + t, totalSteps: total, samples: (k * K + t) * n, metrics: { noise } }),
      });
      if (ctx.cancelled()) break;
      const { n } = r;
      const id = `${stamp}-${k}`;
      const proj = new Float32Array((K + 1) * n * 2);
      for (let t = 0; t <= K; t++) proj.set(project(r.Z.subarray(t * n * d, (t + 1) * n * d), n, d, axes), t * n * 2);
      const names = {
        projection: `vae.recall.${id}.projection`,
        labels: `vae.recall.${id}.labels`,
        strips: `vae.recall.${id}.strips`,
      };
      tensors[names.projection] = { dtype: 'F32', shape: [K + 1, n, 2], data: proj };
      tensors[names.labels] = { dtype: 'I32', shape: [n], data: r.labels };
      tensors[names.strips] = { dtype: 'U8', shape: [Math.min(params.strips, n), K + 1, h, w], data: pixelsToBytes(r.images) };
      runs.push({ id, params, noise, points: r.points, minima: r.minima, tensors: names });
      await new Promise((res) => setImmediate(res));
    }
    return { result: runs, tensors };
  } finally {
    vae.dispose();
  }
}
