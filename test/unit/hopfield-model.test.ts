import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { fitZca, toyMixture, unwhiten, whiten } from '../../models/hopfield/data.ts';
import {
  complete,
  makeMachine,
  meanNll,
  nll,
  nllGradient,
  posterior,
  rbmAsMachine,
  retrieveStep,
  type Machine,
} from '../../models/hopfield/machine.ts';
import { createTrainer, meanNllTensor, nllGradients } from '../../models/hopfield/train.ts';

before(async () => {
  await initBackend();
});

function randomMachine(seed: number, nh: number, nv: number, scale = 1): Machine {
  const r = mulberry32(seed);
  const g = () => scale * gaussian(r);
  return makeMachine(
    Array.from({ length: nh * nv }, g),
    Array.from({ length: nv }, () => 0.5 * gaussian(r)),
    Array.from({ length: nh }, () => 0.5 * gaussian(r)),
    nh,
    nv,
  );
}

/**
 * −log p(v) straight from the energy: p(v) = Σ_h e^{−E(v,h)} / Z, Z = Σ_h ∫ e^{−E(v,h)} dv,
 * with the Gaussian integral ∫ e^{−½|v−b|² + w·v + c} dv = (2π)^{N/2} e^{½|w|² + w·b + c}.
 * `states` lists the hidden configurations h as vectors (one-hot for the AttnBM, binary for the RBM).
 */
function energyNll(W: number[][], b: number[], c: number[], states: number[][], v: number[]): number {
  const nv = b.length;
  let num = 0;
  let Z = 0;
  for (const h of states) {
    const w = b.map((_, j) => h.reduce((s, hk, k) => s + hk * W[k]![j]!, 0));
    const ch = h.reduce((s, hk, k) => s + hk * c[k]!, 0);
    const E = 0.5 * v.reduce((s, vj, j) => s + (vj - b[j]!) ** 2, 0) - w.reduce((s, wj, j) => s + wj * v[j]!, 0) - ch;
    num += Math.exp(-E);
    Z +=
      (2 * Math.PI) ** (nv / 2) * Math.exp(0.5 * w.reduce((s, x) => s + x * x, 0) + w.reduce((s, x, j) => s + x * b[j]!, 0) + ch);
  }
  return -Math.log(num / Z);
}

const rows = (m: Machine) => Array.from({ length: m.nh }, (_, i) => Array.from(m.W.subarray(i * m.nv, (i + 1) * m.nv)));
const oneHot = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, k) => (k === i ? 1 : 0)));

test('NLL equals minus the log of the energy-based density, for the AttnBM and the GB-RBM', () => {
  const m = randomMachine(1, 4, 3, 0.8);
  const r = mulberry32(2);
  for (let t = 0; t < 5; t++) {
    const v = [gaussian(r), gaussian(r), gaussian(r)];
    const ref = energyNll(rows(m), Array.from(m.b), Array.from(m.c), oneHot(4), v);
    assert.ok(Math.abs(nll(m, v) - ref) < 1e-10, `${nll(m, v)} vs ${ref}`);
  }
  // GB-RBM with K = 3 binary units: 8 configurations summed directly.
  const K = 3;
  const base = randomMachine(3, K, 3, 0.6);
  const rbm = rbmAsMachine(base.W, base.b, base.c, K, 3);
  const states = Array.from({ length: 1 << K }, (_, s) => Array.from({ length: K }, (_, k) => (s >> k) & 1));
  const v = [0.3, -1.2, 0.7];
  const ref = energyNll(rows(base), Array.from(base.b), Array.from(base.c), states, v);
  assert.ok(Math.abs(nll(rbm, v) - ref) < 1e-10);
});

test('exp(−NLL) integrates to 1 over the plane', () => {
  const m = randomMachine(4, 5, 2, 2);
  const h = 0.05;
  let s = 0;
  for (let x = -14; x <= 14; x += h) for (let y = -14; y <= 14; y += h) s += Math.exp(-nll(m, [x, y])) * h * h;
  assert.ok(Math.abs(s - 1) < 1e-6, `integral ${s}`);
});

test('the posterior is attention: softmax(Wv + c) sums to 1 and matches Bayes on the mixture', () => {
  const m = randomMachine(5, 3, 2, 1.5);
  const v = [0.4, -0.9];
  const p = posterior(m, v);
  // Bayes: π_μ N(v; b + w_μ, I) normalised.
  const a = rows(m).map((w, mu) => 0.5 * (w[0]! ** 2 + w[1]! ** 2) + w[0]! * m.b[0]! + w[1]! * m.b[1]! + m.c[mu]!);
  const joint = rows(m).map(
    (w, mu) => Math.exp(a[mu]!) * Math.exp(-0.5 * ((v[0]! - m.b[0]! - w[0]!) ** 2 + (v[1]! - m.b[1]! - w[1]!) ** 2)),
  );
  const z = joint.reduce((s, x) => s + x, 0);
  joint.forEach((j, mu) => assert.ok(Math.abs(j / z - p[mu]!) < 1e-12));
});

test('the analytic gradient matches central finite differences in float64', () => {
  const m = randomMachine(6, 4, 3, 0.7);
  const r = mulberry32(7);
  const n = 6;
  const X = Float64Array.from({ length: n * 3 }, () => 1.5 * gaussian(r));
  const g = nllGradient(m, X, n);
  const h = 1e-6;
  for (const [key, grad] of [
    ['W', g.W],
    ['b', g.b],
    ['c', g.c],
  ] as const) {
    const p = m[key];
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      p[i] = keep + h;
      const up = meanNll(m, X, n);
      p[i] = keep - h;
      const down = meanNll(m, X, n);
      p[i] = keep;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - grad[i]!) < 1e-7 * Math.max(1, Math.abs(fd)), `${key}[${i}]: fd ${fd} vs ${grad[i]}`);
    }
  }
});

test('the TensorFlow.js gradient matches its autodiff and the float64 reference, for AttnBM and GB-RBM', () => {
  for (const rbm of [false, true]) {
    const K = 3;
    const m = randomMachine(8, K, 4, 0.5);
    const r = mulberry32(9);
    const n = 7;
    const X = Float64Array.from({ length: n * 4 }, () => gaussian(r));
    const before = tf.memory().numTensors;
    const H = rbm
      ? tf.tensor2d(Array.from({ length: 1 << K }, (_, s) => Array.from({ length: K }, (_, k) => (s >> k) & 1)))
      : null;
    const V = tf.tensor2d(Float32Array.from(X), [n, 4]);
    const W = tf.tensor2d(Float32Array.from(m.W), [K, 4]);
    const b = tf.tensor1d(Float32Array.from(m.b));
    const c = tf.tensor1d(Float32Array.from(m.c));
    const manual = nllGradients({ W, b, c }, V, H as tf.Tensor2D | null);
    const auto = tf.grads((W_: tf.Tensor, b_: tf.Tensor, c_: tf.Tensor) =>
      meanNllTensor({ W: W_ as tf.Tensor2D, b: b_ as tf.Tensor1D, c: c_ as tf.Tensor1D }, V, H as tf.Tensor2D | null),
    )([W, b, c]);
    const ref = rbm ? rbmAsMachine(m.W, m.b, m.c, K, 4) : m;
    const g64 = nllGradient(ref, X, n);
    const close = (a: ArrayLike<number>, e: ArrayLike<number>, what: string) => {
      for (let i = 0; i < e.length; i++)
        assert.ok(Math.abs(a[i]! - e[i]!) < 2e-4 * Math.max(1, Math.abs(e[i]!)), `${what}[${i}] ${a[i]} vs ${e[i]}`);
    };
    close(manual.W.dataSync(), auto[0]!.dataSync(), `W (rbm=${rbm})`);
    close(manual.b.dataSync(), auto[1]!.dataSync(), 'b');
    close(manual.c.dataSync(), auto[2]!.dataSync(), 'c');
    assert.ok(Math.abs(manual.loss.dataSync()[0]! - meanNll(ref, X, n)) < 1e-4);
    if (!rbm) {
      close(manual.W.dataSync(), g64.W, 'W vs float64');
      close(manual.b.dataSync(), g64.b, 'b vs float64');
      close(manual.c.dataSync(), g64.c, 'c vs float64');
    }
    tf.dispose([V, W, b, c, manual.loss, manual.W, manual.b, manual.c, ...auto]);
    H?.dispose();
    assert.equal(tf.memory().numTensors, before);
  }
});

test('completion equals E[v₂ | v₁] by numerical integration', () => {
  const m = randomMachine(10, 4, 2, 2);
  for (const v1 of [-2, 0.3, 1.7]) {
    let num = 0;
    let den = 0;
    for (let y = -20; y <= 20; y += 0.01) {
      const p = Math.exp(-nll(m, [v1, y]));
      num += y * p;
      den += p;
    }
    const got = complete(m, [v1, NaN], [true, false]).v;
    assert.equal(got[0], v1);
    assert.ok(Math.abs(got[1]! - num / den) < 1e-8, `${got[1]} vs ${num / den}`);
  }
});

test('one retrieval step is the attention formula v ← Wᵀ softmax(βWv)', () => {
  const r = mulberry32(11);
  const nh = 6;
  const nv = 5;
  const m = makeMachine(
    Array.from({ length: nh * nv }, () => gaussian(r)),
    new Float64Array(nv),
    new Float64Array(nh),
    nh,
    nv,
  );
  const v = Array.from({ length: nv }, () => gaussian(r));
  for (const beta of [0.1, 1, 8]) {
    const got = retrieveStep(m, v, beta).v;
    const want = tf.tidy(() => {
      const W = tf.tensor2d(Float32Array.from(m.W), [nh, nv]);
      return tf.matMul(tf.softmax(tf.mul(beta, tf.matMul(tf.tensor2d([v]), W, false, true))), W).dataSync();
    });
    for (let j = 0; j < nv; j++) assert.ok(Math.abs(got[j]! - want[j]!) < 1e-5);
  }
});

test('training on a toy mixture lowers test NLL and recovers the centres, leaking no tensors', async () => {
  const r = mulberry32(12);
  const K = 4;
  const train = toyMixture(K, 150, 5, 1, r);
  const test = toyMixture(K, 50, 5, 1, mulberry32(12)); // same centres (same first draws)
  assert.deepEqual(Array.from(test.centres), Array.from(train.centres));
  const before = tf.memory().numTensors;
  const tr = createTrainer({
    kind: 'attnbm',
    nv: 2,
    hidden: K,
    // Keys start at K training points, as the lab does by default.
    W0: Float32Array.from({ length: K * 2 }, (_, i) => train.X[Math.floor(i / 2) * 37 * 2 + (i % 2)]!),
    b0: new Float32Array(2),
    c0: new Float32Array(K),
    trainB: false,
    trainC: true,
    optimizer: 'adam',
    learningRate: 0.05,
  });
  const X32 = Float32Array.from(train.X);
  const T32 = Float32Array.from(test.X);
  const start = await tr.evaluate(T32, test.n);
  for (let epoch = 0; epoch < 60; epoch++) {
    for (let s = 0; s < train.n; s += 50) {
      const V = tf.tensor2d(X32.subarray(s * 2, (s + 50) * 2), [50, 2]);
      await tr.step(V);
      V.dispose();
    }
  }
  const end = await tr.evaluate(T32, test.n);
  const { W, b, c } = await tr.read();
  tr.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(end < start - 1, `test NLL ${start} → ${end}`);
  // The fitted model's NLL matches the float64 reference.
  const m = makeMachine(W, b, c, K, 2);
  assert.ok(Math.abs(meanNll(m, test.X, test.n) - end) < 1e-3);
  // Every true centre has a learned centre b + w_μ within 0.5.
  for (let k = 0; k < K; k++) {
    const best = Math.min(
      ...Array.from({ length: K }, (_, mu) =>
        Math.hypot(b[0]! + W[mu * 2]! - train.centres[2 * k]!, b[1]! + W[mu * 2 + 1]! - train.centres[2 * k + 1]!),
      ),
    );
    assert.ok(best < 0.5, `centre ${k} missed by ${best}`);
  }
});

test('ZCA whitening gives unit-scale decorrelated data and inverts exactly', () => {
  const r = mulberry32(13);
  const d = 5;
  const n = 400;
  // Correlated data: x = L z with a fixed mixing matrix.
  const L = Array.from({ length: d * d }, () => gaussian(r));
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: d }, () => gaussian(r));
    for (let a = 0; a < d; a++) X[i * d + a] = 3 + z.reduce((s, zj, j) => s + L[a * d + j]! * zj, 0);
  }
  const w = fitZca(X, n, d, 1e-9);
  const V = whiten(w, X, n);
  // Covariance of whitened data is a multiple of I, with unit total variance per entry.
  for (let a = 0; a < d; a++) {
    for (let b2 = 0; b2 < d; b2++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += V[i * d + a]! * V[i * d + b2]!;
      assert.ok(Math.abs(s / n - (a === b2 ? 1 : 0)) < 1e-6, `cov[${a},${b2}] = ${s / n}`);
    }
  }
  const back = unwhiten(w, V, n);
  for (let i = 0; i < n * d; i++) assert.ok(Math.abs(back[i]! - X[i]!) < 1e-8);
});
