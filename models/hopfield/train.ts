// Training the AttnBM (and the Gaussian–Bernoulli RBM through its mixture form) in
// TensorFlow.js with the exact NLL and its closed-form gradient (see machine.ts for the
// formulas; the tests check this against tfjs autodiff and float64 finite differences).
import * as tf from '@tensorflow/tfjs';
import { HALF_LOG_2PI, rbmStates } from './machine.ts';
import { Adam } from '../common/adam.ts';

export type MachineKind = 'attnbm' | 'gbrbm';

export interface TrainerOptions {
  kind: MachineKind;
  nv: number;
  /** AttnBM: number of hidden states N_h. GB-RBM: number of binary hidden units K (2^K components). */
  hidden: number;
  W0: Float32Array;
  b0: Float32Array;
  c0: Float32Array;
  trainB: boolean;
  trainC: boolean;
  optimizer: 'adam' | 'sgd';
  learningRate: number;
}

export interface Params {
  W: tf.Tensor2D;
  b: tf.Tensor1D;
  c: tf.Tensor1D;
}

let uid = 0;

/** Mixture keys and biases: the AttnBM's own, or every subset sum of the RBM's rows. */
function effective(p: Params, H: tf.Tensor2D | null): { W: tf.Tensor2D; c: tf.Tensor1D } {
  if (!H) return { W: p.W, c: p.c };
  return { W: tf.matMul(H, p.W), c: tf.squeeze(tf.matMul(H, tf.expandDims(p.c, 1)), [1]) as tf.Tensor1D };
}

/** Mean NLL of the rows of V in nats. Differentiable: the tests take its autodiff gradient. */
export function meanNllTensor(p: Params, V: tf.Tensor2D, H: tf.Tensor2D | null = null): tf.Scalar {
  return tf.tidy(() => {
    const { W, c } = effective(p, H);
    const nv = V.shape[1];
    const A = tf.add(tf.matMul(V, W, false, true), c);
    const a = tf.add(tf.add(tf.mul(0.5, tf.sum(tf.square(W), 1)), tf.squeeze(tf.matMul(W, tf.expandDims(p.b, 1)), [1])), c);
    const quad = tf.mul(0.5, tf.sum(tf.square(tf.sub(V, p.b)), 1));
    const perPoint = tf.add(tf.sub(quad, tf.logSumExp(A, 1)), tf.add(tf.logSumExp(a), nv * HALF_LOG_2PI));
    return tf.mean(perPoint) as tf.Scalar;
  });
}

/** Closed-form gradient of meanNllTensor with respect to W, b and c. */
export function nllGradients(
  p: Params,
  V: tf.Tensor2D,
  H: tf.Tensor2D | null = null,
): { loss: tf.Scalar; W: tf.Tensor2D; b: tf.Tensor1D; c: tf.Tensor1D } {
  return tf.tidy(() => {
    const { W, c } = effective(p, H);
    const B = V.shape[0];
    const A = tf.add(tf.matMul(V, W, false, true), c);
    const post = tf.softmax(A);
    const a = tf.add(tf.add(tf.mul(0.5, tf.sum(tf.square(W), 1)), tf.squeeze(tf.matMul(W, tf.expandDims(p.b, 1)), [1])), c);
    const pi = tf.softmax(a);
    const quad = tf.mul(0.5, tf.sum(tf.square(tf.sub(V, p.b)), 1));
    const loss = tf.mean(
      tf.add(tf.sub(quad, tf.logSumExp(A, 1)), tf.add(tf.logSumExp(a), V.shape[1] * HALF_LOG_2PI)),
    ) as tf.Scalar;
    const piCol = tf.expandDims(pi, 1);
    // ∂/∂w_μ = −mean_i p(μ|v_i) v_i + π_μ (w_μ + b)
    const gWeff = tf.add(tf.div(tf.neg(tf.matMul(tf.transpose(post), V)), B), tf.mul(piCol, tf.add(W, p.b))) as tf.Tensor2D;
    const gb = tf.add(tf.sub(p.b, tf.mean(V, 0)), tf.squeeze(tf.matMul(tf.transpose(W), piCol), [1])) as tf.Tensor1D;
    const gceff = tf.sub(pi, tf.mean(post, 0)) as tf.Tensor1D;
    if (!H) return { loss, W: gWeff, b: gb, c: gceff };
    const Ht = tf.transpose(H);
    return { loss, W: tf.matMul(Ht, gWeff), b: gb, c: tf.squeeze(tf.matMul(Ht, tf.expandDims(gceff, 1)), [1]) as tf.Tensor1D };
  });
}

export interface Trainer {
  /** One optimiser step on a batch; returns the batch's mean NLL before the step. */
  step(V: tf.Tensor2D): Promise<number>;
  /** Mean NLL of many rows, in chunks. */
  evaluate(X: Float32Array, n: number): Promise<number>;
  /** Asynchronous reads throughout: WebGPU in Node has no synchronous one. */
  read(): Promise<{ W: Float32Array; b: Float32Array; c: Float32Array }>;
  dispose(): void;
}

export function createTrainer(o: TrainerOptions): Trainer {
  if (o.kind === 'gbrbm') rbmStates(o.hidden); // validates K
  const id = ++uid;
  // Created inside tidy so the initial values are released; the variables keep their data.
  const [W, b, c] = tf.tidy(() => [
    tf.variable(tf.tensor2d(o.W0, [o.hidden, o.nv]), true, `hop${id}.W`),
    tf.variable(tf.tensor1d(o.b0), o.trainB, `hop${id}.b`),
    tf.variable(tf.tensor1d(o.c0), o.trainC, `hop${id}.c`),
  ]) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R1>, tf.Variable<tf.Rank.R1>];
  const H = o.kind === 'gbrbm' ? tf.tensor2d(Float32Array.from(rbmStates(o.hidden)), [1 << o.hidden, o.hidden]) : null;
  const opt = o.optimizer === 'adam' ? new Adam(o.learningRate) : tf.train.sgd(o.learningRate);
  const params: Params = { W, b, c };
  return {
    async step(V) {
      const loss = tf.tidy(() => {
        const g = nllGradients(params, V, H);
        const grads: Record<string, tf.Tensor> = { [W.name]: g.W };
        if (o.trainB) grads[b.name] = g.b;
        if (o.trainC) grads[c.name] = g.c;
        opt.applyGradients(grads as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
        return g.loss;
      });
      const v = (await loss.data())[0]!;
      loss.dispose();
      return v;
    },
    async evaluate(X, n) {
      let s = 0;
      const CH = 500;
      for (let start = 0; start < n; start += CH) {
        const m = Math.min(CH, n - start);
        const t = tf.tidy(() =>
          tf.mul(meanNllTensor(params, tf.tensor2d(X.subarray(start * o.nv, (start + m) * o.nv), [m, o.nv]), H), m),
        );
        s += (await t.data())[0]!;
        t.dispose();
      }
      return s / n;
    },
    async read() {
      return {
        W: Float32Array.from((await W.data()) as Float32Array),
        b: Float32Array.from((await b.data()) as Float32Array),
        c: Float32Array.from((await c.data()) as Float32Array),
      };
    },
    dispose() {
      opt.dispose();
      W.dispose();
      b.dispose();
      c.dispose();
      H?.dispose();
    },
  };
}
