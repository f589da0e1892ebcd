// Training a small classifier under an augmentation policy (Takase, Karakida & Asoh 2021): none
// (NA), every sample (CA), the samples whose current loss is at least a threshold (self-paced, SPA),
// or RandAugment-style draws. Policies share everything else for a given seed: the initial weights
// (drawn here from the seed, not by tfjs), the order of the batches, and the augmentation random
// stream, which draws for a sample only when it is augmented (so SPA with every sample above the
// threshold is CA exactly, and with none NA exactly: the tests check both). Two protocols use it:
// Kairo's quick one (small CNN, Adam) and the authors' (batch-norm CNN, SGD with Nesterov momentum,
// weight decay, warm-up and cosine schedule, their augmentations including mixup and RICAP).
import * as tf from '@tensorflow/tfjs';
import { mulberry32, permutation } from '../common/rng.ts';
import { Adam } from '../common/adam.ts';
import { Sgd } from '../common/sgd.ts';
import { selfPacedMask, type Augmentation, type Threshold } from './augment.ts';
import { augmentBatch, oneHot, type Batch, type BatchPolicy } from './batch.ts';
import { createClassifier, perSampleLoss, take, type Classifier, type ClassifierSpec } from './classifier.ts';

export { BN_CNN_MIN_SIDE, createClassifier, perSampleLoss, type Classifier, type ClassifierSpec } from './classifier.ts';

export type Policy = 'none' | 'conventional' | 'self-paced' | 'rand';

export type OptimizerSpec =
  | { kind: 'adam' }
  /** PyTorch's SGD: momentum μ (Nesterov or heavy ball) and weight decay λ added to the gradient. */
  | { kind: 'sgd'; momentum: number; nesterov: boolean; weightDecay: number };

export type LrSchedule =
  | { kind: 'constant' }
  /**
   * The authors' schedule (GradualWarmupScheduler with multiplier 2 around CosineAnnealingLR, T_max = the epochs, stepped
   * once per epoch): η(1 + t/W) for t ≤ W, then 2η(1 + cos(π(t − W)/E))/2, t = epoch − 1; W = 0: η(1 + cos(πt/E))/2.
   */
  | { kind: 'warmup-cosine'; warmupEpochs: number };

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
  /** Adam when absent. */
  optimizer?: OptimizerSpec;
  /** Constant when absent. */
  schedule?: LrSchedule;
  /** The test set is evaluated every this many epochs and after the last (1 when absent). */
  evalEvery?: number;
  seed: number;
  /** Training images whose loss instability is measured after every epoch, and the draws per image. */
  probe?: { indices: ArrayLike<number>; draws: number };
}

/** The learning rate of an epoch (1-based) under the run's schedule. */
export function learningRateAt(run: Pick<PolicyRun, 'learningRate' | 'schedule' | 'epochs'>, epoch: number): number {
  const s = run.schedule ?? { kind: 'constant' };
  const eta = run.learningRate;
  if (s.kind === 'constant') return eta;
  const t = epoch - 1;
  const W = s.warmupEpochs;
  if (W === 0) return (eta * (1 + Math.cos((Math.PI * t) / run.epochs))) / 2;
  if (t <= W) return eta * (1 + t / W);
  return eta * (1 + Math.cos((Math.PI * (t - W)) / run.epochs));
}

/** Whether the test set is evaluated after an epoch. */
export const evaluatedAt = (run: Pick<PolicyRun, 'evalEvery' | 'epochs'>, epoch: number) =>
  epoch === run.epochs || epoch % (run.evalEvery ?? 1) === 0;

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  /** Null in the epochs the test set is not evaluated in (see `evalEvery`). */
  testLoss: number | null;
  testAccuracy: number | null;
  /** The learning rate the epoch trained at. */
  learningRate: number;
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

const batchPolicy = (run: PolicyRun): BatchPolicy => ({
  mode: run.policy === 'rand' ? 'rand' : 'compose',
  ops: run.augmentations,
  strength: run.strength,
  randOps: run.randOps,
});

/** Which samples a policy augments, given their current losses (SPA) and the threshold. */
function policyMask(run: PolicyRun, losses: Float32Array | null, k: number, thr: Threshold): boolean[] {
  if (run.policy === 'none') return new Array<boolean>(k).fill(false);
  if (run.policy === 'self-paced') return selfPacedMask(losses!, thr);
  return new Array<boolean>(k).fill(true);
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
  const clean = await perSampleLoss(m, x, labels);
  // A quantile threshold is taken over the probe's clean losses; the probe is the batch mixing draws partners from.
  const mask = policyMask(run, clean, n, threshold);
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  for (let r = 0; r < draws; r++) {
    const b: Batch = {
      x: Float32Array.from(x),
      y: oneHot(labels, m.spec.classes),
      k: n,
      h: m.spec.h,
      w: m.spec.w,
      classes: m.spec.classes,
    };
    augmentBatch(b, mask, batchPolicy(run), rand);
    const l = await perSampleLoss(m, b.x, b.y);
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
export async function warmUp(spec: ClassifierSpec, batchSize: number, optimizer?: OptimizerSpec): Promise<void> {
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
      ...(optimizer ? { optimizer } : {}),
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
  const o = run.optimizer ?? { kind: 'adam' };
  const opt = o.kind === 'adam' ? new Adam(run.learningRate) : new Sgd(run.learningRate, o.momentum, o.weightDecay, o.nesterov);
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
      const lr = learningRateAt(run, epoch);
      opt.learningRate = lr;
      const perm = permutation(n, order);
      let lossSum = 0;
      let augmented = 0;
      const costs: number[] = [];
      for (let s = 0; s < n; s += run.batchSize) {
        // A cancel ends the epoch at once (an epoch on a slow device takes seconds); it is not recorded.
        if (opts.cancelled?.()) break;
        const idx = perm.subarray(s, Math.min(n, s + run.batchSize));
        const k = idx.length;
        const b: Batch = {
          x: new Float32Array(k * D),
          y: new Float32Array(k * spec.classes),
          k,
          h: spec.h,
          w: spec.w,
          classes: spec.classes,
        };
        idx.forEach((i, j) => {
          b.x.set(train.x.subarray(i * D, (i + 1) * D), j * D);
          b.y[j * spec.classes + train.labels[i]!] = 1;
        });
        // Which samples this step augments: SPA first measures every sample's loss without a step (in training
        // mode, so a batch-norm network normalises by this batch, as the authors' code does).
        const mask = policyMask(run, run.policy === 'self-paced' ? await perSampleLoss(m, b.x, b.y, true) : null, k, thr);
        augmentBatch(b, mask, batchPolicy(run), augRand);
        for (let j = 0; j < k; j++)
          if (mask[j]) {
            timesAugmented[idx[j]!]!++;
            augmented++;
          }
        const cost = opt.minimize(
          () =>
            tf.tidy(() => {
              const logp = tf.logSoftmax(m.logits(tf.tensor2d(b.x, [k, D]), true));
              return tf.neg(tf.mean(tf.sum(tf.mul(tf.tensor2d(b.y, [k, spec.classes]), logp), 1))) as tf.Scalar;
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
      const t = evaluatedAt(run, epoch) ? await evaluate(m, test.x, test.labels) : { loss: null, accuracy: null };
      const inst = probe
        ? await probeInstability(m, run, thr, px!, py!, probe.draws, probeRand)
        : { instability: null, lossShift: null };
      const p: EpochPoint = {
        epoch,
        trainLoss: lossSum / n,
        testLoss: t.loss,
        testAccuracy: t.accuracy,
        learningRate: lr,
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
