// Mean-field theory of the Fisher information of a random MLP (Karakida–Akaho–Amari 2019),
// as finite-width predictions. Forward order parameters per layer: q₁ = σ_w² q̂₁ + σ_b²
// (variance of a pre-activation), q₂ likewise for two different inputs, q̂₁ = E φ(u)²,
// q̂₂ = E φ(u)φ(v). Backward, summed over units: q̃₁^L = q̃₂^L = 1,
// q̃₁^l = σ_w² E[φ'(u)²] q̃₁^{l+1}, q̃₂^l = σ_w² E[φ'(u)φ'(v)] q̃₂^{l+1}.
// At leading order the Fisher dual is F* = (1/T)[(a − b) I + b 11ᵀ] ⊗ I_C with
// a = Σ_l q̃₁^l (M_{l−1} q̂₁^{l−1} + 1) and b = Σ_l q̃₂^l (M_{l−1} q̂₂^{l−1} + 1) (the +1 is the
// bias), which gives m_λ, s_λ, λ_max and the bulk below. Closed forms for ReLU, erf and
// linear units; Gauss–Hermite quadrature for tanh or when asked.
import type { Activation } from '../ntk/gram.ts';
import { ACTIVATION_TABLE, dphi, phi, type Moments } from '../ntk/activations.ts';
import { tridiagonalEigen } from '../linalg/tridiag.ts';

export type FisherNorm = 'none' | 'bn-last' | 'bn-hidden' | 'ln';
export type FisherLoss = 'mse' | 'ce';

export interface TheoryInput {
  activation: Activation;
  /** widths[0] = M₀ (inputs), widths[1..L−1] hidden, widths[L] = C. */
  widths: number[];
  sigmaW2: number;
  sigmaB2: number;
  /** Samples T. */
  samples: number;
  /** Input order parameters: mean |x|²/M₀ and mean x·x'/M₀ over pairs (1 and 0 for N(0, I) inputs). */
  inputQ1?: number;
  inputQ2?: number;
  norm?: FisherNorm;
  loss?: FisherLoss;
  /** Force Gauss–Hermite quadrature even where a closed form exists. */
  quadrature?: boolean;
}

export interface LayerOrder {
  q1: number;
  q2: number;
  /** q̂ of this layer's output h^l (for l = 0: the inputs). */
  qh1: number;
  qh2: number;
  qt1: number;
  qt2: number;
}

export interface Theory {
  kappa1: number;
  kappa2: number;
  m_lambda: number;
  s_lambda: number;
  lambda_max: number;
  /** Where the other C(T−1) nonzero eigenvalues sit at leading order. */
  bulk: number;
  /** Parameters P, biases included. */
  P: number;
  layers: LayerOrder[];
  /** What the prediction assumes, when it is an approximation beyond the mean-field theorem. */
  note: string | null;
}

// ---------- Gaussian expectations ----------

const GH = new Map<number, { x: Float64Array; w: Float64Array }>();

/** Gauss–Hermite rule for E over N(0, 1) (probabilists'), by Golub–Welsch: nodes and weights summing to 1. */
export function gaussHermite(n: number): { x: Float64Array; w: Float64Array } {
  const hit = GH.get(n);
  if (hit) return hit;
  const off = Float64Array.from({ length: n - 1 }, (_, k) => Math.sqrt(k + 1));
  const { values, Z } = tridiagonalEigen(new Float64Array(n), off, true);
  const w = Float64Array.from({ length: n }, (_, j) => Z![j]! ** 2);
  const rule = { x: values, w };
  GH.set(n, rule);
  return rule;
}

const NODES = 96;

export function momentsQuadrature(act: Activation, q1: number, q2: number): Moments {
  const { x, w } = gaussHermite(NODES);
  const s = Math.sqrt(Math.max(q1, 0));
  const c = q1 > 0 ? Math.max(-1, Math.min(1, q2 / q1)) : 0;
  const r = Math.sqrt(1 - c * c);
  let e11 = 0;
  let d11 = 0;
  let e12 = 0;
  let d12 = 0;
  for (let i = 0; i < x.length; i++) {
    const u = s * x[i]!;
    const pu = phi(act, u);
    const du = dphi(act, u);
    e11 += w[i]! * pu * pu;
    d11 += w[i]! * du * du;
    for (let j = 0; j < x.length; j++) {
      const v = s * (c * x[i]! + r * x[j]!);
      const ww = w[i]! * w[j]!;
      e12 += ww * pu * phi(act, v);
      d12 += ww * du * dphi(act, v);
    }
  }
  return { e11, e12, d11, d12 };
}

/** Closed forms where the activation table has them (ReLU, erf, linear). */
export function momentsClosed(act: Activation, q1: number, q2: number): Moments | null {
  return ACTIVATION_TABLE[act].moments?.(q1, q2) ?? null;
}

/** E φ(u)² and E φ'(u)², u ~ N(0, q): closed form where the table has one, else a 1-D Gauss–Hermite rule. */
export function diagonalMoments(act: Activation, q: number): { e11: number; d11: number } {
  const m = momentsClosed(act, q, q);
  if (m) return m;
  const { x, w } = gaussHermite(NODES);
  const s = Math.sqrt(Math.max(q, 0));
  let e11 = 0;
  let d11 = 0;
  for (let i = 0; i < x.length; i++) {
    const u = s * x[i]!;
    e11 += w[i]! * phi(act, u) ** 2;
    d11 += w[i]! * dphi(act, u) ** 2;
  }
  return { e11, d11 };
}

/** The Gaussian moments of φ: closed form where the table has one, else Gauss–Hermite quadrature. */
export function moments(act: Activation, q1: number, q2: number, quadrature = false): Moments {
  return (!quadrature && momentsClosed(act, q1, q2)) || momentsQuadrature(act, q1, q2);
}

export function parameterCount(widths: number[]): number {
  let P = 0;
  for (let l = 1; l < widths.length; l++) P += widths[l]! * (widths[l - 1]! + 1);
  return P;
}

/**
 * Order parameters and predictions. Layer norm (per sample) is taken at leading order as
 * dividing each pre-activation by √q₁ (so φ sees unit variance) with the same factor on the
 * way back; it leaves the sample-mean direction, so the outlier stays. Batch-mean centring of
 * the last layer projects F* onto the complement of the sample-mean direction, removing the
 * outlier exactly. Batch norm in hidden layers has no prediction here (null fields).
 */
export function fisherTheory(inp: TheoryInput): Theory | null {
  const { activation: act, widths, sigmaW2, sigmaB2, samples: T } = inp;
  const norm = inp.norm ?? 'none';
  const loss = inp.loss ?? 'mse';
  const L = widths.length - 1;
  const C = widths[L]!;
  const P = parameterCount(widths);
  if (L < 2) throw new Error('the theory needs at least one hidden layer (depth ≥ 2)');
  if (norm === 'bn-hidden') return null;
  const quad = inp.quadrature ?? false;
  const layers: LayerOrder[] = [{ q1: NaN, q2: NaN, qh1: inp.inputQ1 ?? 1, qh2: inp.inputQ2 ?? 0, qt1: NaN, qt2: NaN }];
  const dd: { d11: number; d12: number; scale: number }[] = [];
  for (let l = 1; l < L; l++) {
    const prev = layers[l - 1]!;
    const q1 = sigmaW2 * prev.qh1 + sigmaB2;
    const q2 = sigmaW2 * prev.qh2 + sigmaB2;
    // Layer norm: φ sees u/√q₁; its Jacobian scales gradients by 1/√q₁ (squared: 1/q₁).
    const [a1, a2, scale] = norm === 'ln' ? [1, q2 / q1, 1 / q1] : [q1, q2, 1];
    const m = moments(act, a1, a2, quad);
    layers.push({ q1, q2, qh1: m.e11, qh2: m.e12, qt1: NaN, qt2: NaN });
    dd.push({ d11: m.d11, d12: m.d12, scale });
  }
  // Backward: the readout's δ is e_k (q̃ = 1); below it, one factor σ_w² E[φ'φ'] per layer.
  const qt1 = new Array<number>(L + 1).fill(1);
  const qt2 = new Array<number>(L + 1).fill(1);
  for (let l = L - 1; l >= 1; l--) {
    qt1[l] = sigmaW2 * dd[l - 1]!.d11 * dd[l - 1]!.scale * qt1[l + 1]!;
    qt2[l] = sigmaW2 * dd[l - 1]!.d12 * dd[l - 1]!.scale * qt2[l + 1]!;
  }
  for (let l = 1; l < L; l++) {
    layers[l]!.qt1 = qt1[l]!;
    layers[l]!.qt2 = qt2[l]!;
  }
  let a = 0;
  let b = 0;
  let k1 = 0;
  let k2 = 0;
  const M = widths[1]!;
  let alpha = 0;
  for (let l = 1; l < L; l++) alpha += (widths[l]! / M) * (widths[l - 1]! / M);
  for (let l = 1; l <= L; l++) {
    const h = layers[l - 1]!;
    a += qt1[l]! * (widths[l - 1]! * h.qh1 + 1);
    b += qt2[l]! * (widths[l - 1]! * h.qh2 + 1);
    k1 += (widths[l - 1]! / M / alpha) * h.qh1 * qt1[l]!;
    k2 += (widths[l - 1]! / M / alpha) * h.qh2 * qt2[l]!;
  }
  let m: number;
  let s: number;
  let lmax: number;
  let bulk: number;
  let note: string | null = null;
  if (norm === 'bn-last') {
    note =
      'last-layer centring: the outlier is removed; λ_max is the leading-order bulk location, which finite-width fluctuations spread upward';
    bulk = (a - b) / T;
    lmax = bulk;
    m = (C * (T - 1) * (a - b)) / (T * P);
    s = (C * (T - 1) * (a - b) ** 2) / (T * T * P);
  } else {
    lmax = (a + (T - 1) * b) / T;
    bulk = (a - b) / T;
    m = (C * a) / P;
    s = (C * (a * a + (T - 1) * b * b)) / (T * P);
  }
  if (loss === 'ce') {
    // Equal-logit approximation: Q = (I − 11ᵀ/C)/C for every sample, so the C outlier copies
    // become C − 1 copies scaled by 1/C, and traces pick up Tr Q = (C − 1)/C, ‖Q‖² = (C − 1)/C².
    lmax /= C;
    bulk /= C;
    m *= (C - 1) / C;
    s *= (C - 1) / (C * C);
    note = (note ? note + '; ' : '') + 'cross-entropy: equal-logit approximation p = 1/C';
  }
  if (norm === 'ln') note = (note ? note + '; ' : '') + 'layer norm: leading order, u/√q₁ per sample';
  return { kappa1: k1, kappa2: k2, m_lambda: m, s_lambda: s, lambda_max: lmax, bulk, P, layers, note };
}
