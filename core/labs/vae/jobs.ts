// The VAE lab's jobs, run in a worker: training (with live image previews and the concept
// vectors computed at the end), recall runs on the session's model, and the noise × latent
// dimension sweep.
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../../../models/common/rng.ts';
import {
  conceptVectors,
  curveMinimum,
  encodeMeans,
  hierarchyCentres,
  levelMetrics,
  normalised,
  pairDistanceSums,
  project,
  projectionAxes,
  recallMetrics,
  recallTrajectory,
  t90,
  type LevelRefs,
} from '../../../models/vae/recall.ts';
import {
  checkConfig,
  createVae,
  evaluateElbo,
  initialTensors,
  normalNoise,
  readWeights,
  trainStep,
  type Vae,
} from '../../../models/vae/vae.ts';
import type {
  DatasetSource,
  EncodedArray,
  NearestLevel,
  RecallLevel,
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
import { LossWatch, invalid } from '../../errors.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import { encodeU8, pixelsToBytes } from '../../session/encode.ts';
import type { NamedTensor } from '../../session/safetensors.ts';
import { parseOrThrow } from '../../validate.ts';
import { recallSchema, sweepSchema, vaeTrainSchema } from './state.ts';
import { Adam } from '../../../models/common/adam.ts';
import { configOf } from './config.ts';

export const MODEL_PREFIX = 'vae.model.';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

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
async function previewImages(
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
async function trainLoop(
  params: VaeTrainParams,
  prep: Prepared,
  ctx: JobContext,
  opts: { testCount: number; previews: boolean; stepOffset?: number; stepTotal?: number },
): Promise<Trained> {
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
async function concepts(
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

/** The split recall starts from. */
function startSplit(ds: Dataset, start: RecallParams['start']): LabelledImages {
  if (start === 'train') return ds.train;
  if (!ds.test) throw invalid(`${ds.name} has no held-out split: start recall from its training patterns`);
  return ds.test;
}

interface RecallRefs {
  concepts: ArrayLike<number>;
  classes: number;
  centres: ReturnType<typeof hierarchyCentres>;
}

/** Recall from one noisy population and its measurements at every step. */
async function recallOnce(
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

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);

/** Means over seeds of the nearest-level fractions (null where a level is absent). */
function meanLevels(ls: (NearestLevel | null)[]): NearestLevel | null {
  const xs = ls.filter((l): l is NearestLevel => l !== null);
  if (!xs.length) return null;
  const opt = (k: 'memory' | 'root') => (xs.every((l) => l[k] !== null) ? mean(xs.map((l) => l[k]!)) : null);
  return {
    memory: opt('memory'),
    concept: mean(xs.map((l) => l.concept)),
    root: opt('root'),
    global: mean(xs.map((l) => l.global)),
  };
}

export async function runVaeSweep(raw: VaeSweepParams, ctx: JobContext): Promise<JobOutput<'vae.sweep'>> {
  const params = parseOrThrow(sweepSchema, raw, 'vae.sweep');
  const began = performance.now();
  const ds = getDataset(params.source);
  const split = startSplit(ds, params.start);
  const seeds = range(0, params.seeds).map((s) => params.seed + s);
  const n = params.trainSize > 0 ? Math.min(params.trainSize, ds.train.count) : ds.train.count;
  const perModel = Math.ceil(n / Math.min(params.batchSize, n)) * params.epochs;
  const total = perModel * params.latents.length * seeds.length;
  // Per (latent, noise) cell, one entry per seed.
  type Seeded = { pts: RecallPoint[]; min: NonNullable<ReturnType<typeof curveMinimum>>; negElbo: number | null };
  const byCell = new Map<string, Seeded[]>();
  let done = true;
  let model = 0;
  outer: for (const latent of params.latents) {
    for (const seed of seeds) {
      const prep = prepare({ source: params.source, trainSize: params.trainSize, seed });
      const tp: VaeTrainParams = {
        source: params.source,
        arch: 'mlp',
        hidden: params.hidden,
        latent,
        decoder: 'bernoulli',
        gaussianSigma: 0.1,
        beta: 1,
        learningRate: 1e-3,
        batchSize: params.batchSize,
        epochs: params.epochs,
        trainSize: params.trainSize,
        seed,
      };
      const t = await trainLoop(tp, prep, ctx, {
        testCount: 2000,
        previews: false,
        stepOffset: model * perModel,
        stepTotal: total,
      });
      model++;
      try {
        if (ctx.cancelled()) {
          done = false;
          break outer;
        }
        const c = await concepts(t.vae, prep, false);
        const refs: RecallRefs = { concepts: c.concepts, classes: prep.classes, centres: c.centres };
        for (const [k, noise] of params.noise.entries()) {
          const r = await recallOnce(
            t.vae,
            split,
            refs,
            { ...params, mode: 'mean', xMode: 'mean' },
            noise,
            mulberry32(seed + 1000 * k),
            0,
          );
          const min = r.minima.concept;
          if (!min) throw invalid('the sweep needs states with a concept: pure noise has none');
          const key = `${latent}|${noise}`;
          byCell.set(key, [...(byCell.get(key) ?? []), { pts: r.points, min, negElbo: t.epochs.at(-1)?.testNegElbo ?? null }]);
        }
      } finally {
        t.vae.dispose();
      }
      await new Promise((res) => setImmediate(res));
    }
  }
  const cells: VaeSweepCell[] = [];
  for (const latent of params.latents)
    for (const noise of params.noise) {
      const xs = byCell.get(`${latent}|${noise}`);
      if (!xs?.length) continue;
      const at = (q: (p: RecallPoint[]) => number) => mean(xs.map((x) => q(x.pts)));
      const curve = range(0, params.iterations + 1).map((t) => at((p) => p[t]!.distConcept! / p[0]!.distConcept!));
      const elbos = xs.map((x) => x.negElbo).filter((v): v is number => v !== null);
      cells.push({
        latent,
        noise,
        distStart: at((p) => p[0]!.distConcept!),
        distEnd: at((p) => p.at(-1)!.distConcept!),
        fracStart: at((p) => p[0]!.fracNearestOwn!),
        fracEnd: at((p) => p.at(-1)!.fracNearestOwn!),
        minConcept: mean(xs.map((x) => x.min.min)),
        minConceptSd: sd(xs.map((x) => x.min.min)),
        minStep: mean(xs.map((x) => x.min.step)),
        nearestLevel: meanLevels(xs.map((x) => x.pts[params.levelStep]!.nearestLevel)),
        t90: t90(curve),
        testNegElbo: elbos.length ? mean(elbos) : null,
      });
    }
  return { result: { params, cells, partial: !done, seconds: (performance.now() - began) / 1000 }, tensors: {} };
}
