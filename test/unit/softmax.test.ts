import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { createSoftmax, evaluateBatch, sgdStep, softmaxGradients } from '../../models/linear/softmax.ts';
import { mulberry32 } from '../../models/common/rng.ts';

before(async () => {
  await initBackend();
});

/** Mean cross-entropy in float64, written independently of the model code. */
function lossF64(W: number[][], b: number[], X: number[][], y: number[]): number {
  let total = 0;
  X.forEach((x, t) => {
    const logits = b.map((bk, k) => bk + x.reduce((s, xi, i) => s + xi * W[i]![k]!, 0));
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0));
    total += lse - logits[y[t]!]!;
  });
  return total / X.length;
}

function setup(seed: number, n = 5, d = 4, c = 3) {
  const r = mulberry32(seed);
  const W = Array.from({ length: d }, () => Array.from({ length: c }, () => r() * 2 - 1));
  const b = Array.from({ length: c }, () => r() - 0.5);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => r() * 2 - 1));
  const y = Array.from({ length: n }, () => Math.floor(r() * c));
  const m = createSoftmax(d, c);
  m.W.assign(tf.tensor2d(W));
  m.b.assign(tf.tensor1d(b));
  return { W, b, X, y, m, x: tf.tensor2d(X), yt: tf.tensor1d(y, 'int32') };
}

test('loss and accuracy match a float64 computation on a hand-sized case', async () => {
  const { W, b, X, y, m, x, yt } = setup(3);
  const s = await evaluateBatch(m, x, yt);
  assert.ok(Math.abs(s.loss - lossF64(W, b, X, y)) < 1e-6);
  m.dispose();
  tf.dispose([x, yt]);
});

test('closed-form gradients match central finite differences and tfjs autodiff', () => {
  for (const [seed, n, d, c] of [
    [1, 1, 1, 2],
    [2, 7, 5, 3],
    [4, 3, 6, 10],
  ] as const) {
    const { W, b, X, y, m, x, yt } = setup(seed, n, d, c);
    const { dW, db } = softmaxGradients(m, x, yt);
    const gW = dW.arraySync();
    const gb = db.arraySync();
    const h = 1e-6;
    for (let i = 0; i < d; i++)
      for (let k = 0; k < c; k++) {
        const Wp = W.map((r) => [...r]);
        const Wm = W.map((r) => [...r]);
        Wp[i]![k]! += h;
        Wm[i]![k]! -= h;
        const fd = (lossF64(Wp, b, X, y) - lossF64(Wm, b, X, y)) / (2 * h);
        assert.ok(Math.abs(gW[i]![k]! - fd) < 1e-5, `dW[${i},${k}] ${gW[i]![k]} vs ${fd}`);
      }
    for (let k = 0; k < c; k++) {
      const bp = [...b];
      const bm = [...b];
      bp[k]! += h;
      bm[k]! -= h;
      assert.ok(Math.abs(gb[k]! - (lossF64(W, bp, X, y) - lossF64(W, bm, X, y)) / (2 * h)) < 1e-5);
    }
    const auto = tf.grads((w: tf.Tensor, bb: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(yt, c), tf.add(tf.matMul(x, w), bb)),
    )([m.W, m.b]);
    assert.ok(tf.max(tf.abs(tf.sub(auto[0]!, dW))).dataSync()[0]! < 1e-6);
    tf.dispose([dW, db, x, yt, ...auto]);
    m.dispose();
  }
});

test('1000 SGD steps leave no tensor behind and learn a separable problem', async () => {
  const r = mulberry32(9);
  const start = tf.memory().numTensors;
  const m = createSoftmax(2, 2);
  let last = { loss: Infinity, accuracy: 0 };
  for (let s = 0; s < 1000; s++) {
    const X = Array.from({ length: 8 }, () => [r() * 2 - 1, r() * 2 - 1]);
    const y = X.map(([a, b]) => (a! + b! > 0 ? 1 : 0));
    const x = tf.tensor2d(X);
    const yt = tf.tensor1d(y, 'int32');
    last = await sgdStep(m, x, yt, 0.5);
    tf.dispose([x, yt]);
  }
  m.dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.ok(last.loss < 0.3, `loss ${last.loss}`);
});
