// Dot-product kernels on the unit sphere S^{d−1} and their Mercer spectrum. By the Funk–Hecke
// theorem a kernel k(x·z) has the spherical harmonics of degree l as eigenfunctions (with respect
// to the uniform probability measure), with one eigenvalue per degree,
//   η_l = E_t[k(t) P_l(t)],  t = x·z ~ density ∝ (1 − t²)^{(d−3)/2} on [−1, 1],
// P_l the Gegenbauer polynomial of the dimension normalised to P_l(1) = 1, and multiplicity
// N(d, l) = (2l + d − 2)(l + d − 3)! / (l! (d − 2)!). Then k(t) = Σ_l N(d, l) η_l P_l(t).
// The expectation is a Gauss–Gegenbauer rule (Golub–Welsch on the Jacobi matrix).
import { tridiagonalEigen } from '../linalg/tridiag.ts';

export type KernelName = 'ntk-relu' | 'arccos0' | 'arccos1' | 'rbf';

const acos = (t: number) => Math.acos(Math.max(-1, Math.min(1, t)));

/** k(t) for unit vectors with t = x·z. */
export const KERNELS: { readonly [K in KernelName]: { k(t: number): number; doc: string } } = {
  // f(x) = (1/√M) Σ v_i relu(w_i·x), w, v ~ N(0, I): Θ = E[relu relu'] + t E[relu' relu'].
  'ntk-relu': {
    k: (t) => (Math.sqrt(Math.max(0, 1 - t * t)) + 2 * t * (Math.PI - acos(t))) / (2 * Math.PI),
    doc: 'the NTK of a two-layer ReLU network: (√(1−t²) + 2t(π − arccos t))/(2π)',
  },
  arccos0: { k: (t) => (Math.PI - acos(t)) / Math.PI, doc: 'arc-cosine kernel of degree 0: 1 − arccos(t)/π' },
  arccos1: {
    k: (t) => (Math.sqrt(Math.max(0, 1 - t * t)) + (Math.PI - acos(t)) * t) / Math.PI,
    doc: 'arc-cosine kernel of degree 1: (√(1−t²) + (π − arccos t)t)/π',
  },
  rbf: { k: (t) => Math.exp(t - 1), doc: 'Gaussian kernel on the sphere: exp(−|x − z|²/2) = exp(t − 1)' },
};

/** Normalised Gegenbauer polynomials P_0..P_L at t for dimension d ≥ 3: P_{l+1} = (2(l+λ) t P_l − l P_{l−1})/(l + 2λ), λ = (d−2)/2. */
export function gegenbauer(d: number, L: number, t: number): Float64Array {
  const lam = (d - 2) / 2;
  const P = new Float64Array(L + 1);
  P[0] = 1;
  if (L >= 1) P[1] = t;
  for (let l = 1; l < L; l++) P[l + 1] = (2 * (l + lam) * t * P[l]! - l * P[l - 1]!) / (l + 2 * lam);
  return P;
}

/** N(d, l): the dimension of the degree-l spherical harmonics on S^{d−1}. */
export function multiplicity(d: number, l: number): number {
  if (l === 0) return 1;
  // (2l + d − 2)/l · C(l + d − 3, l − 1)
  let c = 1;
  for (let i = 1; i <= l - 1; i++) c = (c * (d - 2 + i)) / i;
  return ((2 * l + d - 2) / l) * c;
}

/** Nodes and weights (summing to 1) of the n-point Gauss rule for the density ∝ (1 − t²)^{(d−3)/2}. */
export function gegenbauerRule(d: number, n: number): { t: Float64Array; w: Float64Array } {
  const lam = (d - 2) / 2;
  // Monic recurrence p_{k+1} = t p_k − b_k p_{k−1}, b_k = k(k + 2λ − 1) / (4(k + λ)(k + λ − 1)).
  const off = Float64Array.from({ length: n - 1 }, (_, i) => {
    const k = i + 1;
    return Math.sqrt((k * (k + 2 * lam - 1)) / (4 * (k + lam) * (k + lam - 1)));
  });
  const { values, Z } = tridiagonalEigen(new Float64Array(n), off, true);
  return { t: values, w: Float64Array.from({ length: n }, (_, j) => Z![j]! ** 2) };
}

export interface MercerSpectrum {
  d: number;
  /** η_l for l = 0..L. */
  eta: Float64Array;
  /** N(d, l) for l = 0..L. */
  mult: Float64Array;
  /** k(1) − Σ_{l≤L} N(d, l) η_l: the trace of the degrees beyond L (treated as η → 0). */
  tail: number;
}

/** η_0..η_L of a dot-product kernel on S^{d−1}; the rule has max(2L + 40, 200) nodes. */
export function mercerSpectrum(k: (t: number) => number, d: number, L: number): MercerSpectrum {
  if (!(d >= 3)) throw new Error(`the sphere's dimension d must be at least 3, got ${d}`);
  const { t, w } = gegenbauerRule(d, Math.max(2 * L + 40, 200));
  const eta = new Float64Array(L + 1);
  for (let j = 0; j < t.length; j++) {
    const P = gegenbauer(d, L, t[j]!);
    const kw = k(t[j]!) * w[j]!;
    for (let l = 0; l <= L; l++) eta[l]! += kw * P[l]!;
  }
  const mult = Float64Array.from({ length: L + 1 }, (_, l) => multiplicity(d, l));
  let captured = 0;
  for (let l = 0; l <= L; l++) captured += mult[l]! * eta[l]!;
  return { d, eta, mult, tail: Math.max(0, k(1) - captured) };
}
