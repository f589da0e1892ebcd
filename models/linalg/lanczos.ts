// Top-k eigenpairs of a symmetric operator known only through products v ↦ Av (e.g. the
// NTK/Fisher dual applied without forming it), by Lanczos with full reorthogonalisation:
// every new vector is orthogonalised twice against all previous ones, which costs O(n m²)
// but keeps the Ritz values free of spurious copies. The Krylov space grows until the k
// largest Ritz pairs have residuals below tol·|λ_max| (or it spans the whole space).
import { mulberry32 } from '../common/rng.ts';
import { tridiagonalEigen } from './tridiag.ts';

export interface LanczosOptions {
  tol?: number;
  maxIter?: number;
  seed?: number;
  vectors?: boolean;
  /** The first Lanczos vector (normalised here), e.g. the previous top eigenvector during training; random when absent. */
  start?: Float64Array;
}

export interface LanczosResult {
  /** Largest first. */
  values: Float64Array;
  /** Ritz vectors, row j is the vector of values[j]; only when asked. */
  vectors: Float64Array[] | null;
  iterations: number;
  /** Residual norms ‖Av − λv‖ estimated from the recurrence. */
  residuals: Float64Array;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function lanczosTopK(
  n: number,
  k: number,
  matvec: (v: Float64Array) => Float64Array,
  opts: LanczosOptions = {},
): LanczosResult {
  if (!(k >= 1 && k <= n)) throw new Error(`k must be in 1..${n}, got ${k}`);
  const tol = opts.tol ?? 1e-10;
  const maxIter = Math.min(n, opts.maxIter ?? Math.max(4 * k + 40, 120));
  const rand = mulberry32(opts.seed ?? 1);
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q =
    opts.start && opts.start.some((x) => x !== 0)
      ? Float64Array.from(opts.start)
      : Float64Array.from({ length: n }, () => rand() - 0.5);
  let norm = Math.sqrt(dot(q, q));
  for (let i = 0; i < n; i++) q[i]! /= norm;
  let result: LanczosResult | null = null;
  for (let j = 0; j < maxIter; j++) {
    Q.push(q);
    const w = matvec(q);
    if (w.length !== n) throw new Error(`matvec returned ${w.length} values, expected ${n}`);
    const a = dot(w, q);
    alpha.push(a);
    // Two passes of classical Gram–Schmidt against every Lanczos vector.
    for (let pass = 0; pass < 2; pass++) {
      for (const qi of Q) {
        const c = dot(w, qi);
        for (let t = 0; t < n; t++) w[t]! -= c * qi[t]!;
      }
    }
    norm = Math.sqrt(dot(w, w));
    const m = j + 1;
    const done = m === maxIter || norm < 1e-300 || m === n;
    if (m >= k && (m % 5 === 0 || done)) {
      const { values, Z } = tridiagonalEigen(alpha, beta, true);
      const top = Array.from({ length: k }, (_, i) => m - 1 - i);
      const scale = Math.max(Math.abs(values[0]!), Math.abs(values[m - 1]!), Number.MIN_VALUE);
      const residuals = Float64Array.from(top, (c) => Math.abs(norm * Z![(m - 1) * m + c]!));
      if (done || residuals.every((r) => r <= tol * scale)) {
        let vectors: Float64Array[] | null = null;
        if (opts.vectors) {
          vectors = top.map((c) => {
            const v = new Float64Array(n);
            for (let i = 0; i < m; i++) {
              const z = Z![i * m + c]!;
              const qi = Q[i]!;
              for (let t = 0; t < n; t++) v[t]! += z * qi[t]!;
            }
            return v;
          });
        }
        result = { values: Float64Array.from(top, (c) => values[c]!), vectors, iterations: m, residuals };
        break;
      }
    }
    if (done) break;
    beta.push(norm);
    q = Float64Array.from(w, (x) => x / norm);
  }
  return result!;
}
