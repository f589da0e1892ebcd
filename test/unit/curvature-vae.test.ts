// The VAE's ELBO curvature against explicit matrices: the loss and
// the outputs are recomputed here by plain loops over the lab's own weight layout (x W + b, the
// heads μ and log σ², z = μ + e^{lv/2} ε), the Hessian from their second differences, the GGN
// from the Jacobian built column by column. The loss at θ also equals the VAE lab's TensorFlow.js
// ELBO with the same ε.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { boltzmannOperator } from '../../models/curvature/boltzmann.ts';
import { operatorOf, operatorOfModel, type CurvatureMatrix } from '../../models/curvature/products.ts';
import { makeMachine, meanNll, rbmAsMachine } from '../../models/hopfield/machine.ts';
import { elboTerms, vaeModel, vaeNetworks } from '../../models/curvature/vae.ts';
import type { Network } from '../../models/curvature/network.ts';
import { columns, hessianOf, jacobianOf, jtwj, relErr } from './curvature-explicit.ts';
import { createVae, elboTerms as tfElbo, parameterShapes, type VaeConfig } from '../../models/vae/vae.ts';

const CFG: VaeConfig = {
  arch: 'mlp',
  inputShape: [2, 3],
  hidden: [4],
  latent: 2,
  decoder: 'bernoulli',
  gaussianSigma: 1,
  beta: 1,
};

/** θ (encoder layers, heads μ rows then lv rows, decoder layers; each weight as rows [out][in], then its bias) → the lab's weights. */
function labValues(c: VaeConfig, theta: Float64Array): Record<string, Float64Array> {
  const D = c.inputShape[0] * c.inputShape[1];
  const H = c.hidden[0]!;
  const d = c.latent;
  const out: Record<string, Float64Array> = {};
  let o = 0;
  const take = (name: string, i: number, n: number, rows: number) => {
    // rows `rows` of the [out][in] block starting at o, as x W's [in][n].
    const W = new Float64Array(i * n);
    for (let r = 0; r < n; r++) for (let k = 0; k < i; k++) W[k * n + r] = theta[o + (rows + r) * i + k]!;
    out[`${name}.W`] = W;
  };
  take('enc.0', D, H, 0);
  o += D * H;
  out['enc.0.b'] = theta.slice(o, (o += H));
  take('enc.mu', H, d, 0);
  take('enc.logvar', H, d, d);
  o += 2 * d * H;
  out['enc.mu.b'] = theta.slice(o, (o += d));
  out['enc.logvar.b'] = theta.slice(o, (o += d));
  take('dec.0', d, H, 0);
  o += d * H;
  out['dec.0.b'] = theta.slice(o, (o += H));
  take('dec.out', H, D, 0);
  o += H * D;
  out['dec.out.b'] = theta.slice(o, (o += D));
  assert.equal(o, theta.length);
  return out;
}

/** Per image: decoder logits (D), μ (d), log σ² (d), by plain loops over the lab's layout. */
function vaeOutputs(c: VaeConfig, v: Record<string, Float64Array>, X: Float64Array, eps: Float64Array, N: number): Float64Array {
  const D = c.inputShape[0] * c.inputShape[1];
  const d = c.latent;
  const dense = (x: number[], name: string, relu: boolean) => {
    const W = v[`${name}.W`]!;
    const b = v[`${name}.b`]!;
    const n = b.length;
    return Array.from({ length: n }, (_, o) => {
      let s = b[o]!;
      x.forEach((xi, i) => (s += xi * W[i * n + o]!));
      return relu ? Math.max(0, s) : s;
    });
  };
  const C = D + 2 * d;
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const h = dense(Array.from(X.subarray(n * D, (n + 1) * D)), 'enc.0', true);
    const mu = dense(h, 'enc.mu', false);
    const lv = dense(h, 'enc.logvar', false);
    const z = mu.map((m, j) => m + Math.exp(lv[j]! / 2) * eps[n * d + j]!);
    const l = dense(dense(z, 'dec.0', true), 'dec.out', false);
    out.set([...l, ...mu, ...lv], n * C);
  }
  return out;
}

function negElbo(c: VaeConfig, o: Float64Array, X: Float64Array, N: number): number {
  const D = c.inputShape[0] * c.inputShape[1];
  const d = c.latent;
  const C = D + 2 * d;
  let s = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < D; k++) {
      const l = o[n * C + k]!;
      const x = X[n * D + k]!;
      s +=
        c.decoder === 'bernoulli'
          ? Math.log(1 + Math.exp(l)) - x * l
          : (x - l) ** 2 / (2 * c.gaussianSigma ** 2) + 0.5 * Math.log(2 * Math.PI * c.gaussianSigma ** 2);
    }
    for (let j = 0; j < d; j++) {
      const [m, lv] = [o[n * C + D + j]!, o[n * C + D + d + j]!];
      s += c.beta * 0.5 * (m * m + Math.exp(lv) - 1 - lv);
    }
  }
  return s / N;
}

function vaeCase(c: VaeConfig, seed: number) {
  const r = mulberry32(seed);
  const named: Record<string, Float64Array> = {};
  for (const [n, shape] of parameterShapes(c))
    named[n] = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.6 * gaussian(r));
  const N = 3;
  const D = c.inputShape[0] * c.inputShape[1];
  const X = Float64Array.from({ length: N * D }, () => r());
  const eps = Float64Array.from({ length: N * c.latent }, () => gaussian(r));
  const { nets, theta } = vaeNetworks(c, named);
  return { named, N, D, X, eps, nets, theta };
}

/** The engine's reconstruction and KL terms equal the VAE lab's TensorFlow.js ELBO with the same ε (float32). */
function assertLabElbo(c: VaeConfig, k: ReturnType<typeof vaeCase>, terms: { rec: number; kl: number }) {
  const vae = createVae(c, k.named);
  const [rec, kl] = tf.tidy(() => {
    const t = tfElbo(
      vae,
      tf.tensor2d(Float32Array.from(k.X), [k.N, k.D]),
      tf.tensor2d(Float32Array.from(k.eps), [k.N, c.latent]),
    );
    return [tf.mean(t.rec).dataSync()[0]!, tf.mean(t.kl).dataSync()[0]!];
  });
  vae.dispose();
  assert.ok(Math.abs(terms.rec - rec) < 1e-5 * Math.abs(rec), `rec ${terms.rec} vs ${rec}`);
  assert.ok(Math.abs(terms.kl - kl) < 1e-5 * Math.abs(kl), `kl ${terms.kl} vs ${kl}`);
}

for (const c of [CFG, { ...CFG, decoder: 'gaussian' as const, gaussianSigma: 0.7, beta: 2.5 }]) {
  test(`the ${c.decoder} VAE's ELBO: loss, Hessian, GGN and empirical Fisher equal the explicit ones`, () => {
    const k = vaeCase(c, c.decoder === 'bernoulli' ? 1 : 2);
    const spec = { D: k.D, d: c.latent, decoder: c.decoder, gaussianSigma: c.gaussianSigma, beta: c.beta };
    const outputsAt = (t: Float64Array) => vaeOutputs(c, labValues(c, t), k.X, k.eps, k.N);
    // The layout: θ read back gives the lab's weights, and the model's outputs are the loops'.
    assert.ok(relErr(labValues(c, k.theta)['enc.logvar.W']!, k.named['enc.logvar.W']!) === 0);
    const model = vaeModel(k.nets, k.theta, k.X, k.N, k.eps);
    assert.ok(relErr(model.out, outputsAt(k.theta)) < 1e-13);
    const terms = elboTerms(spec, model.out, k.X, k.N);
    const lossAt = (t: Float64Array) => negElbo(c, outputsAt(t), k.X, k.N);
    assert.ok(Math.abs(terms.loss! - lossAt(k.theta)) < 1e-12 * Math.abs(terms.loss!));
    assert.ok(Math.abs(terms.rec + c.beta * terms.kl - terms.loss!) < 1e-12 * Math.abs(terms.loss!));
    const P = model.P;
    const H = hessianOf(lossAt, k.theta);
    const J = jacobianOf(outputsAt, k.theta);
    // H_out: diagonal, as the test derives it: σ(l)(1 − σ(l)) or 1/σ²; β for μ, β e^{lv}/2 for lv; over N.
    const C = k.D + 2 * c.latent;
    const w = new Float64Array(k.N * C);
    const o = model.out;
    for (let n = 0; n < k.N; n++)
      for (let j = 0; j < C; j++) {
        const x = o[n * C + j]!;
        const p = 1 / (1 + Math.exp(-x));
        w[n * C + j] =
          (j < k.D
            ? c.decoder === 'bernoulli'
              ? p * (1 - p)
              : 1 / c.gaussianSigma ** 2
            : j < k.D + c.latent
              ? c.beta
              : (c.beta * Math.exp(x)) / 2) / k.N;
      }
    const ggn = jtwj(J, w, P);
    // Per-image gradients by differences, for the empirical Fisher.
    const G = jacobianOf((t) => {
      const oo = outputsAt(t);
      return Float64Array.from({ length: k.N }, (_, n) =>
        negElbo(c, oo.slice(n * C, (n + 1) * C), k.X.slice(n * k.D, (n + 1) * k.D), 1),
      );
    }, k.theta);
    const emp = jtwj(G, new Float64Array(k.N).fill(1 / k.N), P);
    const want = new Map<CurvatureMatrix, Float64Array>([
      ['hessian', H],
      ['ggn', ggn],
      ['empirical-fisher', emp],
    ]);
    for (const [m, A] of want) {
      const op = operatorOfModel(model, terms, m);
      const err = relErr(columns(P, op.matvec), A);
      assert.ok(err < 1e-5, `${m}: relative error ${err.toExponential(2)}`);
    }
    // The gradient against differences of the loss; the Hessian is not the GGN here.
    const op = operatorOfModel(model, terms, 'hessian');
    const g = jacobianOf((t) => Float64Array.of(lossAt(t)), k.theta);
    assert.ok(relErr(op.grad!, g) < 1e-7);
    assert.ok(relErr(H, ggn) > 1e-2);
  });
}

test("the VAE's loss at θ is the lab's TensorFlow.js ELBO with the same ε", () => {
  const c = { ...CFG, inputShape: [4, 4] as [number, number], hidden: [6], latent: 3 };
  const k = vaeCase(c, 3);
  const terms = elboTerms(
    { D: k.D, d: c.latent, decoder: 'bernoulli', gaussianSigma: 1, beta: 1 },
    vaeModel(k.nets, k.theta, k.X, k.N, k.eps).out,
    k.X,
    k.N,
  );
  assertLabElbo(c, k, terms);
});

test("the convolutional VAE: its loss is the lab's TensorFlow.js ELBO, and its products match differences of that loss along random directions", () => {
  const c: VaeConfig = { ...CFG, arch: 'conv', inputShape: [8, 8], hidden: [6], latent: 2 };
  const k = vaeCase(c, 7);
  const spec = { D: k.D, d: c.latent, decoder: c.decoder, gaussianSigma: c.gaussianSigma, beta: c.beta };
  const model = vaeModel(k.nets, k.theta, k.X, k.N, k.eps);
  const terms = elboTerms(spec, model.out, k.X, k.N);
  assertLabElbo(c, k, terms);
  // Directional checks: P is about 11,000, too many for the explicit matrix.
  const lossAt = (t: Float64Array) => elboTerms(spec, vaeModel(k.nets, t, k.X, k.N, k.eps).out, k.X, k.N).loss!;
  const outAt = (t: Float64Array) => vaeModel(k.nets, t, k.X, k.N, k.eps).out;
  const r = mulberry32(8);
  const P = model.P;
  const dir = () => Float64Array.from({ length: P }, () => gaussian(r) / Math.sqrt(P));
  const plus = (...terms: [number, Float64Array][]) => {
    const t = Float64Array.from(k.theta);
    for (const [a, v] of terms) for (let i = 0; i < P; i++) t[i]! += a * v[i]!;
    return t;
  };
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
  const hess = operatorOfModel(model, terms, 'hessian');
  const ggn = operatorOfModel(model, terms, 'ggn');
  const h = 1e-3;
  for (let rep = 0; rep < 3; rep++) {
    const [u, v] = [dir(), dir()];
    const g = (lossAt(plus([h, u])) - lossAt(plus([-h, u]))) / (2 * h);
    assert.ok(Math.abs(dot(hess.grad!, u) - g) < 1e-6 * Math.abs(g), `gradient: ${dot(hess.grad!, u)} vs ${g}`);
    const second =
      (lossAt(plus([h, u], [h, v])) -
        lossAt(plus([h, u], [-h, v])) -
        lossAt(plus([-h, u], [h, v])) +
        lossAt(plus([-h, u], [-h, v]))) /
      (4 * h * h);
    const got = dot(u, hess.matvec(v));
    assert.ok(Math.abs(got - second) < 1e-5 * Math.abs(second) + 1e-9, `uᵀHv ${got} vs ${second}`);
    // uᵀ G v = (Ju)ᵀ H_out (Jv), with Ju and Jv by differences of the outputs.
    const jd = (w: Float64Array) => {
      const [a, b] = [outAt(plus([h, w])), outAt(plus([-h, w]))];
      return a.map((x, i) => (x - b[i]!) / (2 * h));
    };
    const [Ju, Jv] = [jd(u), jd(v)];
    const want = dot(Ju, terms.hout(Jv));
    const gotG = dot(u, ggn.matvec(v));
    assert.ok(Math.abs(gotG - want) < 1e-5 * Math.abs(want), `uᵀGv ${gotG} vs ${want}`);
  }
});
