// Multinomial logistic regression: the dataset lab's baseline, and the smallest model that
// exercises the whole training path (batches, progress, cancellation, weights in sessions).
// Gradients are written out in closed form: ∂L/∂W = Xᵀ(P − Y)/B, ∂L/∂b = mean(P − Y).
// Xᵀ is materialised before the product because the WASM backend's transposed matMul is
// an order of magnitude slower than the plain one.
import * as tf from '@tensorflow/tfjs';

export interface SoftmaxModel {
  W: tf.Variable<tf.Rank.R2>;
  b: tf.Variable<tf.Rank.R1>;
  dispose(): void;
}

/** A softmax classifier from zeros, or from given weights (a training that continues). */
export function createSoftmax(inputs: number, classes: number, from?: { W: Float32Array; b: Float32Array }): SoftmaxModel {
  // tidy disposes the initial values; the variables keep their own reference to the data.
  const [W, b] = tf.tidy(() => [
    tf.variable(from ? tf.tensor2d(from.W, [inputs, classes]) : tf.zeros<tf.Rank.R2>([inputs, classes])),
    tf.variable(from ? tf.tensor1d(from.b) : tf.zeros<tf.Rank.R1>([classes])),
  ]) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R1>];
  return { W, b, dispose: () => (W.dispose(), b.dispose()) };
}

export interface BatchStats {
  /** Mean cross-entropy in nats. */
  loss: number;
  accuracy: number;
}

function forward(m: SoftmaxModel, x: tf.Tensor2D, labels: tf.Tensor1D, classes: number) {
  const logits = tf.add(tf.matMul(x, m.W), m.b);
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, classes);
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1)));
  const correct = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
  return { logp, onehot, loss, correct };
}

/** Gradients of the mean cross-entropy, in closed form. */
export function softmaxGradients(m: SoftmaxModel, x: tf.Tensor2D, labels: tf.Tensor1D): { dW: tf.Tensor2D; db: tf.Tensor1D } {
  return tf.tidy(() => {
    const classes = m.b.shape[0];
    const { logp, onehot } = forward(m, x, labels, classes);
    const delta = tf.div(tf.sub(tf.exp(logp), onehot), x.shape[0]) as tf.Tensor2D;
    return { dW: tf.matMul(tf.transpose(x), delta), db: tf.sum(delta, 0) as tf.Tensor1D };
  });
}

/** One SGD step; returns the batch's loss and accuracy before the update. */
export async function sgdStep(m: SoftmaxModel, x: tf.Tensor2D, labels: tf.Tensor1D, learningRate: number): Promise<BatchStats> {
  const [loss, acc] = tf.tidy(() => {
    const { loss, correct } = forward(m, x, labels, m.b.shape[0]);
    const { dW, db } = softmaxGradients(m, x, labels);
    m.W.assign(tf.sub(m.W, tf.mul(dW, learningRate)));
    m.b.assign(tf.sub(m.b, tf.mul(db, learningRate)));
    return [loss, correct];
  });
  // Read asynchronously: WebGPU in Node cannot read the GPU synchronously.
  const out = { loss: (await loss.data())[0]!, accuracy: (await acc.data())[0]! };
  loss.dispose();
  acc.dispose();
  return out;
}

export async function evaluateBatch(m: SoftmaxModel, x: tf.Tensor2D, labels: tf.Tensor1D): Promise<BatchStats> {
  const [loss, acc] = tf.tidy(() => {
    const { loss, correct } = forward(m, x, labels, m.b.shape[0]);
    return [loss, correct];
  });
  // Read asynchronously: WebGPU in Node cannot read the GPU synchronously.
  const out = { loss: (await loss.data())[0]!, accuracy: (await acc.data())[0]! };
  loss.dispose();
  acc.dispose();
  return out;
}
