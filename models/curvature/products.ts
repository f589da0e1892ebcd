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
  /** The parameters as the model holds them; with `scale`, the network computes with scale ⊙ θ. */
  theta: Float64Array;
  /** N rows of one sample's input each. */
  X: Float64Array;
  N: number;
  loss: CurvatureLoss;
  /** Class labels: cross-entropy's targets, and one-hot targets of MSE when `targets` is null. */
  labels: Int32Array | null;
  /** N × C real targets of MSE. */
  targets: Float64Array | null;
  /**
   * Per-parameter multipliers of a network whose layers scale their weights (the NTK
   * parameterisation, u = (σ/√n) W h): the curvature is that of the parameters the model trains.
   */
  scale?: Float64Array;
  /** A constant factor on the loss (the field lab divides its MSE by the number of outputs too). */
  lossScale?: number;
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

/** A differentiable map from θ to N samples' outputs o (N × C): all the products need of a model. */
export interface Model {
  P: number;
  /** Block boundaries in θ for the per-layer picture (blocks may be empty), P at the end. */
  offsets: number[];
  N: number;
  C: number;
  /** The outputs at θ. */
  out: Float64Array;
  /** J v. */
  jvp(v: Float64Array): Float64Array;
  /** Jᵀ u. */
  vjp(u: Float64Array): Float64Array;
  /** R{Jᵀ g} along v, where R{g} = dgOf(J v): the Hessian's product when g is the loss's gradient in o. */
  secondOrder(v: Float64Array, g: Float64Array, dgOf: (jv: Float64Array) => Float64Array): Float64Array;
}

/** A sequential network as a model. */
export function sequentialModel(net: Network, theta: Float64Array, X: Float64Array, N: number): Model {
  const offsets = offsetsOf(net);
  const cache: Cache = forward(net, theta, X, N);
  const out = cache.xs.at(-1)!;
  return {
    P: offsets.at(-1)!,
    offsets,
    N,
    C: out.length / N,
    out,
    jvp: (v) => rForward(net, theta, cache, v).at(-1)!,
    vjp: (u) => backward(net, theta, cache, u).grad,
    secondOrder: (v, g, dgOf) => {
      const dxs = rForward(net, theta, cache, v);
      return backward(net, theta, cache, g, { v, dxs, dg: dgOf(dxs.at(-1)!) }).rgrad!;
    },
  };
}

/** The model in θ of one that computes with scale ⊙ θ: J_θ = J D, and the second-order term D (·) D. */
export function scaledModel(inner: Model, scale: Float64Array): Model {
  // A plain loop: a typed array's map with a callback costs ~10 ns a value in V8, which was a
  // tenth of the field lab's sharpness tracking.
  const D = (v: Float64Array) => {
    const out = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) out[j] = v[j]! * scale[j]!;
    return out;
  };
  return {
    ...inner,
    jvp: (v) => inner.jvp(D(v)),
    vjp: (u) => D(inner.vjp(u)),
    secondOrder: (v, g, dgOf) => D(inner.secondOrder(D(v), g, dgOf)),
  };
}

export interface OutputTerms {
  /** Null without targets (a fresh network on Gaussian inputs): then only the GGN and the Fisher exist. */
  loss: number | null;
  /** ∂ℓᵢ/∂zᵢ per sample (not divided by N); null without targets. */
  e: Float64Array | null;
  /** H_out u: the mean loss's Hessian in the outputs applied to u (includes the 1/N). */
  hout(u: Float64Array): Float64Array;
}

export function outputTerms(pr: Pick<Problem, 'N' | 'loss' | 'labels' | 'targets'>, z: Float64Array, C: number): OutputTerms {
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

/** A loss's output terms multiplied by a constant. */
function scaledTerms(t: OutputTerms, c: number): OutputTerms {
  if (c === 1) return t;
  return {
    loss: t.loss === null ? null : c * t.loss,
    e: t.e && t.e.map((x) => c * x),
    hout: (u) => t.hout(u).map((x) => c * x),
  };
}

/** The loss, its gradient and the products of one curvature matrix of a sequential network at θ. */
export function operatorOf(pr: Problem, matrix: CurvatureMatrix): Operator {
  const thetaEff = pr.scale ? pr.theta.map((x, j) => x * pr.scale![j]!) : pr.theta;
  const seq = sequentialModel(pr.net, thetaEff, pr.X, pr.N);
  const model = pr.scale ? scaledModel(seq, pr.scale) : seq;
  return operatorOfModel(model, scaledTerms(outputTerms(pr, model.out, model.C), pr.lossScale ?? 1), matrix);
}

/** The loss, its gradient and the products of one curvature matrix of any model with its output loss. */
export function operatorOfModel(model: Model, out: OutputTerms, matrix: CurvatureMatrix): Operator {
  const { N, C, P } = model;
  const e = out.e;
  if (!e && (matrix === 'hessian' || matrix === 'empirical-fisher'))
    throw new Error(`the ${matrix} needs targets: labelled data, or the GGN or Fisher`);
  const gz = e ? e.map((x) => x / N) : null;
  const grad = gz ? model.vjp(gz) : null;
  let count = 0;
  const matvec = (v: Float64Array): Float64Array => {
    if (v.length !== P) throw new Error(`vector of ${v.length} values for ${P} parameters`);
    count++;
    if (matrix === 'hessian') return model.secondOrder(v, gz!, (dz) => out.hout(dz));
    const dz = model.jvp(v);
    if (matrix === 'empirical-fisher' && e) {
      // gᵢ·v = eᵢ·(Jᵢv); (1/N) Σ gᵢ (gᵢ·v) is the backward pass of (eᵢ·Jᵢv) eᵢ / N.
      const u = new Float64Array(N * C);
      for (let i = 0; i < N; i++) {
        let c = 0;
        for (let k = 0; k < C; k++) c += e[i * C + k]! * dz[i * C + k]!;
        for (let k = 0; k < C; k++) u[i * C + k] = (c * e[i * C + k]!) / N;
      }
      return model.vjp(u);
    }
    // GGN, and the true Fisher it equals for softmax cross-entropy and unit-variance MSE.
    return model.vjp(out.hout(dz));
  };
  return {
    P,
    offsets: model.offsets,
    loss: out.loss,
    grad,
    matvec,
    get matvecs() {
      return count;
    },
  };
}
