// Data for the Hopfield–Boltzmann lab: 2-D toy mixtures with known centres, and the ZCA
// whitening used for MNIST patterns (the AttnBM's components have unit covariance, so data
// is brought to roughly unit variance per direction first).
import { eigh } from '../linalg/dense.ts';
import { gaussian } from '../common/rng.ts';

export interface ToyMixture {
  centres: Float64Array;
  X: Float64Array;
  labels: Int32Array;
  n: number;
}

/**
 * K clusters on a ring of the given radius (equal angles, a random rotation and ±15 % jitter
 * of the radius, so clusters are distinct but not perfectly symmetric), each an isotropic
 * Gaussian of standard deviation `std`, `perCluster` points each.
 */
export function toyMixture(K: number, perCluster: number, radius: number, std: number, rand: () => number): ToyMixture {
  const centres = new Float64Array(K * 2);
  const rot = rand() * 2 * Math.PI;
  for (let k = 0; k < K; k++) {
    const r = radius * (0.85 + 0.3 * rand());
    const t = rot + (2 * Math.PI * k) / K;
    centres[2 * k] = r * Math.cos(t);
    centres[2 * k + 1] = r * Math.sin(t);
  }
  const n = K * perCluster;
  const X = new Float64Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % K;
    labels[i] = k;
    X[2 * i] = centres[2 * k]! + std * gaussian(rand);
    X[2 * i + 1] = centres[2 * k + 1]! + std * gaussian(rand);
  }
  return { centres, X, labels, n };
}

export interface Whitening {
  d: number;
  mean: Float64Array;
  /** v = A (x − mean) */
  A: Float64Array;
  /** x = mean + Ainv v */
  Ainv: Float64Array;
}

/**
 * ZCA: A = U diag(1/√(λ+ε)) Uᵀ / s, where s is the standard deviation of all whitened entries
 * of the fitting data (so the data has unit variance overall, as in the AttnBM paper's code).
 */
export function fitZca(X: ArrayLike<number>, n: number, d: number, eps = 0.01): Whitening {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + X[i * d + j]! / n;
  const C = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = X[i * d + j]! - mean[j]!;
    for (let j = 0; j < d; j++) {
      const r = row[j]! / n;
      if (r === 0) continue;
      for (let k = j; k < d; k++) C[j * d + k] = C[j * d + k]! + r * row[k]!;
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) C[j * d + k] = C[k * d + j]!;
  const { values, vectors } = eigh(C, d, { vectors: true });
  const U = vectors!; // row-major: U[i*d + k] is component i of eigenvector k
  const build = (f: (l: number) => number) => {
    const M = new Float64Array(d * d);
    for (let k = 0; k < d; k++) {
      const s = f(Math.max(0, values[k]!) + eps);
      for (let i = 0; i < d; i++) {
        const ui = U[i * d + k]! * s;
        if (ui === 0) continue;
        for (let j = 0; j < d; j++) M[i * d + j] = M[i * d + j]! + ui * U[j * d + k]!;
      }
    }
    return M;
  };
  const A = build((l) => 1 / Math.sqrt(l));
  const Ainv = build((l) => Math.sqrt(l));
  const w: Whitening = { d, mean, A, Ainv };
  // Global scale: unit variance over all entries of the whitened fitting data.
  let ss = 0;
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    applyAffine(w.A, w.mean, X, i, d, v);
    for (let j = 0; j < d; j++) ss += v[j]! * v[j]!;
  }
  const s = Math.sqrt(ss / (n * d)) || 1;
  for (let i = 0; i < d * d; i++) {
    A[i] = A[i]! / s;
    Ainv[i] = Ainv[i]! * s;
  }
  return w;
}

function applyAffine(A: Float64Array, mean: Float64Array, X: ArrayLike<number>, i: number, d: number, out: Float64Array): void {
  for (let r = 0; r < d; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += A[r * d + j]! * (X[i * d + j]! - mean[j]!);
    out[r] = s;
  }
}

export function whiten(w: Whitening, X: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * w.d);
  const v = new Float64Array(w.d);
  for (let i = 0; i < n; i++) {
    applyAffine(w.A, w.mean, X, i, w.d, v);
    out.set(v, i * w.d);
  }
  return out;
}

export function unwhiten(w: Whitening, V: ArrayLike<number>, n: number): Float64Array {
  const d = w.d;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < d; r++) {
      let s = w.mean[r]!;
      for (let j = 0; j < d; j++) s += w.Ainv[r * d + j]! * V[i * d + j]!;
      out[i * d + r] = s;
    }
  }
  return out;
}
