// The infinite-width NTK of the NGD lab's MLPs and the test loss each method predicts with it
// (Karakida & Osawa 2020; the authors' released code predicts with these analytic kernels, where
// train.ts predicts with the network's own, finite-width, empirical NTK). NTK parameterisation as
// network.ts: u^l = (σ_w/√M_{l−1}) ω h^{l−1} + σ_b b. For inputs of one norm, at every layer
//   Σ^1(x, x') = σ_w² x·x'/M₀ + σ_b²,
//   Σ^{l+1} = σ_w² E[φ(u)φ(u')] + σ_b²,  Σ̇^{l+1} = σ_w² E[φ'(u)φ'(u')],  (u, u') ~ N(0, Σ^l),
// and layer l's parameters contribute Θ_l = Σ^l · B_l with B_l = Π_{k>l} Σ̇^k (B_L = 1): Σ^l is the
// Gram of layer l's augmented inputs (s h, σ_b), B_l that of its cotangents. The Gaussian
// expectations are the arc-cosine (ReLU), arcsine (erf) and linear closed forms of
// models/ntk/activations.ts; tanh has none and takes Gauss–Hermite quadrature.
import { moments, momentsClosed } from '../fisher/theory.ts';
import { eigh, solveSPD } from '../linalg/dense.ts';
import type { Activation } from '../ntk/activations.ts';
import { tridiagonalCoefficients, type NgdMethod } from './methods.ts';
import { transpose } from './network.ts';

export interface AnalyticSpec {
  activation: Activation;
  /** widths[0] = M₀, widths[L] = C; only M₀ and the depth matter at infinite width. */
  widths: number[];
  sigmaW2: number;
  sigmaB2: number;
}

/** Per layer l = 1 … L: Σ^l and B_l between the rows of A (Ta × d) and of B (Tb × d), each Ta × Tb row-major. */
export interface LayerKernels {
  sigma: Float64Array[];
  back: Float64Array[];
}

/** The inputs' common squared norm; the recursion above needs one (Kairo's tasks normalise |x| = 1). */
function commonNorm(X: Float64Array, T: number, d: number, what: string): number {
  let first = NaN;
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[t * d + j]! ** 2;
    if (t === 0) first = s;
    else if (Math.abs(s - first) > 1e-9 * first) throw new Error(`${what}: inputs of different norms (${first} and ${s})`);
  }
  return first;
}

/** Chebyshev–Lobatto nodes in the correlation ρ for activations without closed forms. */
const CHEB = 65;

/**
 * E[φ(u)φ(u')] and E[φ'(u)φ'(u')] at variance q as functions of the correlation ρ = cov/q: the closed
 * forms where they exist; otherwise quadrature at CHEB Chebyshev nodes in ρ and barycentric
 * interpolation between them (both are analytic in ρ on [−1, 1] for tanh: the interpolant agrees with
 * direct quadrature within 10⁻¹⁰ of the diagonal moment at q ≤ 2 and 10⁻⁶ at q = 8, and N² pairs cost
 * CHEB quadratures instead of N²: 0.2 s instead of 10 s at N = 100).
 */
export function pairMoments(act: Activation, q: number): (cov: number) => { e12: number; d12: number } {
  if (momentsClosed(act, q, 0)) return (cov) => moments(act, q, cov);
  const rho = Array.from({ length: CHEB }, (_, j) => Math.cos((Math.PI * j) / (CHEB - 1)));
  const at = rho.map((r) => moments(act, q, r * q, true));
  const w = rho.map((_, j) => (j % 2 ? -1 : 1) * (j === 0 || j === CHEB - 1 ? 0.5 : 1));
  return (cov) => {
    const r = Math.max(-1, Math.min(1, cov / q));
    let num1 = 0;
    let num2 = 0;
    let den = 0;
    for (let j = 0; j < CHEB; j++) {
      const d = r - rho[j]!;
      if (d === 0) return { e12: at[j]!.e12, d12: at[j]!.d12 };
      const c = w[j]! / d;
      num1 += c * at[j]!.e12;
      num2 += c * at[j]!.d12;
      den += c;
    }
    return { e12: num1 / den, d12: num2 / den };
  };
}

export function layerKernels(spec: AnalyticSpec, A: Float64Array, Ta: number, B: Float64Array, Tb: number): LayerKernels {
  const d = spec.widths[0]!;
  const L = spec.widths.length - 1;
  const { sigmaW2: w2, sigmaB2: b2 } = spec;
  const na = commonNorm(A, Ta, d, 'analytic NTK');
  const nb = commonNorm(B, Tb, d, 'analytic NTK');
  if (Math.abs(na - nb) > 1e-9 * na) throw new Error(`analytic NTK: the two sets have different norms (${na} and ${nb})`);
  const first = new Float64Array(Ta * Tb);
  for (let a = 0; a < Ta; a++)
    for (let b = 0; b < Tb; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += A[a * d + j]! * B[b * d + j]!;
      first[a * Tb + b] = (w2 * s) / d + b2;
    }
  const sigma = [first];
  const dots: Float64Array[] = [];
  let q = (w2 * na) / d + b2;
  for (let l = 1; l < L; l++) {
    const prev = sigma[l - 1]!;
    const next = new Float64Array(prev.length);
    const dot = new Float64Array(prev.length);
    const pair = pairMoments(spec.activation, q);
    for (let i = 0; i < prev.length; i++) {
      const m = pair(prev[i]!);
      next[i] = w2 * m.e12 + b2;
      dot[i] = w2 * m.d12;
    }
    q = w2 * moments(spec.activation, q, q).e11 + b2;
    sigma.push(next);
    dots.push(dot);
  }
  // B_L = 1; B_l = Σ̇^{l+1} B_{l+1}.
  const back: Float64Array[] = new Array<Float64Array>(L);
  back[L - 1] = new Float64Array(Ta * Tb).fill(1);
  for (let l = L - 2; l >= 0; l--) back[l] = back[l + 1]!.map((v, i) => v * dots[l]![i]!);
  return { sigma, back };
}

/** Θ_l = Σ^l ∘ B_l per layer, and Θ = Σ_l Θ_l. */
export function layerThetas(k: LayerKernels): { layers: Float64Array[]; total: Float64Array } {
  const layers = k.sigma.map((s, l) => s.map((v, i) => v * k.back[l]![i]!));
  const total = new Float64Array(layers[0]!.length);
  for (const t of layers) for (let i = 0; i < total.length; i++) total[i]! += t[i]!;
  return { layers, total };
}

/** K' K⁻¹ (Tt × T) for the test–train block K' (Tt × T) and the train block K (T × T). */
function rightSolve(Kx: Float64Array, K: Float64Array, T: number, Tt: number): Float64Array {
  return transpose(solveSPD(K, transpose(Kx, Tt, T), T, Tt), T, Tt);
}

/** M (Tt × T) applied to r (T × C, row t = sample): Tt × C. */
function applyRows(M: Float64Array, r: Float64Array, T: number, Tt: number, C: number): Float64Array {
  const out = new Float64Array(Tt * C);
  for (let a = 0; a < Tt; a++)
    for (let b = 0; b < T; b++) {
      const m = M[a * T + b]!;
      if (m !== 0) for (let k = 0; k < C; k++) out[a * C + k]! += m * r[b * C + k]!;
    }
  return out;
}

export interface AnalyticInput extends AnalyticSpec {
  method: NgdMethod;
  /** The method's α (null for gradient descent). */
  alpha: number | null;
  X: Float64Array;
  T: number;
  Xt: Float64Array;
  Tt: number;
  /** The network's own outputs at initialisation (rows t·C + k), as the authors' predictor takes them. */
  f0: Float64Array;
  ft0: Float64Array;
  Y: Float64Array;
  eta: number;
  steps: number;
}

export type AnalyticTest = { outputs: Float64Array[]; note: null } | { outputs: null; note: string };

/**
 * The test outputs after each step t = 0 … steps that the infinite-width NTK predicts:
 *   gradient descent f'_t = f'_0 − Θ'Θ⁻¹(I − (I − ηΘ/N)^t) r₀,
 *   a method with α  f'_t = f'_0 − (1 − (1 − αη)^t) R r₀,
 * R = Θ'Θ⁻¹ (exact), (1/L) Σ_l Θ'_lΘ_l⁻¹ (block-diagonal), Σ_l c_l Θ'_lΘ_l⁻¹ / Σ c (block-tri-diagonal,
 * c = T⁻¹1), and for K-FAC [N Σ_{l<L} (B'_lB_l⁻¹ ∘ Σ'^lΣ^{l,−1}) + Θ'_LΘ_L⁻¹] / α: each hidden layer's
 * Kronecker factors become projections onto the training rows (contributing N on them), the readout's
 * the exact block. Unit-wise NGD has none here: each unit's block depends on its own activation pattern.
 */
export function analyticTest(p: AnalyticInput): AnalyticTest {
  const { T, Tt, steps } = p;
  const L = p.widths.length - 1;
  const C = p.widths[L]!;
  if (p.method === 'unit-wise')
    return {
      outputs: null,
      note: 'unit-wise NGD: no infinite-width prediction (each unit’s block depends on its activation pattern)',
    };
  if (p.method !== 'gd' && p.alpha === null) return { outputs: null, note: 'the method has no α here, so no prediction' };
  const r0 = p.f0.map((v, i) => v - p.Y[i]!);
  try {
    const trainK = layerKernels(p, p.X, T, p.X, T);
    const train = layerThetas(trainK);
    const kx = layerKernels(p, p.Xt, Tt, p.X, T);
    const cross = layerThetas(kx);
    const perLayer = (l: number) => applyRows(rightSolve(cross.layers[l]!, train.layers[l]!, T, Tt), r0, T, Tt, C);
    let R: Float64Array;
    switch (p.method) {
      case 'gd': {
        // Θ's eigenbasis on T × T (Θ ⊗ I_C on the rows).
        return { outputs: gdOutputs(p, train.total, cross.total, r0), note: null };
      }
      case 'exact':
        R = applyRows(rightSolve(cross.total, train.total, T, Tt), r0, T, Tt, C);
        break;
      case 'block-diagonal':
      case 'block-tridiagonal': {
        const c = p.method === 'block-diagonal' || L <= 2 ? new Array<number>(L).fill(1) : tridiagonalCoefficients(L);
        if (!c) return { outputs: null, note: `the L × L tridiagonal system is singular at L = ${L}` };
        const sum = c.reduce((s, v) => s + v, 0);
        R = new Float64Array(Tt * C);
        for (let l = 0; l < L; l++) {
          const v = perLayer(l);
          for (let i = 0; i < R.length; i++) R[i]! += (c[l]! * v[i]!) / sum;
        }
        break;
      }
      case 'kfac': {
        R = perLayer(L - 1);
        for (let l = 0; l < L - 1; l++) {
          const a = rightSolve(kx.sigma[l]!, trainK.sigma[l]!, T, Tt);
          const b = rightSolve(kx.back[l]!, trainK.back[l]!, T, Tt);
          const v = applyRows(
            a.map((x, i) => T * x * b[i]!),
            r0,
            T,
            Tt,
            C,
          );
          for (let i = 0; i < R.length; i++) R[i]! += v[i]!;
        }
        R = R.map((v) => v / p.alpha!);
        break;
      }
    }
    const q = 1 - p.alpha! * p.eta;
    const outputs = Array.from({ length: steps + 1 }, (_, t) => {
      const g = 1 - q ** t;
      return p.ft0.map((v, i) => v - g * R[i]!);
    });
    return { outputs, note: null };
  } catch (e) {
    return { outputs: null, note: `no infinite-width prediction: ${(e as Error).message}` };
  }
}

function gdOutputs(p: AnalyticInput, theta: Float64Array, cross: Float64Array, r0: Float64Array): Float64Array[] {
  const { T, Tt, eta, steps } = p;
  const C = p.widths.at(-1)!;
  // w_t = Θ⁻¹(I − (I − ηΘ/N)^t) r₀ through the power series' closed form in Θ's eigenbasis.
  const { values, vectors } = eigh(theta, T, { vectors: true });
  const top = values[T - 1]!;
  return Array.from({ length: steps + 1 }, (_, t) => {
    const w = new Float64Array(T * C);
    for (let k = 0; k < T; k++) {
      const lam = values[k]!;
      if (!(lam > 1e-12 * top)) continue;
      const g = (1 - (1 - (eta * lam) / T) ** t) / lam;
      for (let c = 0; c < C; c++) {
        let proj = 0;
        for (let a = 0; a < T; a++) proj += vectors![a * T + k]! * r0[a * C + c]!;
        for (let a = 0; a < T; a++) w[a * C + c]! += vectors![a * T + k]! * g * proj;
      }
    }
    return applyRows(cross, w, T, Tt, C).map((v, i) => p.ft0[i]! - v);
  });
}
