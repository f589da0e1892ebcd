// The VAE lab's jobs, run in a worker: training (with live image previews and the concept
// vectors computed at the end), recall runs on the session's model, and the noise × latent
// dimension sweep.
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../../../models/common/rng.ts';
import { conceptVectors, encodeMeans, project, projectionAxes, recallMetrics, recallTrajectory } from '../../../models/vae/recall.ts';
import { checkConfig, createVae, evaluateElbo, initialTensors, normalNoise, readWeights, trainStep, type Vae, type VaeConfig } from '../../../models/vae/vae.ts';
import type {
  EncodedArray,
  RecallParams,
  RecallPoint,
  RecallRunResult,
  VaeEpochPoint,
  VaeStepPoint,
  VaeSweepCell,
  VaeSweepParams,
  VaeTrainParams,
  VaeTrainResult,
} from '../../contract.ts';
import { getDataset, pixelRows, type Dataset } from '../../data/datasets.ts';
import type { LabelledImages } from '../../data/idx.ts';
import { invalid } from '../../errors.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import { encodeU8, pixelsToBytes } from '../encode.ts';
import type { NamedTensor } from '../../session/safetensors.ts';
import { parseOrThrow } from '../validate.ts';
import { recallSchema, sweepSchema, vaeTrainSchema } from './state.ts';
import { Adam } from '../../../models/common/adam.ts';

export const MODEL_PREFIX = 'vae.model.';

export function configOf(p: VaeTrainParams, imageShape: number[]): VaeConfig {
  return {
    arch: p.arch,
    inputShape: [imageShape[0]!, imageShape[1]!],
    hidden: p.hidden,
    latent: p.latent,
    decoder: p.decoder,
    gaussianSigma: p.gaussianSigma,
    beta: p.beta,
  };
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

function evaluateSplit(vae: Vae, split: LabelledImages, count: number, seed: number): { negElbo: number; rec: number; kl: number } {
  const rand = mulberry32(seed);
  let s = { negElbo: 0, rec: 0, kl: 0 };
  for (let start = 0; start < count; start += 1000) {
    const m = Math.min(1000, count - start);
    const e = evaluateElbo(vae, pixelRows(split, range(start, start + m)), m, rand);
    s = { negElbo: s.negElbo + e.negElbo * m, rec: s.rec + e.rec * m, kl: s.kl + e.kl * m };
  }
  return { negElbo: s.negElbo / count, rec: s.rec / count, kl: s.kl / count };
}

/** Eight test images beside their reconstructions (decoder means of the encoder means), and 16 prior samples' decoder means. */
function previewImages(vae: Vae, split: LabelledImages, seed: number): { reconstructions: EncodedArray; samples: EncodedArray } {
  const [h, w] = vae.config.inputShape;
  const D = h * w;
  const X = pixelRows(split, range(0, Math.min(8, split.count)));
  const n = X.length / D;
  const rec = tf.tidy(() => vae.decodeMean(vae.encode(tf.tensor2d(X, [n, D])).mu));
  const recs = rec.dataSync();
  const both = new Float32Array(2 * n * D);
  both.set(X, 0);
  both.set(recs, n * D);
  const z = normalNoise(16, vae.config.latent, mulberry32(seed));
  const smp = vae.decodeMean(z);
  const samples = encodeU8([16, h, w], pixelsToBytes(smp.dataSync()));
  tf.dispose([rec, z, smp]);
  return { reconstructions: encodeU8([2 * n, h, w], pixelsToBytes(both)), samples };
}

interface Prepared {
  ds: Dataset;
  order: Uint32Array;
  n: number;
  test: LabelledImages | null;
  classes: number;
}

function prepare(p: { source: VaeTrainParams['source']; trainSize: number; seed: number }): Prepared {
  const ds = getDataset(p.source);
  const n = p.trainSize > 0 ? Math.min(p.trainSize, ds.train.count) : ds.train.count;
  const order = permutation(ds.train.count, mulberry32(p.seed)).slice(0, n);
  return { ds, order, n, test: ds.test, classes: Math.max(ds.train.classes, ds.test?.classes ?? 0) };
}

interface Trained {
  vae: Vae;
  steps: VaeStepPoint[];
  epochs: VaeEpochPoint[];
  stepsDone: number;
  totalSteps: number;
}

/** The training loop shared by the training job and the sweep. */
async function trainLoop(params: VaeTrainParams, prep: Prepared, ctx: JobContext, opts: { testCount: number; previews: boolean; stepOffset?: number; stepTotal?: number }): Promise<Trained> {
  const { ds, order, n } = prep;
  const shape = ds.train.shape;
  const cfg = configOf(params, shape);
  const rand = mulberry32(params.seed ^ 0x9e3779b9);
  const vae = createVae(cfg, initialTensors(cfg, rand));
  const opt = new Adam(params.learningRate);
  const D = shape[0]! * shape[1]!;
  const batch = Math.min(params.batchSize, n);
  const perEpoch = Math.ceil(n / batch);
  const totalSteps = perEpoch * params.epochs;
  const every = Math.max(1, Math.floor(totalSteps / 400));
  const steps: VaeStepPoint[] = [];
  const epochs: VaeEpochPoint[] = [];
  const xb = new Float32Array(batch * D);
  let step = 0;
  let lastPreview = performance.now();
  try {
    outer: for (let epoch = 0; epoch < params.epochs; epoch++) {
      const perm = permutation(n, rand);
      let sum = 0;
      let count = 0;
      for (let s = 0; s < perEpoch; s++) {
        if (ctx.cancelled()) break outer;
        const idx = Array.from(perm.subarray(s * batch, Math.min(n, (s + 1) * batch)), (i) => order[i]!);
        pixelRows(ds.train, idx, xb);
        const x = tf.tensor2d(xb.subarray(0, idx.length * D), [idx.length, D]);
        const st = trainStep(vae, opt, x, rand);
        x.dispose();
        step++;
        sum += st.loss * idx.length;
        count += idx.length;
        if (step % every === 0 || step === totalSteps) steps.push({ step, epoch: step / perEpoch, ...st });
        const now = performance.now();
        const preview = opts.previews && prep.test && now - lastPreview > 3000 ? ((lastPreview = now), { kind: 'vae' as const, ...previewImages(vae, prep.test, step) }) : undefined;
        ctx.progress({
          step: (opts.stepOffset ?? 0) + step,
          totalSteps: opts.stepTotal ?? totalSteps,
          samples: step * batch,
          metrics: { loss: st.loss, rec: st.rec, kl: st.kl, ...(epochs.length && epochs.at(-1)!.testNegElbo !== null ? { test_neg_elbo: epochs.at(-1)!.testNegElbo! } : {}) },
          preview,
        });
        if (step % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      const t = prep.test && opts.testCount > 0 ? evaluateSplit(vae, prep.test, Math.min(opts.testCount, prep.test.count), params.seed) : null;
      epochs.push({ epoch: epoch + 1, testNegElbo: t?.negElbo ?? null, testRec: t?.rec ?? null, testKl: t?.kl ?? null, trainLoss: sum / count });
      if (opts.previews && prep.test) {
        lastPreview = performance.now();
        ctx.progress({ step: (opts.stepOffset ?? 0) + step, totalSteps: opts.stepTotal ?? totalSteps, samples: step * batch, metrics: t ? { test_neg_elbo: t.negElbo } : {}, preview: { kind: 'vae', ...previewImages(vae, prep.test, step) } });
      }
    }
  } finally {
    opt.dispose();
  }
  return { vae, steps, epochs, stepsDone: step, totalSteps };
}

/**
 * Concept vectors from the training images, and the scatter's projection axes. After a cancel
 * only the first 5,000 are used: the worker has under a second before it is stopped.
 */
function concepts(vae: Vae, prep: Prepared, cancelled: boolean): { concepts: Float64Array; counts: number[]; axes: Float64Array } {
  const d = vae.config.latent;
  const n = cancelled ? Math.min(prep.n, 5000) : prep.n;
  const labels = Int32Array.from(prep.order.subarray(0, n), (i) => prep.ds.train.labels[i]!);
  const Z = new Float32Array(n * d);
  for (let s = 0; s < n; s += 5000) {
    const idx = prep.order.subarray(s, Math.min(n, s + 5000));
    Z.set(encodeMeans(vae, pixelRows(prep.ds.train, idx), idx.length), s * d);
  }
  const { concepts: m, counts } = conceptVectors(Z, labels, n, d, prep.classes);
  return { concepts: m, counts, axes: projectionAxes(Z, Math.min(n, 10000), d) };
}

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
    const c = concepts(t.vae, prep, ctx.cancelled());
    const tensors: Record<string, NamedTensor> = {};
    for (const [name, w] of Object.entries(readWeights(t.vae))) tensors[MODEL_PREFIX + name] = { dtype: 'F32', shape: w.shape, data: w.data };
    tensors['vae.concepts'] = { dtype: 'F32', shape: [prep.classes, params.latent], data: Float32Array.from(c.concepts) };
    tensors['vae.axes'] = { dtype: 'F32', shape: [3, params.latent], data: Float32Array.from(c.axes) };
    if (prep.test) {
      const pv = previewImages(t.vae, prep.test, 0);
      for (const [k, v] of [['vae.preview.reconstructions', pv.reconstructions], ['vae.preview.samples', pv.samples]] as const) {
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
      conceptsProjected: Array.from({ length: prep.classes }, (_, k) => {
        const q = project(c.concepts.subarray(k * params.latent, (k + 1) * params.latent), 1, params.latent, c.axes);
        return [q[0]!, q[1]!];
      }),
      tensors: Object.keys(tensors),
    };
    return { result, tensors };
  } finally {
    t.vae.dispose();
  }
}

/** Start images: test images with noise, or pure noise (label −1). */
export function startImages(split: LabelledImages, n: number, start: RecallParams['start'], noise: number, rand: () => number): { X: Float32Array; labels: Int32Array } {
  const D = split.shape[0]! * split.shape[1]!;
  const idx = permutation(split.count, rand).subarray(0, Math.min(n, split.count));
  const X = start === 'pure' ? new Float32Array(idx.length * D) : pixelRows(split, idx);
  const labels = start === 'pure' ? new Int32Array(idx.length).fill(-1) : Int32Array.from(idx, (i) => split.labels[i]!);
  for (let i = 0; i < X.length; i++) {
    if (start === 'pure') X[i] = rand();
    else if (start === 'gaussian') X[i] = Math.min(1, Math.max(0, X[i]! + noise * gaussian(rand)));
    else if (rand() < noise) X[i] = rand() < 0.5 ? 0 : 1;
  }
  return { X, labels };
}

/** The model stored in the session, rebuilt from the tensors the core handed over. */
export function vaeFromInputs(ctx: JobContext): { vae: Vae; params: VaeTrainParams; conceptsM: Float32Array; axes: Float32Array; classes: number } {
  const state = ctx.inputs.state as { result?: VaeTrainResult | null } | null;
  const r = state?.result;
  if (!r) throw invalid('no trained VAE in this session: train one first');
  const cfg = configOf(r.params, r.imageShape);
  const weights = Object.fromEntries(Object.entries(ctx.inputs.tensors).filter(([k]) => k.startsWith(MODEL_PREFIX)).map(([k, t]) => [k.slice(MODEL_PREFIX.length), t.data]));
  const conceptsT = ctx.inputs.tensors['vae.concepts'];
  const axesT = ctx.inputs.tensors['vae.axes'];
  if (!conceptsT || !axesT) throw invalid('the session lacks the concept vectors of its VAE: train it again');
  return { vae: createVae(cfg, weights), params: r.params, conceptsM: Float32Array.from(conceptsT.data), axes: Float32Array.from(axesT.data), classes: r.classes };
}

function pointsOf(Z: Float32Array, labels: Int32Array, n: number, d: number, K: number, m: ArrayLike<number>, classes: number): RecallPoint[] {
  return Array.from({ length: K + 1 }, (_, t) => ({ t, ...recallMetrics(Z.subarray(t * n * d, (t + 1) * n * d), labels, n, d, m, classes) }));
}

export async function runVaeRecall(raw: RecallParams, ctx: JobContext): Promise<JobOutput<'vae.recall'>> {
  const params = parseOrThrow(recallSchema, raw, 'vae.recall');
  const model = vaeFromInputs(ctx);
  const { vae, conceptsM, axes, classes } = model;
  try {
    const ds = getDataset(model.params.source);
    const split = ds.test ?? ds.train;
    const d = vae.config.latent;
    const [h, w] = vae.config.inputShape;
    const K = params.iterations;
    const runs: RecallRunResult[] = [];
    const tensors: Record<string, NamedTensor> = {};
    const stamp = Date.now().toString(36);
    const total = params.noise.length * K;
    for (const [k, noise] of params.noise.entries()) {
      if (ctx.cancelled()) break;
      const rand = mulberry32(params.seed + 1000 * k);
      const { X, labels } = startImages(split, params.samples, params.start, noise, rand);
      const n = labels.length;
      const keep = range(0, Math.min(params.strips, n));
      const tr = recallTrajectory(vae, X, n, K, params.mode, rand, keep, ctx.cancelled, (t) =>
        ctx.progress({ step: k * K + t, totalSteps: total, samples: (k * K + t) * n, metrics: { noise } }),
      );
      if (ctx.cancelled()) break;
      const id = `${stamp}-${k}`;
      const proj = new Float32Array((K + 1) * n * 2);
      for (let t = 0; t <= K; t++) proj.set(project(tr.Z.subarray(t * n * d, (t + 1) * n * d), n, d, axes), t * n * 2);
      const names = { projection: `vae.recall.${id}.projection`, labels: `vae.recall.${id}.labels`, strips: `vae.recall.${id}.strips` };
      tensors[names.projection] = { dtype: 'F32', shape: [K + 1, n, 2], data: proj };
      tensors[names.labels] = { dtype: 'I32', shape: [n], data: labels };
      tensors[names.strips] = { dtype: 'U8', shape: [keep.length, K + 1, h, w], data: pixelsToBytes(tr.images) };
      runs.push({ id, params, noise, points: pointsOf(tr.Z, labels, n, d, K, conceptsM, classes), tensors: names });
      await new Promise((r) => setImmediate(r));
    }
    return { result: runs, tensors };
  } finally {
    vae.dispose();
  }
}

/** First t at which the distance has closed 90 % of its change from t = 0 to t = K. */
export function t90(dist: number[]): number {
  const a = dist[0]!;
  const b = dist.at(-1)!;
  if (Math.abs(b - a) < 1e-12) return 0;
  const target = a + 0.9 * (b - a);
  const i = dist.findIndex((v) => (b < a ? v <= target : v >= target));
  return i < 0 ? dist.length - 1 : i;
}

export async function runVaeSweep(raw: VaeSweepParams, ctx: JobContext): Promise<JobOutput<'vae.sweep'>> {
  const params = parseOrThrow(sweepSchema, raw, 'vae.sweep');
  const cells: VaeSweepCell[] = [];
  const prep = prepare(params);
  const split = prep.test ?? prep.ds.train;
  const perModel = Math.ceil(prep.n / 128) * params.epochs;
  const total = perModel * params.latents.length;
  let done = true;
  for (const [li, latent] of params.latents.entries()) {
    const tp: VaeTrainParams = {
      source: params.source,
      arch: 'mlp',
      hidden: params.hidden,
      latent,
      decoder: 'bernoulli',
      gaussianSigma: 0.1,
      beta: 1,
      learningRate: 1e-3,
      batchSize: 128,
      epochs: params.epochs,
      trainSize: params.trainSize,
      seed: params.seed,
    };
    const t = await trainLoop(tp, prep, ctx, { testCount: 2000, previews: false, stepOffset: li * perModel, stepTotal: total });
    try {
      if (ctx.cancelled()) {
        done = false;
        break;
      }
      const c = concepts(t.vae, prep, false);
      for (const [k, noise] of params.noise.entries()) {
        const rand = mulberry32(params.seed + 1000 * k);
        const { X, labels } = startImages(split, params.samples, 'gaussian', noise, rand);
        const n = labels.length;
        const tr = recallTrajectory(t.vae, X, n, params.iterations, 'mean', rand, []);
        const pts = pointsOf(tr.Z, labels, n, latent, params.iterations, c.concepts, prep.classes);
        cells.push({
          latent,
          noise,
          distStart: pts[0]!.meanDistOwn!,
          distEnd: pts.at(-1)!.meanDistOwn!,
          fracStart: pts[0]!.fracNearestOwn!,
          fracEnd: pts.at(-1)!.fracNearestOwn!,
          t90: t90(pts.map((p) => p.meanDistOwn!)),
          testNegElbo: t.epochs.at(-1)?.testNegElbo ?? null,
        });
      }
    } finally {
      t.vae.dispose();
    }
  }
  return { result: { params, cells, partial: !done }, tensors: {} };
}
