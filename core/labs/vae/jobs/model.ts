// What the VAE lab's jobs share, in their worker: the data prepared for a model, the training
// loop, evaluation and previews, the concept vectors and hierarchy, and one recall run.
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../../../../models/common/rng.ts';
import {
  conceptVectors,
  curveMinimum,
  encodeMeans,
  hierarchyCentres,
  levelMetrics,
  normalised,
  pairDistanceSums,
  projectionAxes,
  recallMetrics,
  recallTrajectory,
  type LevelRefs,
} from '../../../../models/vae/recall.ts';
import { createVae, evaluateElbo, initialTensors, normalNoise, trainStep, type Vae } from '../../../../models/vae/vae.ts';
import { parameterShapes, type VaeConfig } from '../../../../models/vae/shapes.ts';
import type {
  DatasetSource,
  EncodedArray,
  RecallLevel,
  RecallParams,
  RecallPoint,
  VaeEpochPoint,
  VaeStepPoint,
  VaeTrainParams,
} from '../../../contract.ts';
import { getDataset, pixelRows, type Dataset } from '../../../data/datasets.ts';
import type { LabelledImages } from '../../../data/idx.ts';
import { LossWatch, invalid } from '../../../errors.ts';
import type { JobContext } from '../../../jobs/types.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { warmTensor } from '../../kit/warm-start.ts';
import { encodeU8, pixelsToBytes } from '../../../session/encode.ts';
import { Adam } from '../../../../models/common/adam.ts';
import { configOf, trainingOrder } from '../config.ts';

export const MODEL_PREFIX = 'vae.model.';

export const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

async function evaluateSplit(
  vae: Vae,
  split: LabelledImages,
  count: number,
  seed: number,
): Promise<{ negElbo: number; rec: number; kl: number }> {
  const rand = mulberry32(seed);
  let s = { negElbo: 0, rec: 0, kl: 0 };
  for (let start = 0; start < count; start += 1000) {
    const m = Math.min(1000, count - start);
    const e = await evaluateElbo(vae, pixelRows(split, range(start, start + m)), m, rand);
    s = { negElbo: s.negElbo + e.negElbo * m, rec: s.rec + e.rec * m, kl: s.kl + e.kl * m };
  }
  return { negElbo: s.negElbo / count, rec: s.rec / count, kl: s.kl / count };
}

/** Eight test images beside their reconstructions (decoder means of the encoder means), and 16 prior samples' decoder means. */
export async function previewImages(
  vae: Vae,
  split: LabelledImages,
  seed: number,
): Promise<{ reconstructions: EncodedArray; samples: EncodedArray }> {
  const [h, w] = vae.config.inputShape;
  const D = h * w;
  const X = pixelRows(split, range(0, Math.min(8, split.count)));
  const n = X.length / D;
  const rec = tf.tidy(() => vae.decodeMean(vae.encode(tf.tensor2d(X, [n, D])).mu));
  const recs = await rec.data();
  const both = new Float32Array(2 * n * D);
  both.set(X, 0);
  both.set(recs, n * D);
  const z = normalNoise(16, vae.config.latent, mulberry32(seed));
  const smp = vae.decodeMean(z);
  const samples = encodeU8([16, h, w], pixelsToBytes(await smp.data()));
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

export function prepare(p: { source: VaeTrainParams['source']; trainSize: number; seed: number }): Prepared {
  const ds = getDataset(p.source);
  const order = trainingOrder(ds.train.count, p);
  return { ds, order, n: order.length, test: ds.test, classes: Math.max(ds.train.classes, ds.test?.classes ?? 0) };
}

interface Trained {
  vae: Vae;
  steps: VaeStepPoint[];
  epochs: VaeEpochPoint[];
  stepsDone: number;
  totalSteps: number;
}

/** The weights a warm start continues from: the lab's model, handed over by the job's `prepare`. */
const warmWeights = (cfg: VaeConfig, tensors: Record<string, NamedTensor>): Record<string, ArrayLike<number>> =>
  Object.fromEntries(parameterShapes(cfg).map(([name, shape]) => [name, warmTensor(tensors, MODEL_PREFIX + name, shape, name)]));

/** The training loop shared by the training job and the sweep. */
export async function trainLoop(
  params: VaeTrainParams,
  prep: Prepared,
  ctx: JobContext,
  opts: { testCount: number; previews: boolean; stepOffset?: number; stepTotal?: number },
): Promise<Trained> {
  const { ds, order, n } = prep;
  const shape = ds.train.shape;
  const cfg = configOf(params, shape);
  const rand = mulberry32(params.seed ^ 0x9e3779b9);
  // Drawn even for a warm start, so the data order and noise that follow are the seed's as in a fresh run.
  const fresh = initialTensors(cfg, rand);
  const vae = createVae(cfg, params.warmStart ? warmWeights(cfg, ctx.inputs.tensors) : fresh);
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
    const watch = new LossWatch('the training loss');
    outer: for (let epoch = 0; epoch < params.epochs; epoch++) {
      const perm = permutation(n, rand);
      let sum = 0;
      let count = 0;
      for (let s = 0; s < perEpoch; s++) {
        if (ctx.cancelled()) break outer;
        const idx = Array.from(perm.subarray(s * batch, Math.min(n, (s + 1) * batch)), (i) => order[i]!);
        pixelRows(ds.train, idx, xb);
        const x = tf.tensor2d(xb.subarray(0, idx.length * D), [idx.length, D]);
        const st = await trainStep(vae, opt, x, rand);
        x.dispose();
        step++;
        watch.check(st.loss, step);
        sum += st.loss * idx.length;
        count += idx.length;
        if (step % every === 0 || step === totalSteps) steps.push({ step, epoch: step / perEpoch, ...st });
        const now = performance.now();
        const preview =
          opts.previews && prep.test && now - lastPreview > 3000
            ? ((lastPreview = now), { kind: 'vae' as const, ...(await previewImages(vae, prep.test, step)) })
            : undefined;
        ctx.progress({
          step: (opts.stepOffset ?? 0) + step,
          totalSteps: opts.stepTotal ?? totalSteps,
          samples: step * batch,
          metrics: {
            loss: st.loss,
            rec: st.rec,
            kl: st.kl,
            ...(epochs.length && epochs.at(-1)!.testNegElbo !== null ? { test_neg_elbo: epochs.at(-1)!.testNegElbo! } : {}),
          },
          preview,
        });
        if (step % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      const t =
        prep.test && opts.testCount > 0
          ? await evaluateSplit(vae, prep.test, Math.min(opts.testCount, prep.test.count), params.seed)
          : null;
      epochs.push({
        epoch: epoch + 1,
        testNegElbo: t?.negElbo ?? null,
        testRec: t?.rec ?? null,
        testKl: t?.kl ?? null,
        trainLoss: sum / count,
      });
      if (opts.previews && prep.test) {
        lastPreview = performance.now();
        ctx.progress({
          step: (opts.stepOffset ?? 0) + step,
          totalSteps: opts.stepTotal ?? totalSteps,
          samples: step * batch,
          metrics: t ? { test_neg_elbo: t.negElbo } : {},
          preview: { kind: 'vae', ...(await previewImages(vae, prep.test, step)) },
        });
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
export async function concepts(
  vae: Vae,
  prep: Prepared,
  cancelled: boolean,
): Promise<{ concepts: Float64Array; counts: number[]; axes: Float64Array; centres: ReturnType<typeof hierarchyCentres> }> {
  const d = vae.config.latent;
  const n = cancelled ? Math.min(prep.n, 5000) : prep.n;
  const labels = Int32Array.from(prep.order.subarray(0, n), (i) => prep.ds.train.labels[i]!);
  const Z = new Float32Array(n * d);
  for (let s = 0; s < n; s += 5000) {
    const idx = prep.order.subarray(s, Math.min(n, s + 5000));
    Z.set(await encodeMeans(vae, pixelRows(prep.ds.train, idx), idx.length), s * d);
  }
  const { concepts: m, counts } = conceptVectors(Z, labels, n, d, prep.classes);
  const centres = hierarchyCentres(m, counts, prep.classes, d, hierarchyOf(prep.ds.source));
  return { concepts: m, counts, axes: projectionAxes(Z, Math.min(n, 10000), d), centres };
}

/** Hierarchical data: G roots of C concepts; image datasets have no level between concept and global. */
export function hierarchyOf(source: DatasetSource): { roots: number; conceptsPerRoot: number } | null {
  return source.kind === 'hierarchical' ? { roots: source.roots, conceptsPerRoot: source.concepts } : null;
}

/**
 * Start patterns: `n` rows of the split in a seeded order, their clean pixels (for the memory
 * codes) and the noisy ones recall starts from; pure noise has no clean start and no concept.
 */
export function startStates(
  split: LabelledImages,
  n: number,
  kind: RecallParams['noiseKind'],
  noise: number,
  rand: () => number,
): { X: Float32Array; clean: Float32Array | null; labels: Int32Array } {
  const D = split.shape[0]! * split.shape[1]!;
  const idx = permutation(split.count, rand).subarray(0, Math.min(n, split.count));
  if (kind === 'pure')
    return {
      X: Float32Array.from({ length: idx.length * D }, () => rand()),
      clean: null,
      labels: new Int32Array(idx.length).fill(-1),
    };
  const clean = pixelRows(split, idx);
  const X = Float32Array.from(clean);
  for (let i = 0; i < X.length; i++) {
    if (kind === 'gaussian') X[i] = Math.min(1, Math.max(0, X[i]! + noise * gaussian(rand)));
    else if (kind === 'bitflip') X[i] = rand() < noise ? 1 - X[i]! : X[i]!;
    else if (rand() < noise) X[i] = rand() < 0.5 ? 0 : 1;
  }
  return { X, clean, labels: Int32Array.from(idx, (i) => split.labels[i]!) };
}

/** The split recall starts from. */
export function startSplit(ds: Dataset, start: RecallParams['start']): LabelledImages {
  if (start === 'train') return ds.train;
  if (!ds.test) throw invalid(`${ds.name} has no held-out split: start recall from its training patterns`);
  return ds.test;
}

export interface RecallRefs {
  concepts: ArrayLike<number>;
  classes: number;
  centres: ReturnType<typeof hierarchyCentres>;
}

/** Recall from one noisy population and its measurements at every step. */
export async function recallOnce(
  vae: Vae,
  split: LabelledImages,
  refs: RecallRefs,
  p: Pick<RecallParams, 'noiseKind' | 'samples' | 'iterations' | 'mode' | 'xMode'>,
  noise: number,
  rand: () => number,
  keep: number,
  ctx?: { cancelled: () => boolean; onStep: (t: number, n: number) => void },
): Promise<{
  Z: Float32Array;
  n: number;
  labels: Int32Array;
  images: Float32Array;
  points: RecallPoint[];
  minima: Record<RecallLevel, ReturnType<typeof curveMinimum>>;
}> {
  const d = vae.config.latent;
  const K = p.iterations;
  const { X, clean, labels } = startStates(split, p.samples, p.noiseKind, noise, rand);
  const n = labels.length;
  const tr = await recallTrajectory(vae, X, n, K, rand, {
    zMode: p.mode,
    xMode: p.xMode,
    keep: range(0, Math.min(keep, n)),
    cancelled: ctx?.cancelled,
    onStep: ctx ? (t) => ctx.onStep(t, n) : undefined,
  });
  const lr: LevelRefs = {
    memory: clean ? await encodeMeans(vae, clean, n) : null,
    labels,
    concepts: refs.concepts,
    classes: refs.classes,
    rootOf: refs.centres.rootOf,
    roots: refs.centres.roots,
    global: refs.centres.global,
  };
  const points: RecallPoint[] = Array.from({ length: K + 1 }, (_, t) => {
    const Zt = tr.Z.subarray(t * n * d, (t + 1) * n * d);
    const pairs = pairDistanceSums(Zt, n, d, labels);
    return { t, ...recallMetrics(Zt, labels, n, d, refs.concepts, refs.classes, pairs), ...levelMetrics(Zt, n, d, lr, pairs) };
  });
  const level = (k: 'distMemory' | 'distConcept' | 'distRoot' | 'distGlobal') =>
    curveMinimum(normalised(points.map((q) => q[k])));
  return {
    Z: tr.Z,
    n,
    labels,
    images: tr.images,
    points,
    minima: { memory: level('distMemory'), concept: level('distConcept'), root: level('distRoot'), global: level('distGlobal') },
  };
}
