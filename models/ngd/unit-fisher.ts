// The Fisher information of one unit u = w·x + b with Gaussian input x ~ N(0, I_n) (Amari, Karakida &
// Oizumi, AISTATS 2019): G = E[φ'(u)² x̃x̃ᵀ], x̃ = (x, 1). Writing e = w/|w|, z = e·x and β = b/|w|,
// the part of x orthogonal to e is independent of z, so
//   G = A₁₁ (I − eeᵀ) ⊕ B on span{e, bias},  B = [[A_zz, A_z1], [A_z1, A₁₁]],
//   A₁₁ = Eφ'², A_z1 = E[φ'² z], A_zz = E[φ'² z²]  (u = |w|(z + β)),
// and its inverse is explicit: G⁻¹ = A₁₁⁻¹ (I − eeᵀ) ⊕ B⁻¹: the quasi-diagonal natural gradient
// needs no numerical inversion.
import { gaussian } from '../common/rng.ts';
import { gaussHermite } from '../fisher/theory.ts';
import { eigh } from '../linalg/dense.ts';
import { dphi, erf, type Activation } from '../ntk/activations.ts';

export interface UnitMoments {
  a11: number;
  az1: number;
  azz: number;
}

const normPdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
const normCdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));

/** A₁₁, A_z1, A_zz in closed form (ReLU, erf, linear) or by 96-node Gauss–Hermite quadrature (tanh). */
export function unitMoments(act: Activation, beta: number, weightNorm = 1): UnitMoments {
  switch (act) {
    case 'relu':
      // φ'² = 1[z > −β]: Gaussian tail integrals.
      return { a11: normCdf(beta), az1: normPdf(beta), azz: normCdf(beta) - beta * normPdf(beta) };
    case 'linear':
      return { a11: 1, az1: 0, azz: 1 };
    case 'erf': {
      // φ'² = (4/π) e^{−c(z+β)²}, c = 2|w|²; completing the square leaves N(m, 1/p) moments.
      const c = 2 * weightNorm ** 2;
      const p = 1 + 2 * c;
      const m = (-2 * c * beta) / p;
      const a11 = (4 / Math.PI / Math.sqrt(p)) * Math.exp((-c * beta * beta) / p);
      return { a11, az1: a11 * m, azz: a11 * (m * m + 1 / p) };
    }
    case 'tanh': {
      const { x, w } = gaussHermite(96);
      let a11 = 0;
      let az1 = 0;
      let azz = 0;
      for (let i = 0; i < x.length; i++) {
        const z = x[i]!;
        const d2 = dphi('tanh', weightNorm * (z + beta)) ** 2 * w[i]!;
        a11 += d2;
        az1 += d2 * z;
        azz += d2 * z * z;
      }
      return { a11, az1, azz };
    }
  }
}

/** The (n+1) × (n+1) matrix G for weight direction e (unit vector, length n); the bias is the last coordinate. */
export function unitFisherMatrix(m: UnitMoments, e: ArrayLike<number>): Float64Array {
  const n = e.length;
  const N = n + 1;
  const G = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) G[i * N + j] = (i === j ? m.a11 : 0) + (m.azz - m.a11) * e[i]! * e[j]!;
    G[i * N + n] = m.az1 * e[i]!;
    G[n * N + i] = m.az1 * e[i]!;
  }
  G[n * N + n] = m.a11;
  return G;
}

/** G⁻¹ = A₁₁⁻¹ (I − eeᵀ) ⊕ B⁻¹, assembled from the closed form (no numerical inversion). */
export function unitFisherInverse(m: UnitMoments, e: ArrayLike<number>): Float64Array {
  const n = e.length;
  const N = n + 1;
  const det = m.azz * m.a11 - m.az1 * m.az1;
  const [bzz, bz1, b11] = [m.a11 / det, -m.az1 / det, m.azz / det];
  const inv = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) inv[i * N + j] = (i === j ? 1 / m.a11 : 0) + (bzz - 1 / m.a11) * e[i]! * e[j]!;
    inv[i * N + n] = bz1 * e[i]!;
    inv[n * N + i] = bz1 * e[i]!;
  }
  inv[n * N + n] = b11;
  return inv;
}

/** Eigenvalues, ascending: A₁₁ (n − 1 times) and the two of B. */
export function unitFisherEigenvalues(m: UnitMoments, n: number): number[] {
  const tr = m.azz + m.a11;
  const det = m.azz * m.a11 - m.az1 * m.az1;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  return [...Array<number>(n - 1).fill(m.a11), tr / 2 - disc, tr / 2 + disc].sort((a, b) => a - b);
}

/** A random unit direction in R^n. */
export function randomDirection(n: number, rand: () => number): Float64Array {
  const e = Float64Array.from({ length: n }, () => gaussian(rand));
  const s = Math.sqrt(e.reduce((a, x) => a + x * x, 0));
  return e.map((x) => x / s);
}

/** Monte-Carlo G from S inputs x ~ N(0, I_n), for w = |w|e and b = β|w|. */
export function unitFisherMonteCarlo(
  act: Activation,
  e: ArrayLike<number>,
  beta: number,
  weightNorm: number,
  samples: number,
  rand: () => number,
): Float64Array {
  const n = e.length;
  const N = n + 1;
  const G = new Float64Array(N * N);
  const x = new Float64Array(N);
  x[n] = 1;
  for (let s = 0; s < samples; s++) {
    let z = 0;
    for (let i = 0; i < n; i++) {
      x[i] = gaussian(rand);
      z += e[i]! * x[i]!;
    }
    const d2 = dphi(act, weightNorm * (z + beta)) ** 2;
    if (d2 === 0) continue;
    for (let i = 0; i < N; i++) {
      const xi = d2 * x[i]!;
      for (let j = 0; j <= i; j++) G[i * N + j]! += xi * x[j]!;
    }
  }
  for (let i = 0; i < N; i++)
    for (let j = 0; j <= i; j++) {
      G[i * N + j]! /= samples;
      G[j * N + i] = G[i * N + j]!;
    }
  return G;
}

export const eigenvaluesOf = (G: Float64Array, N: number): number[] => [...eigh(G, N).values];
