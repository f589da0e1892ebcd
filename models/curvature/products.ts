// Curvature matrix–vector products of a sequential network's mean loss, never forming the P × P
// matrix: the Hessian (forward-over-reverse: the R-operator of the backward pass), the
// generalised Gauss–Newton Jᵀ H_out J, the true Fisher, and the empirical Fisher (1/N) Σ gᵢgᵢᵀ.
// Losses: cross-entropy on integer labels, mean over samples; MSE as (1/2N) Σ ‖f(xᵢ) − tᵢ‖², whose
// GGN is the Fisher of a unit-variance Gaussian output, (1/N) Σ JᵢᵀJᵢ (the Fisher lab's F).
import { backward, forward, offsetsOf, rForward, type Cache, type Network } from './network.ts';

export type CurvatureLoss = 'ce' | 'mse';
export type CurvatureMatrix = 'hessian' | 'ggn' | 'fisher' | 'empirical-fisher';

export interface Problem {
  net: Network;
  theta: Float64Array;
  /** N rows of one sample's input each. */
  X: Float64Array;
  N: number;
  loss: CurvatureLoss;
  /** Class labels: cross-entropy's targets, and one-hot targets of MSE when `targets` is null. */
  labels: Int32Array | null;
  /** N × C real targets of MSE. */
  targets: Float64Array | null;
}

export interface Operator {
  /** Number of parameters. */
  P: number;
  offsets: number[];
  /** The mean loss and its gradient; null without targets. */
  loss: number | null;
  grad: Float64Array | null;
  matvec(v: Float64Array): Float64Array;
  /** Products computed so far. */
  readonly matvecs: number;
}

interface OutputTerms {
  /** Null without targets (a fresh network on Gaussian inputs): then only the GGN and the Fisher exist. */
  loss: number | null;
  /** ∂ℓᵢ/∂zᵢ per sample (not divided by N); null without targets. */
  e: Float64Array | null;
  /** H_out u: the mean loss's Hessian in the outputs applied to u (includes the 1/N). */
  hout(u: Float64Array): Float64Array;
}

function outputTerms(pr: Problem, z: Float64Array, C: number): OutputTerms {
  const { N } = pr;
  const e = new Float64Array(N * C);
  let loss = 0;
  const labels = pr.labels;
  if (pr.loss === 'ce') {
    const p = new Float64Array(N * C);
    for (let i = 0; i < N; i++) {
      let mx = -Infinity;
      for (let k = 0; k < C; k++) mx = Math.max(mx, z[i * C + k]!);
      let s = 0;
      for (let k = 0; k < C; k++) s += p[i * C + k] = Math.exp(z[i * C + k]! - mx);
      for (let k = 0; k < C; k++) p[i * C + k]! /= s;
      if (!labels) continue;
      const y = labels[i]!;
      if (!(y >= 0 && y < C)) throw new Error(`label ${y} of sample ${i} is outside 0…${C - 1}`);
      loss += (Math.log(s) + mx - z[i * C + y]!) / N;
      for (let k = 0; k < C; k++) e[i * C + k] = p[i * C + k]! - (k === y ? 1 : 0);
    }
    return {
      loss: labels ? loss : null,
      e: labels ? e : null,
      // (diag p − p pᵀ) u per sample: softmax cross-entropy's Hessian in the logits.
      hout: (u) => {
        const out = new Float64Array(N * C);
        for (let i = 0; i < N; i++) {
          let pu = 0;
          for (let k = 0; k < C; k++) pu += p[i * C + k]! * u[i * C + k]!;
          for (let k = 0; k < C; k++) out[i * C + k] = (p[i * C + k]! * (u[i * C + k]! - pu)) / N;
        }
        return out;
      },
    };
  }
  const hout = (u: Float64Array) => u.map((x) => x / N);
  if (!pr.targets && !labels) return { loss: null, e: null, hout };
  for (let i = 0; i < N; i++)
    for (let k = 0; k < C; k++) {
      const t = pr.targets ? pr.targets[i * C + k]! : labels![i] === k ? 1 : 0;
      const r = z[i * C + k]! - t;
      e[i * C + k] = r;
      loss += (r * r) / (2 * N);
    }
  return { loss, e, hout };
}

/** The loss, its gradient and the products of one curvature matrix at θ (the forward pass is done once). */
export function operatorOf(pr: Problem, matrix: CurvatureMatrix): Operator {
  const { net, theta, N } = pr;
  const offsets = offsetsOf(net);
  const P = offsets.at(-1)!;
  const cache: Cache = forward(net, theta, pr.X, N);
  const z = cache.xs.at(-1)!;
  const C = z.length / N;
  const out = outputTerms(pr, z, C);
  const e = out.e;
  if (!e && (matrix === 'hessian' || matrix === 'empirical-fisher'))
    throw new Error(`the ${matrix} needs targets: labelled data, or the GGN or Fisher`);
  const gz = e ? e.map((x) => x / N) : null;
  const grad = gz ? backward(net, theta, cache, gz).grad : null;
  let count = 0;
  const matvec = (v: Float64Array): Float64Array => {
    if (v.length !== P) throw new Error(`vector of ${v.length} values for ${P} parameters`);
    count++;
    const dxs = rForward(net, theta, cache, v);
    const dz = dxs.at(-1)!;
    if (matrix === 'hessian') return backward(net, theta, cache, gz!, { v, dxs, dg: out.hout(dz) }).rgrad!;
    if (matrix === 'empirical-fisher' && e) {
      // gᵢ·v = eᵢ·(Jᵢv); (1/N) Σ gᵢ (gᵢ·v) is the backward pass of (eᵢ·Jᵢv) eᵢ / N.
      const u = new Float64Array(N * C);
      for (let i = 0; i < N; i++) {
        let c = 0;
        for (let k = 0; k < C; k++) c += e[i * C + k]! * dz[i * C + k]!;
        for (let k = 0; k < C; k++) u[i * C + k] = (c * e[i * C + k]!) / N;
      }
      return backward(net, theta, cache, u).grad;
    }
    // GGN, and the true Fisher it equals for softmax cross-entropy and unit-variance MSE.
    return backward(net, theta, cache, out.hout(dz)).grad;
  };
  return {
    P,
    offsets,
    loss: out.loss,
    grad,
    matvec,
    get matvecs() {
      return count;
    },
  };
}
