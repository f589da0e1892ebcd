import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import {
  conceptVectors,
  encodeMeans,
  project,
  projectionAxes,
  recallMetrics,
  recallTrajectory,
  t90,
} from '../../models/vae/recall.ts';
import {
  createVae,
  evaluateElbo,
  initialTensors,
  klPerRow,
  readWeights,
  recPerRow,
  trainStep,
  type VaeConfig,
} from '../../models/vae/vae.ts';

before(async () => {
  await initBackend();
});

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

test('the KL term equals its closed form, checked by 1-D quadrature per dimension', () => {
  const mu = [0.5, -1.2];
  const logvar = [0, Math.log(0.25)];
  const kl = tf.tidy(() => klPerRow(tf.tensor2d([mu]), tf.tensor2d([logvar])).dataSync()[0]!);
  // KL = Σ_k ∫ q_k log(q_k / p) by the trapezoid rule on a fine grid.
  let quad = 0;
  mu.forEach((m, k) => {
    const s = Math.exp(0.5 * logvar[k]!);
    for (let z = m - 12 * s; z <= m + 12 * s; z += s / 2000) {
      const q = Math.exp(-0.5 * ((z - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
      const p = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      quad += q * Math.log(q / p) * (s / 2000);
    }
  });
  close(kl, quad, 1e-5, 'KL');
});

test('reconstruction terms match −log p(x|z) written by hand', () => {
  const cfgB: VaeConfig = {
    arch: 'mlp',
    inputShape: [1, 3],
    hidden: [2],
    latent: 1,
    decoder: 'bernoulli',
    gaussianSigma: 0.1,
    beta: 1,
  };
  const logits = [0, 2, -30];
  const x = [1, 0.25, 0];
  const sig = (l: number) => 1 / (1 + Math.exp(-l));
  const want = -x.reduce((s, xi, i) => s + xi * Math.log(sig(logits[i]!)) + (1 - xi) * Math.log(1 - sig(logits[i]!)), 0);
  close(
    tf.tidy(() => recPerRow(cfgB, tf.tensor2d([logits]), tf.tensor2d([x])).dataSync()[0]!),
    want,
    1e-5,
    'bernoulli',
  );
  const cfgG = { ...cfgB, decoder: 'gaussian' as const, gaussianSigma: 0.5 };
  const mean = [0.2, 0.3, 0.9];
  const wantG = x.reduce((s, xi, i) => s + 0.5 * ((xi - mean[i]!) / 0.5) ** 2 + Math.log(0.5 * Math.sqrt(2 * Math.PI)), 0);
  close(
    tf.tidy(() => recPerRow(cfgG, tf.tensor2d([mean]), tf.tensor2d([x])).dataSync()[0]!),
    wantG,
    1e-5,
    'gaussian',
  );
});

/** Plain float64 forward pass of a one-hidden-layer MLP VAE from its weights. */
function f64Vae(w: Record<string, { shape: number[]; data: Float32Array }>) {
  const dense = (x: number[], name: string, relu: boolean) => {
    const W = w[`${name}.W`]!;
    const b = w[`${name}.b`]!.data;
    const [i, o] = W.shape as [number, number];
    return Array.from({ length: o }, (_, k) => {
      let s = b[k]!;
      for (let j = 0; j < i; j++) s += x[j]! * W.data[j * o + k]!;
      return relu ? Math.max(0, s) : s;
    });
  };
  return {
    encode: (x: number[]) => {
      const h = dense(x, 'enc.0', true);
      return { mu: dense(h, 'enc.mu', false), logvar: dense(h, 'enc.logvar', false) };
    },
    logits: (z: number[]) => dense(dense(z, 'dec.0', true), 'dec.out', false),
  };
}

test('the ELBO of a tiny VAE matches a brute-force quadrature over z, and lies below log p(x)', async () => {
  const cfg: VaeConfig = {
    arch: 'mlp',
    inputShape: [1, 3],
    hidden: [4],
    latent: 1,
    decoder: 'bernoulli',
    gaussianSigma: 0.1,
    beta: 1,
  };
  const vae = createVae(cfg, initialTensors(cfg, mulberry32(3)));
  const ref = f64Vae(await readWeights(vae));
  const x = [0.9, 0.1, 0.6];
  const logLik = (z: number) =>
    ref.logits([z]).reduce((s, l, i) => s + x[i]! * l - Math.max(l, 0) - Math.log1p(Math.exp(-Math.abs(l))), 0);
  const { mu, logvar } = ref.encode(x);
  const m = mu[0]!;
  const s = Math.exp(0.5 * logvar[0]!);
  let elbo = 0;
  let px = 0;
  const h = s / 400;
  for (let z = m - 10 * s; z <= m + 10 * s; z += h) {
    const q = Math.exp(-0.5 * ((z - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    const logp = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI);
    elbo += q * (logLik(z) + logp - Math.log(q)) * h;
  }
  for (let z = -12; z <= 12; z += 0.001) px += (Math.exp(logLik(z) - 0.5 * z * z) / Math.sqrt(2 * Math.PI)) * 0.001;
  // Monte Carlo with the model's own code: 40,000 reparameterised samples of the same image.
  const n = 40000;
  const X = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) X.set(x, 3 * i);
  const mc = await evaluateElbo(vae, X, n, mulberry32(4));
  close(-mc.negElbo, elbo, 0.01, 'ELBO');
  assert.ok(Math.log(px) >= elbo - 1e-9, `log p(x) ${Math.log(px)} < ELBO ${elbo}`);
  vae.dispose();
});

test('both architectures train (loss falls on a fixed batch) and leak no tensors', async () => {
  for (const arch of ['mlp', 'conv'] as const) {
    const before = tf.memory().numTensors;
    const cfg: VaeConfig = {
      arch,
      inputShape: [8, 8],
      hidden: [32],
      latent: 3,
      decoder: 'bernoulli',
      gaussianSigma: 0.1,
      beta: 1,
    };
    const rand = mulberry32(5);
    const vae = createVae(cfg, initialTensors(cfg, rand));
    const opt = tf.train.adam(0.01);
    const x = tf.tensor2d(
      Float32Array.from({ length: 16 * 64 }, (_, i) => ((i * 7) % 64 < 32 ? 1 : 0)),
      [16, 64],
    );
    const first = (await trainStep(vae, opt, x, rand)).loss;
    let last = first;
    for (let i = 0; i < 60; i++) last = (await trainStep(vae, opt, x, rand)).loss;
    assert.ok(last < first * 0.8, `${arch}: ${first} → ${last}`);
    const out = tf.tidy(() => vae.decodeMean(vae.encode(x).mu));
    assert.deepEqual(out.shape, [16, 64]);
    tf.dispose([out, x]);
    opt.dispose();
    vae.dispose();
    assert.equal(tf.memory().numTensors, before, arch);
  }
  const odd: VaeConfig = {
    arch: 'conv',
    inputShape: [7, 7],
    hidden: [8],
    latent: 2,
    decoder: 'bernoulli',
    gaussianSigma: 0.1,
    beta: 1,
  };
  assert.throws(() => initialTensors(odd, mulberry32(1)), /image sides divisible by 4, got 7×7/);
});

test('recall metrics on a hand-computed case', () => {
  const concepts = [1, 0, 0, 1];
  const Z = [2, 0, 0, 0.5, 1, 1];
  const m = recallMetrics(Z, [0, 1, 0], 3, 2, concepts, 2);
  close(m.meanDistOwn!, (1 + 0.5 + 1) / 3, 1e-12);
  close(m.meanCosOwn!, (1 + 1 + Math.SQRT1_2) / 3, 1e-12);
  assert.equal(m.fracNearestOwn, 1);
  close(m.spread, (Math.sqrt(4.25) + Math.SQRT2 + Math.sqrt(1.25)) / 3, 1e-12);
  assert.deepEqual(m.nearestHistogram, [2, 1]);
  const none = recallMetrics(Z, [-1, -1, -1], 3, 2, concepts, 2);
  assert.equal(none.meanDistOwn, null);
  assert.equal(none.fracNearestOwn, null);
  assert.deepEqual(conceptVectors([1, 2, 3, 4, 10, 10], [1, 1, 0], 3, 2, 3).concepts, Float64Array.from([10, 10, 2, 3, 0, 0]));
  // t90 closes 90 % of the fall to the minimum; a curve that never falls has none (issue 12: a
  // rising distance used to report a "time to approach").
  assert.deepEqual(
    [t90([10, 5, 2, 1, 1]), t90([10, 5, 1.5, 1, 1]), t90([1, 1, 1]), t90([0, 0.5, 0.95, 1]), t90([4, 2, 3, 5])],
    [3, 2, null, null, 1],
  );
});

test('projection axes are the leading principal components; d = 2 is shown as is', () => {
  const r = mulberry32(6);
  const d = 4;
  const n = 3000;
  const u = [0.5, 0.5, 0.5, 0.5];
  const v = [0.5, -0.5, 0.5, -0.5];
  const Z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const a = 3 * (r() - 0.5) * Math.sqrt(12);
    const b = 1.5 * (r() - 0.5) * Math.sqrt(12);
    for (let k = 0; k < d; k++) Z[i * d + k] = 5 + a * u[k]! + b * v[k]! + 0.1 * (r() - 0.5);
  }
  const ax = projectionAxes(Z, n, d);
  const dot = (o: number, w: number[]) => Math.abs(w.reduce((s, x, k) => s + x * ax[o + k]!, 0));
  assert.ok(dot(d, u) > 0.999 && dot(2 * d, v) > 0.999);
  for (let k = 0; k < d; k++) close(ax[k]!, 5, 0.2);
  const two = projectionAxes([1, 2, 3, 4], 2, 2);
  assert.deepEqual(Array.from(project([1, 2, 3, 4], 2, 2, two)), [1, 2, 3, 4]);
});

test('mean-mode recall starts at the encoder means and is deterministic', async () => {
  const cfg: VaeConfig = {
    arch: 'mlp',
    inputShape: [4, 4],
    hidden: [8],
    latent: 2,
    decoder: 'bernoulli',
    gaussianSigma: 0.1,
    beta: 1,
  };
  const vae = createVae(cfg, initialTensors(cfg, mulberry32(7)));
  const X = Float32Array.from({ length: 5 * 16 }, (_, i) => (i % 3) / 2);
  const before = tf.memory().numTensors;
  const a = await recallTrajectory(vae, X, 5, 4, mulberry32(1), { zMode: 'mean', xMode: 'mean', keep: [0, 2] });
  const b = await recallTrajectory(vae, X, 5, 4, mulberry32(99), { zMode: 'mean', xMode: 'mean', keep: [0, 2] });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a.Z, b.Z);
  assert.deepEqual(Array.from(a.Z.subarray(0, 10)), Array.from(await encodeMeans(vae, X, 5)));
  // Strips: row 0 starts with the start image; its next frame is the decoded first state.
  assert.deepEqual(Array.from(a.images.subarray(0, 16)), Array.from(X.subarray(0, 16)));
  const x1 = tf.tidy(() => vae.decodeMean(tf.tensor2d(a.Z.subarray(0, 2), [1, 2])).dataSync());
  assert.deepEqual(Array.from(a.images.subarray(16, 32)), Array.from(x1));
  const s = await recallTrajectory(vae, X, 5, 4, mulberry32(1), { zMode: 'sample', xMode: 'mean', keep: [] });
  assert.notDeepEqual(s.Z, a.Z);
  vae.dispose();
});
