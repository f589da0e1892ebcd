// Training a small classifier under an augmentation policy (Takase, Karakida & Asoh 2021): none
// (NA), every sample (CA), the samples whose current loss is above a threshold (self-paced, SPA),
// or RandAugment-style draws. Policies share everything else for a given seed: the initial weights
// (drawn here from the seed, not by tfjs), the order of the batches, and the augmentation random
// stream, which draws for a sample only when it is augmented (so SPA with every sample above the
// threshold is CA exactly, and with none NA exactly: the tests check both).
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../common/rng.ts';
import { Adam } from '../common/adam.ts';
import { augment, randAugment, selfPacedMask, type Augmentation, type Image, type Threshold } from './augment.ts';

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

/** Cross-entropy of each sample, in nats, without updating anything. */
export function perSampleLoss(m: Classifier, x: Float32Array, labels: Int32Array): Float32Array {
  return tf.tidy(() => {
    const n = labels.length;
    const logp = tf.logSoftmax(m.logits(tf.tensor2d(x, [n, m.spec.h * m.spec.w])));
    return tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), m.spec.classes), logp), 1)).dataSync() as Float32Array;
  });
}

export interface PolicyRun {
  policy: Policy;
  augmentations: readonly Augmentation[];
  /** Strength in [0, 1] (augment.ts says what it means for each operation). */
  strength: number;
  threshold: Threshold;
  /** RandAugment: operations drawn per sample. */
  randOps: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  /** Fraction of the epoch's samples that were augmented. */
  augmented: number;
}

export interface PolicyResult {
  curve: EpochPoint[];
  /** How many times each training sample was augmented. */
  timesAugmented: Int32Array;
  /** Each training sample's loss after the last epoch. */
  finalLosses: Float32Array;
  seconds: number;
}

function evaluate(m: Classifier, x: Float32Array, labels: Int32Array): { loss: number; accuracy: number } {
  const n = labels.length;
  const D = m.spec.h * m.spec.w;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i += 500) {
    const k = Math.min(500, n - i);
    const [l, c] = tf.tidy(() => {
      const logits = m.logits(tf.tensor2d(x.subarray(i * D, (i + k) * D), [k, D]));
      const y = tf.tensor1d(labels.subarray(i, i + k), 'int32');
      const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(y, m.spec.classes), tf.logSoftmax(logits)), 1));
      return [tf.sum(ce).dataSync()[0]!, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')).dataSync()[0]!];
    });
    loss += l;
    correct += c;
  }
  return { loss: loss / n, accuracy: correct / n };
}

/** Trains one classifier from the seed's initial weights under a policy; the test set is never augmented. */
export function trainPolicy(
  spec: ClassifierSpec,
  run: PolicyRun,
  train: { x: Float32Array; labels: Int32Array },
  test: { x: Float32Array; labels: Int32Array },
  opts: { cancelled?: () => boolean; onEpoch?: (p: EpochPoint) => void } = {},
): PolicyResult {
  const t0 = Date.now();
  const D = spec.h * spec.w;
  const n = train.labels.length;
  const m = createClassifier(spec, run.seed);
  const opt = new Adam(run.learningRate);
  const order = mulberry32(run.seed + 1);
  const augRand = mulberry32(run.seed + 2);
  const timesAugmented = new Int32Array(n);
  const curve: EpochPoint[] = [];
  try {
    for (let epoch = 1; epoch <= run.epochs; epoch++) {
      if (opts.cancelled?.()) break;
      const perm = permutation(n, order);
      let lossSum = 0;
      let augmented = 0;
      for (let s = 0; s < n; s += run.batchSize) {
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
              ? selfPacedMask(perSampleLoss(m, xb, yb), run.threshold)
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
        lossSum += cost.dataSync()[0]! * k;
        cost.dispose();
      }
      const t = evaluate(m, test.x, test.labels);
      const p = { epoch, trainLoss: lossSum / n, testLoss: t.loss, testAccuracy: t.accuracy, augmented: augmented / n };
      curve.push(p);
      opts.onEpoch?.(p);
    }
    return { curve, timesAugmented, finalLosses: perSampleLoss(m, train.x, train.labels), seconds: (Date.now() - t0) / 1000 };
  } finally {
    opt.dispose();
    m.dispose();
  }
}
