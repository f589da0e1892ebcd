// Training a small classifier under an augmentation policy (Takase, Karakida & Asoh 2021): none
// (NA), every sample (CA), the samples whose current loss is above a threshold (self-paced, SPA),
// or RandAugment-style draws. Policies share everything else for a given seed: the initial weights
// (drawn here from the seed, not by tfjs), the order of the batches, and the augmentation random
// stream, which draws for a sample only when it is augmented (so SPA with every sample above the
// threshold is CA exactly, and with none NA exactly: the tests check both).
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../common/rng.ts';
import { Adam } from '../common/adam.ts';
import { augment, randAugment, selfPacedMask, thresholdOf, type Augmentation, type Image, type Threshold } from './augment.ts';

export type Policy = 'none' | 'conventional' | 'self-paced' | 'rand';

export interface ClassifierSpec {
  arch: 'cnn' | 'mlp';
  h: number;
  w: number;
  classes: number;
}

export interface Classifier {
  spec: ClassifierSpec;
  vars: tf.Variable[];
  /** Logits [n, classes] for images [n, h·w]. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** He-normal weights from the seed (same numbers on every backend), zero biases. */
export function createClassifier(spec: ClassifierSpec, seed: number): Classifier {
  const rand = mulberry32(seed);
  // Inside tidy: the initial values are freed, the variables keep their own copies.
  const he = (shape: number[], fanIn: number) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gaussian(rand) * Math.sqrt(2 / fanIn)),
          shape,
        ),
      ),
    );
  const zeros = (n: number) => tf.tidy(() => tf.variable(tf.zeros([n])));
  const { h, w, classes } = spec;
  if (spec.arch === 'mlp') {
    const vars = [he([h * w, 256], h * w), zeros(256), he([256, classes], 256), zeros(classes)];
    const [W1, b1, W2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    return {
      spec,
      vars,
      logits: (x) =>
        tf.add(
          tf.matMul(tf.relu(tf.add(tf.matMul(x, W1 as tf.Tensor2D), b1)) as tf.Tensor2D, W2 as tf.Tensor2D),
          b2,
        ) as tf.Tensor2D,
      dispose: () => vars.forEach((v) => v.dispose()),
    };
  }
  // conv3×3·16 → ReLU → pool 2 → conv3×3·32 → ReLU → pool 2 → dense.
  const flat = Math.floor(h / 4) * Math.floor(w / 4) * 32;
  const vars = [
    he([3, 3, 1, 16], 9),
    zeros(16),
    he([3, 3, 16, 32], 9 * 16),
    zeros(32),
    he([flat, classes], flat),
    zeros(classes),
  ];
  const [K1, c1, K2, c2, W, b] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const block = (x: tf.Tensor4D, K: tf.Variable, c: tf.Variable) =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(x, K as tf.Tensor4D, 1, 'same'), c)) as tf.Tensor4D, 2, 2, 'valid');
  return {
    spec,
    vars,
    logits: (x) => {
      const y = block(block(tf.reshape(x, [-1, h, w, 1]), K1, c1), K2, c2);
      return tf.add(tf.matMul(tf.reshape(y, [-1, flat]) as tf.Tensor2D, W as tf.Tensor2D), b) as tf.Tensor2D;
    },
    dispose: () => vars.forEach((v) => v.dispose()),
  };
}

/**
 * Reads a tensor back and frees it. Asynchronous: WebGPU in Node cannot read the GPU synchronously
 * (tfjs's `dataSync` there needs an OffscreenCanvas), so every read of these trainers awaits.
 */
async function take(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Cross-entropy of each sample, in nats, without updating anything. */
export function perSampleLoss(m: Classifier, x: Float32Array, labels: Int32Array): Promise<Float32Array> {
  const n = labels.length;
  return take(
    tf.tidy(() => {
      const logp = tf.logSoftmax(m.logits(tf.tensor2d(x, [n, m.spec.h * m.spec.w])));
      return tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), m.spec.classes), logp), 1));
    }),
  );
}

export interface PolicyRun {
  policy: Policy;
  augmentations: readonly Augmentation[];
  /** Strength in [0, 1] (augment.ts says what it means for each operation). */
  strength: number;
  threshold: Threshold;
  /** SPA's threshold (or q) at the last epoch, reached linearly from `threshold`; null: constant. */
  thresholdEnd: number | null;
  /** RandAugment: operations drawn per sample. */
  randOps: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Training images whose loss instability is measured after every epoch, and the draws per image. */
  probe?: { indices: ArrayLike<number>; draws: number };
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  /** Fraction of the epoch's samples that were augmented. */
  augmented: number;
  /** SPA's threshold this epoch (nats, or q); null for the other policies. */
  threshold: number | null;
  /** Mean over the probe of the variance over draws of the loss of the input the policy would train on (null: no probe). */
  instability: number | null;
  /** Mean over the probe of (mean over draws of that loss − the clean loss) (null: no probe). */
  lossShift: number | null;
  /** √(mean (ℓ_(s+1) − ℓ_s)²/2) over the epoch's batch losses. */
  stepNoise: number;
}

export interface PolicyResult {
  curve: EpochPoint[];
  /** How many epochs each training sample was augmented in. */
  timesAugmented: Int32Array;
  /** Each training sample's loss after the last epoch (empty when cancelled before it). */
  finalLosses: Float32Array;
  /** Seconds spent in the training steps (SPA's loss pass included, evaluation and probes not). */
  trainSeconds: number;
}

async function evaluate(m: Classifier, x: Float32Array, labels: Int32Array): Promise<{ loss: number; accuracy: number }> {
  const n = labels.length;
  const D = m.spec.h * m.spec.w;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i += 500) {
    const k = Math.min(500, n - i);
    const [l, c] = await take(
      tf.tidy(() => {
        const logits = m.logits(tf.tensor2d(x.subarray(i * D, (i + k) * D), [k, D]));
        const y = tf.tensor1d(labels.subarray(i, i + k), 'int32');
        const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(y, m.spec.classes), tf.logSoftmax(logits)), 1));
        return tf.stack([tf.sum(ce), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))]);
      }),
    );
    loss += l!;
    correct += c!;
  }
  return { loss: loss / n, accuracy: correct / n };
}

/** The threshold of an epoch (1-based): constant, or linear from `threshold` to `thresholdEnd` over the epochs. */
export function thresholdAt(run: Pick<PolicyRun, 'threshold' | 'thresholdEnd' | 'epochs'>, epoch: number): Threshold {
  const t = run.threshold;
  if (run.thresholdEnd === null || run.epochs === 1) return t;
  const f = (epoch - 1) / (run.epochs - 1);
  const from = t.kind === 'fixed' ? t.value : t.q;
  const v = from + f * (run.thresholdEnd - from);
  return t.kind === 'fixed' ? { kind: 'fixed', value: v } : { kind: 'quantile', q: v };
}

/** The input a policy would train on for one image, given the image's current loss and the threshold in nats. */
function policyInput(run: PolicyRun, img: Image, loss: number, thr: number, rand: () => number): Image {
  if (run.policy === 'none' || (run.policy === 'self-paced' && !(loss > thr))) return img;
  return run.policy === 'rand'
    ? randAugment(img, run.augmentations, run.randOps, run.strength, rand)
    : augment(img, run.augmentations, run.strength, rand);
}

/**
 * Loss instability on the probe images at the current weights: for each image, the variance over `draws` draws
 * of the loss of the input the policy would train on (SPA: augmented only above the threshold, a quantile
 * threshold taken over the probe's clean losses), averaged over the images; and the mean shift of that loss
 * above the clean loss. Zero for NA by definition (no draw changes its input).
 */
export async function probeInstability(
  m: Classifier,
  run: PolicyRun,
  threshold: Threshold,
  x: Float32Array,
  labels: Int32Array,
  draws: number,
  rand: () => number,
): Promise<{ instability: number; lossShift: number }> {
  const n = labels.length;
  if (n === 0 || run.policy === 'none') return { instability: 0, lossShift: 0 };
  const D = m.spec.h * m.spec.w;
  const clean = await perSampleLoss(m, x, labels);
  const thr = thresholdOf(clean, threshold);
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  const xr = new Float32Array(n * D);
  for (let r = 0; r < draws; r++) {
    for (let i = 0; i < n; i++) {
      const img: Image = { h: m.spec.h, w: m.spec.w, data: x.subarray(i * D, (i + 1) * D) };
      xr.set(policyInput(run, img, clean[i]!, thr, rand).data, i * D);
    }
    const l = await perSampleLoss(m, xr, labels);
    for (let i = 0; i < n; i++) {
      sum[i]! += l[i]!;
      sq[i]! += l[i]! * l[i]!;
    }
  }
  let inst = 0;
  let shift = 0;
  for (let i = 0; i < n; i++) {
    const mean = sum[i]! / draws;
    // Unbiased variance over the draws; clamped at 0 against rounding.
    inst += Math.max(0, (sq[i]! - draws * mean * mean) / (draws - 1));
    shift += mean - clean[i]!;
  }
  return { instability: inst / n, lossShift: shift / n };
}

/** √(mean of squared successive differences / 2): a fluctuation estimate that ignores a slow trend. */
export function successiveNoise(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  let s = 0;
  for (let i = 1; i < xs.length; i++) s += (xs[i]! - xs[i - 1]!) ** 2;
  return Math.sqrt(s / (2 * (xs.length - 1)));
}

/**
 * One throwaway step of the classifier (loss pass and Adam step on a blank batch): the backend compiles
 * and allocates its kernels here, so the first policy timed is not charged for it.
 */
export async function warmUp(spec: ClassifierSpec, batchSize: number): Promise<void> {
  const n = Math.max(1, Math.min(batchSize, 64));
  await trainPolicy(
    spec,
    {
      policy: 'self-paced',
      augmentations: [],
      strength: 0,
      threshold: { kind: 'fixed', value: Infinity },
      thresholdEnd: null,
      randOps: 1,
      epochs: 1,
      batchSize: n,
      learningRate: 1e-3,
      seed: 0,
    },
    { x: new Float32Array(n * spec.h * spec.w), labels: new Int32Array(n) },
    { x: new Float32Array(spec.h * spec.w), labels: new Int32Array(1) },
  );
}

/** Trains one classifier from the seed's initial weights under a policy; the test set is never augmented. */
export async function trainPolicy(
  spec: ClassifierSpec,
  run: PolicyRun,
  train: { x: Float32Array; labels: Int32Array },
  test: { x: Float32Array; labels: Int32Array },
  opts: { cancelled?: () => boolean; onEpoch?: (p: EpochPoint) => void } = {},
): Promise<PolicyResult> {
  const D = spec.h * spec.w;
  const n = train.labels.length;
  const m = createClassifier(spec, run.seed);
  const opt = new Adam(run.learningRate);
  const order = mulberry32(run.seed + 1);
  const augRand = mulberry32(run.seed + 2);
  // The probe draws from its own stream, so measuring never changes what is trained.
  const probeRand = mulberry32(run.seed + 3);
  const probe = run.probe && run.probe.indices.length > 0 ? run.probe : null;
  const px = probe ? new Float32Array(probe.indices.length * D) : null;
  const py = probe ? Int32Array.from(probe.indices, (i) => train.labels[i]!) : null;
  if (probe) Array.from(probe.indices).forEach((i, j) => px!.set(train.x.subarray(i * D, (i + 1) * D), j * D));
  const timesAugmented = new Int32Array(n);
  const curve: EpochPoint[] = [];
  let trainMs = 0;
  try {
    for (let epoch = 1; epoch <= run.epochs; epoch++) {
      if (opts.cancelled?.()) break;
      const t0 = Date.now();
      const thr = thresholdAt(run, epoch);
      const perm = permutation(n, order);
      let lossSum = 0;
      let augmented = 0;
      const costs: number[] = [];
      for (let s = 0; s < n; s += run.batchSize) {
        // A cancel ends the epoch at once (an epoch on a slow device takes seconds); it is not recorded.
        if (opts.cancelled?.()) break;
        const idx = perm.subarray(s, Math.min(n, s + run.batchSize));
        const k = idx.length;
        const xb = new Float32Array(k * D);
        const yb = new Int32Array(k);
        idx.forEach((i, j) => {
          xb.set(train.x.subarray(i * D, (i + 1) * D), j * D);
          yb[j] = train.labels[i]!;
        });
        // Which samples this step augments: SPA first measures every sample's loss without an update.
        const mask =
          run.policy === 'none'
            ? new Array<boolean>(k).fill(false)
            : run.policy === 'self-paced'
              ? selfPacedMask(await perSampleLoss(m, xb, yb), thr)
              : new Array<boolean>(k).fill(true);
        for (let j = 0; j < k; j++) {
          if (!mask[j]) continue;
          const img: Image = { h: spec.h, w: spec.w, data: xb.subarray(j * D, (j + 1) * D) };
          const out =
            run.policy === 'rand'
              ? randAugment(img, run.augmentations, run.randOps, run.strength, augRand)
              : augment(img, run.augmentations, run.strength, augRand);
          xb.set(out.data, j * D);
          timesAugmented[idx[j]!]!++;
          augmented++;
        }
        const cost = opt.minimize(
          () =>
            tf.tidy(() => {
              const logp = tf.logSoftmax(m.logits(tf.tensor2d(xb, [k, D])));
              return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(yb, 'int32'), spec.classes), logp), 1))) as tf.Scalar;
            }),
          true,
          m.vars,
        )!;
        const c = (await take(cost))[0]!;
        lossSum += c * k;
        costs.push(c);
      }
      trainMs += Date.now() - t0;
      if (opts.cancelled?.()) break;
      const t = await evaluate(m, test.x, test.labels);
      const inst = probe
        ? await probeInstability(m, run, thr, px!, py!, probe.draws, probeRand)
        : { instability: null, lossShift: null };
      const p: EpochPoint = {
        epoch,
        trainLoss: lossSum / n,
        testLoss: t.loss,
        testAccuracy: t.accuracy,
        augmented: augmented / n,
        threshold: run.policy === 'self-paced' ? (thr.kind === 'fixed' ? thr.value : thr.q) : null,
        ...inst,
        stepNoise: successiveNoise(costs),
      };
      curve.push(p);
      opts.onEpoch?.(p);
    }
    // A cancelled run is not kept, so its final losses (a pass over every sample) are not computed.
    const finalLosses = curve.length === run.epochs ? await perSampleLoss(m, train.x, train.labels) : new Float32Array(0);
    return { curve, timesAugmented, finalLosses, trainSeconds: trainMs / 1000 };
  } finally {
    opt.dispose();
    m.dispose();
  }
}
