// Every activation Kairo's networks use, in one table: φ, φ′, and where they exist the closed
// forms of the Gaussian moments the mean-field theory needs (models/fisher/theory.ts falls back
// to Gauss–Hermite quadrature where an entry has none).

export type Activation = 'relu' | 'tanh' | 'erf' | 'linear';

/** E over a centred Gaussian pair (u, v) with variances q1 and covariance q2. */
export interface Moments {
  /** E φ(u)², u ~ N(0, q1) */
  e11: number;
  /** E φ(u)φ(v), var q1 each, cov q2 */
  e12: number;
  /** E φ'(u)² */
  d11: number;
  /** E φ'(u)φ'(v) */
  d12: number;
}

export interface ActivationEntry {
  phi(u: number): number;
  dphi(u: number): number;
  /** Closed-form moments, or null where only quadrature gives them. */
  moments: ((q1: number, q2: number) => Moments) | null;
}

/** erf to near double precision: its Maclaurin series below 2.5, a continued fraction for erfc above. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf x = 2/√π Σ (−1)^n x^{2n+1} / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc by Lentz's continued fraction: erfc x = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = D === 0 ? 1e-300 : 1 / D;
    C = ax + an / C;
    if (C === 0) C = 1e-300;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const corr = (q1: number, q2: number) => (q1 > 0 ? Math.max(-1, Math.min(1, q2 / q1)) : 0);

export const ACTIVATION_TABLE: { readonly [A in Activation]: ActivationEntry } = {
  relu: {
    phi: (u) => (u > 0 ? u : 0),
    dphi: (u) => (u > 0 ? 1 : 0),
    // The arc-cosine kernels of degree 1 and 0.
    moments: (q1, q2) => {
      const c = corr(q1, q2);
      const th = Math.acos(c);
      return {
        e11: q1 / 2,
        e12: (q1 / (2 * Math.PI)) * (Math.sqrt(1 - c * c) + (Math.PI - th) * c),
        d11: 0.5,
        d12: (Math.PI - th) / (2 * Math.PI),
      };
    },
  },
  tanh: {
    phi: (u) => Math.tanh(u),
    dphi: (u) => {
      const t = Math.tanh(u);
      return 1 - t * t;
    },
    moments: null,
  },
  erf: {
    phi: erf,
    dphi: (u) => (2 / Math.sqrt(Math.PI)) * Math.exp(-u * u),
    // Williams' arcsine kernel and its derivative's Gaussian integral.
    moments: (q1, q2) => {
      const g = 1 + 2 * q1;
      return {
        e11: (2 / Math.PI) * Math.asin((2 * q1) / g),
        e12: (2 / Math.PI) * Math.asin((2 * q2) / g),
        d11: 4 / Math.PI / Math.sqrt(g * g - 4 * q1 * q1),
        d12: 4 / Math.PI / Math.sqrt(g * g - 4 * q2 * q2),
      };
    },
  },
  linear: { phi: (u) => u, dphi: () => 1, moments: (q1, q2) => ({ e11: q1, e12: q2, d11: 1, d12: 1 }) },
};

export const phi = (a: Activation, u: number): number => ACTIVATION_TABLE[a].phi(u);
export const dphi = (a: Activation, u: number): number => ACTIVATION_TABLE[a].dphi(u);
