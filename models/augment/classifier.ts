// The classifiers the augmentation lab trains: Kairo's small CNN and MLP (He-normal weights from the
// seed) and the SPA authors' batch-norm CNN (PyTorch's initialisation, running statistics), and the
// per-sample cross-entropy SPA decides by. Weights are drawn here from the seed, not by tfjs, so the
// same seed gives the same network on every backend.
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../common/rng.ts';
import { oneHot } from './batch.ts';

export interface ClassifierSpec {
  arch: 'cnn' | 'mlp' | 'bn-cnn';
  h: number;
  w: number;
  classes: number;
}

export interface Classifier {
  spec: ClassifierSpec;
  /** The trained parameters. */
  vars: tf.Variable[];
  /** Batch norm's running means and variances (empty without batch norm): state, not trained. */
  state: tf.Variable[];
  /**
   * Logits [n, classes] for images [n, h·w]. With `training`, batch norm normalises by the batch's own statistics
   * and moves its running ones (PyTorch's train mode, momentum 0.1); otherwise it uses the running ones.
   */
  logits(x: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  dispose(): void;
}

/** The batch-norm CNN's smallest image side: two valid 3×3 convolutions, a pool, two more and a pool. */
export const BN_CNN_MIN_SIDE = 16;

/**
 * The authors' CNN (models/cnn.py of takaset16/selfpaced-augmentation): conv 3×3·32 → BN → ReLU → conv 3×3·32 →
 * pool 2 → BN → ReLU → conv 3×3·64 → BN → ReLU → conv 3×3·64 → pool 2 → BN → ReLU → linear, valid convolutions
 * with biases; PyTorch's default initialisation (weights and biases uniform in ±1/√fan-in), BN scale 1, shift 0,
 * ε = 10⁻⁵, running statistics with momentum 0.1 (the variance's unbiased).
 */
function bnCnn(spec: ClassifierSpec, rand: () => number): Classifier {
  const { h, w, classes } = spec;
  const uniform = (shape: number[], fanIn: number) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * rand() - 1) / Math.sqrt(fanIn)),
          shape,
        ),
      ),
    );
  const side = (n: number) => Math.floor((Math.floor((n - 4) / 2) - 4) / 2);
  const flat = side(h) * side(w) * 64;
  const convs = [
    [1, 32],
    [32, 32],
    [32, 64],
    [64, 64],
  ].map(([cin, cout]) => ({ K: uniform([3, 3, cin!, cout!], 9 * cin!), c: uniform([cout!], 9 * cin!) }));
  const bns = convs.map(({ c }) => {
    const n = c.shape[0]!;
    return tf.tidy(() => ({
      gamma: tf.variable(tf.ones([n])),
      beta: tf.variable(tf.zeros([n])),
      mean: tf.variable(tf.zeros([n]), false),
      variance: tf.variable(tf.ones([n]), false),
    }));
  });
  const W = uniform([flat, classes], flat);
  const b = uniform([classes], flat);
  const vars = [...convs.flatMap(({ K, c }, i) => [K, c, bns[i]!.gamma, bns[i]!.beta]), W, b];
  const state = bns.flatMap((s) => [s.mean, s.variance]);
  const norm = (x: tf.Tensor4D, i: number, training: boolean) => {
    const s = bns[i]!;
    let mean: tf.Tensor = s.mean;
    let variance: tf.Tensor = s.variance;
    if (training) {
      const m = tf.moments(x, [0, 1, 2]);
      mean = m.mean;
      variance = m.variance;
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      s.mean.assign(tf.add(tf.mul(s.mean, 0.9), tf.mul(m.mean, 0.1)));
      s.variance.assign(tf.add(tf.mul(s.variance, 0.9), tf.mul(m.variance, (0.1 * n) / Math.max(1, n - 1))));
    }
    // Written out rather than tf.batchNorm so that the gradient flows through the batch's mean and variance.
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), s.gamma), s.beta) as tf.Tensor4D;
  };
  const conv = (x: tf.Tensor4D, i: number) =>
    tf.add(tf.conv2d(x, convs[i]!.K as tf.Tensor4D, 1, 'valid'), convs[i]!.c) as tf.Tensor4D;
  const pool = (x: tf.Tensor4D) => tf.maxPool(x, 2, 2, 'valid');
  return {
    spec,
    vars,
    state,
    logits: (x, training = false) => {
      let y = tf.reshape(x, [-1, h, w, 1]) as tf.Tensor4D;
      y = tf.relu(norm(conv(y, 0), 0, training));
      y = tf.relu(norm(pool(conv(y, 1)), 1, training));
      y = tf.relu(norm(conv(y, 2), 2, training));
      y = tf.relu(norm(pool(conv(y, 3)), 3, training));
      return tf.add(tf.matMul(tf.reshape(y, [-1, flat]) as tf.Tensor2D, W as tf.Tensor2D), b) as tf.Tensor2D;
    },
    dispose: () => [...vars, ...state].forEach((v) => v.dispose()),
  };
}

/** He-normal weights from the seed (same numbers on every backend), zero biases; the BN CNN as PyTorch initialises it. */
export function createClassifier(spec: ClassifierSpec, seed: number): Classifier {
  const rand = mulberry32(seed);
  if (spec.arch === 'bn-cnn') return bnCnn(spec, rand);
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
      state: [],
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
    state: [],
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
export async function take(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Labels as rows of class probabilities: class indices become one-hot rows, soft rows are kept. */
const softOf = (labels: Int32Array | Float32Array, classes: number) =>
  labels instanceof Int32Array ? oneHot(labels, classes) : labels;

/**
 * Cross-entropy of each sample, in nats, against class indices or soft labels [n, classes], without a gradient
 * step. With `training` a batch-norm network normalises by the batch and moves its running statistics, as the
 * authors' SPA pass does (PyTorch's train mode); the weights never change.
 */
export function perSampleLoss(
  m: Classifier,
  x: Float32Array,
  labels: Int32Array | Float32Array,
  training = false,
): Promise<Float32Array> {
  const C = m.spec.classes;
  const y = softOf(labels, C);
  const n = y.length / C;
  return take(
    tf.tidy(() => {
      const logp = tf.logSoftmax(m.logits(tf.tensor2d(x, [n, m.spec.h * m.spec.w]), training));
      return tf.neg(tf.sum(tf.mul(tf.tensor2d(y, [n, C]), logp), 1));
    }),
  );
}
