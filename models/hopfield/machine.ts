// The attentional Boltzmann machine (AttnBM) in float64: energy E(v,h) = ½‖v−b‖² − hᵀ(Wv + c)
// with h one-hot over N_h states. Summing h out leaves a unit-covariance Gaussian mixture with
// centres b + w_μ and weights π = softmax(a), a_μ = ½‖w_μ‖² + w_μ·b + c_μ, so every quantity
// here is exact. This is the reference implementation: the CLI, the UI's small computations
// and the tests use it; training uses the same formulas in TensorFlow.js (train.ts).
// W is stored row-major, N_h × N_v: row μ is the key/pattern w_μ.
import { gaussian } from '../common/rng.ts';

export interface Machine {
  nv: number;
  nh: number;
  W: Float64Array;
  b: Float64Array;
  c: Float64Array;
}

export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function makeMachine(W: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, nh: number, nv: number): Machine {
  if (W.length !== nh * nv) throw new Error(`W has ${W.length} entries, expected ${nh}×${nv}`);
  if (b.length !== nv) throw new Error(`b has ${b.length} entries, expected ${nv}`);
  if (c.length !== nh) throw new Error(`c has ${c.length} entries, expected ${nh}`);
  return { nv, nh, W: Float64Array.from(W), b: Float64Array.from(b), c: Float64Array.from(c) };
}

export function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > m) m = x[i]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i]! - m);
  return m + Math.log(s);
}

export function softmax(x: ArrayLike<number>): Float64Array {
  const l = logSumExp(x);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]! - l);
  return out;
}

/** Logits of the mixture weights: a_μ = ½‖w_μ‖² + w_μ·b + c_μ. */
export function priorLogits(m: Machine): Float64Array {
  const a = new Float64Array(m.nh);
  for (let mu = 0; mu < m.nh; mu++) {
    let ww = 0;
    let wb = 0;
    const o = mu * m.nv;
    for (let j = 0; j < m.nv; j++) {
      ww += m.W[o + j]! * m.W[o + j]!;
      wb += m.W[o + j]! * m.b[j]!;
    }
    a[mu] = 0.5 * ww + wb + m.c[mu]!;
  }
  return a;
}

/** Attention logits Wv + c (scaled by β for retrieval). */
export function attentionLogits(m: Machine, v: ArrayLike<number>, beta = 1): Float64Array {
  const s = new Float64Array(m.nh);
  for (let mu = 0; mu < m.nh; mu++) {
    let d = 0;
    const o = mu * m.nv;
    for (let j = 0; j < m.nv; j++) d += m.W[o + j]! * v[j]!;
    s[mu] = beta * (d + m.c[mu]!);
  }
  return s;
}

/** p(h = μ | v) = softmax(Wv + c): attention with query v and keys w_μ. */
export function posterior(m: Machine, v: ArrayLike<number>): Float64Array {
  return softmax(attentionLogits(m, v));
}

/** −log p(v) in nats, the (N_v/2)·log 2π term included. */
export function nll(m: Machine, v: ArrayLike<number>, logZa = logSumExp(priorLogits(m))): number {
  let r = 0;
  for (let j = 0; j < m.nv; j++) r += (v[j]! - m.b[j]!) ** 2;
  return 0.5 * r - logSumExp(attentionLogits(m, v)) + logZa + m.nv * HALF_LOG_2PI;
}

export function meanNll(m: Machine, X: ArrayLike<number>, n: number): number {
  const logZa = logSumExp(priorLogits(m));
  let s = 0;
  for (let i = 0; i < n; i++) s += nll(m, sliceRow(X, i, m.nv), logZa);
  return s / n;
}

export interface Gradient {
  W: Float64Array;
  b: Float64Array;
  c: Float64Array;
}

/**
 * Gradient of the mean NLL over n points:
 * ∂/∂w_μ = −p(μ|v) v + π_μ (w_μ + b),  ∂/∂b = (b − v) + Σ_μ π_μ w_μ,  ∂/∂c = π − p(·|v).
 */
export function nllGradient(m: Machine, X: ArrayLike<number>, n: number): Gradient {
  const pi = softmax(priorLogits(m));
  const gW = new Float64Array(m.nh * m.nv);
  const gb = new Float64Array(m.nv);
  const gc = new Float64Array(m.nh);
  for (let i = 0; i < n; i++) {
    const v = sliceRow(X, i, m.nv);
    const p = posterior(m, v);
    for (let mu = 0; mu < m.nh; mu++) {
      const o = mu * m.nv;
      for (let j = 0; j < m.nv; j++) gW[o + j] = gW[o + j]! - p[mu]! * v[j]!;
      gc[mu] = gc[mu]! - p[mu]!;
    }
    for (let j = 0; j < m.nv; j++) gb[j] = gb[j]! + (m.b[j]! - v[j]!);
  }
  for (let mu = 0; mu < m.nh; mu++) {
    const o = mu * m.nv;
    for (let j = 0; j < m.nv; j++) {
      gW[o + j] = gW[o + j]! / n + pi[mu]! * (m.W[o + j]! + m.b[j]!);
      gb[j] = gb[j]! + n * pi[mu]! * m.W[o + j]!;
    }
    gc[mu] = gc[mu]! / n + pi[mu]!;
  }
  for (let j = 0; j < m.nv; j++) gb[j] = gb[j]! / n;
  return { W: gW, b: gb, c: gc };
}

function sliceRow(X: ArrayLike<number>, i: number, d: number): ArrayLike<number> {
  return X instanceof Float64Array || X instanceof Float32Array
    ? X.subarray(i * d, (i + 1) * d)
    : Array.from({ length: d }, (_, j) => X[i * d + j]!);
}

/** Ancestral sampling: h ~ π, then v ~ N(b + w_h, I). Returns the points and their components. */
export function sample(m: Machine, n: number, rand: () => number, noise = 1): { X: Float64Array; h: Int32Array } {
  const pi = softmax(priorLogits(m));
  const X = new Float64Array(n * m.nv);
  const h = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rand();
    let mu = 0;
    while (mu < m.nh - 1 && u >= pi[mu]!) u -= pi[mu++]!;
    h[i] = mu;
    for (let j = 0; j < m.nv; j++) X[i * m.nv + j] = m.b[j]! + m.W[mu * m.nv + j]! + noise * gaussian(rand);
  }
  return { X, h };
}

/**
 * E[v_missing | v_observed], exact in the mixture. The posterior over components given only
 * the observed units has logits ½‖w_{μ,m}‖² + w_{μ,m}·b_m + w_{μ,o}·v_o + c_μ (the terms that do
 * not depend on μ cancel), and the missing units' mean is b_m + Σ_μ p(μ|v_o) w_{μ,m}.
 * `observed[j]` says whether v[j] is given; the result copies observed units through.
 */
export function complete(
  m: Machine,
  v: ArrayLike<number>,
  observed: ArrayLike<boolean>,
): { v: Float64Array; posterior: Float64Array } {
  const logits = new Float64Array(m.nh);
  for (let mu = 0; mu < m.nh; mu++) {
    const o = mu * m.nv;
    let s = m.c[mu]!;
    for (let j = 0; j < m.nv; j++) {
      const w = m.W[o + j]!;
      s += observed[j] ? w * v[j]! : 0.5 * w * w + w * m.b[j]!;
    }
    logits[mu] = s;
  }
  const p = softmax(logits);
  const out = new Float64Array(m.nv);
  for (let j = 0; j < m.nv; j++) {
    if (observed[j]) {
      out[j] = v[j]!;
      continue;
    }
    let s = m.b[j]!;
    for (let mu = 0; mu < m.nh; mu++) s += p[mu]! * m.W[mu * m.nv + j]!;
    out[j] = s;
  }
  return { v: out, posterior: p };
}

/**
 * One modern-Hopfield update, the mean of p(v | h) under the attention p(h | v) at inverse
 * temperature β: v ← b + Wᵀ softmax(β(Wv + c)). With b = c = 0 and β = 1 this is the
 * attention step v ← Wᵀ softmax(Wv).
 */
export function retrieveStep(m: Machine, v: ArrayLike<number>, beta: number): { v: Float64Array; attention: Float64Array } {
  const p = softmax(attentionLogits(m, v, beta));
  const out = Float64Array.from(m.b);
  for (let mu = 0; mu < m.nh; mu++) {
    const pm = p[mu]!;
    if (pm < 1e-300) continue;
    const o = mu * m.nv;
    for (let j = 0; j < m.nv; j++) out[j] = out[j]! + pm * m.W[o + j]!;
  }
  return { v: out, attention: p };
}

/** Cosine overlaps of v with each row of P (n × d). */
export function overlaps(v: ArrayLike<number>, P: ArrayLike<number>, n: number, d: number): Float64Array {
  let vv = 0;
  for (let j = 0; j < d; j++) vv += v[j]! * v[j]!;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    let pp = 0;
    for (let j = 0; j < d; j++) {
      const p = P[i * d + j]!;
      dot += p * v[j]!;
      pp += p * p;
    }
    out[i] = vv > 0 && pp > 0 ? dot / Math.sqrt(vv * pp) : 0;
  }
  return out;
}

/**
 * The Gaussian–Bernoulli RBM with the same energy but h ∈ {0,1}^K is a mixture of 2^K unit
 * Gaussians: state h contributes centre b + Wᵀh with logit ½‖Wᵀh‖² + (Wᵀh)·b + hᵀc. So it is
 * an AttnBM whose keys are all subset sums of the RBM's rows: W' = H W, c' = H c.
 */
export function rbmStates(K: number): Float64Array {
  if (K < 1 || K > 16) throw new Error(`an exact GB-RBM needs 1..16 hidden units, got ${K}`);
  const n = 1 << K;
  const H = new Float64Array(n * K);
  for (let s = 0; s < n; s++) for (let k = 0; k < K; k++) H[s * K + k] = (s >> k) & 1;
  return H;
}

export function rbmAsMachine(W: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, K: number, nv: number): Machine {
  const H = rbmStates(K);
  const n = 1 << K;
  const W2 = new Float64Array(n * nv);
  const c2 = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < K; k++) {
      if (!H[s * K + k]) continue;
      c2[s] = c2[s]! + c[k]!;
      for (let j = 0; j < nv; j++) W2[s * nv + j] = W2[s * nv + j]! + W[k * nv + j]!;
    }
  }
  return { nv, nh: n, W: W2, b: Float64Array.from(b), c: c2 };
}
