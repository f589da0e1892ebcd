// Top-k eigenpairs of a symmetric operator known only through products v ↦ Av (e.g. the
// NTK/Fisher dual applied without forming it), by Lanczos with full reorthogonalisation:
// every new vector is orthogonalised against all previous ones (reorthogonalise), which costs O(n m²)
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

/** a·b with four running sums (one would wait on each add's latency). */
function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

/**
 * w ← (I − QQᵀ)w by classical Gram–Schmidt, once more where the first pass cancelled most of w
 * (its norm fell below 1/√2 of itself, the test of Daniel, Gragg, Kaufman and Stewart, 1976):
 * "twice is enough", and as orthogonal as modified Gram–Schmidt, while the vectors can be taken
 * four at a time. Each pass reads w once per four vectors for their coefficients, and once more
 * per four to subtract them. Lanczos runs it after the three-term recurrence has removed the two
 * large components, so the second pass is rarely needed; for the big operators (10⁵–10⁶
 * parameters) these passes run at memory speed and were a third of the sharpness tracking.
 */
export function reorthogonalise(w: Float64Array, Q: Float64Array[]): void {
  const before = Math.sqrt(dot(w, w));
  gramSchmidt(w, Q);
  if (Math.sqrt(dot(w, w)) < Math.SQRT1_2 * before) gramSchmidt(w, Q);
}

/** One pass of classical Gram–Schmidt: w ← w − Q(Qᵀw). */
function gramSchmidt(w: Float64Array, Q: Float64Array[]): void {
  const n = w.length;
  const c = new Float64Array(Q.length);
  let i = 0;
  for (; i + 3 < Q.length; i += 4) {
    const [q0, q1, q2, q3] = [Q[i]!, Q[i + 1]!, Q[i + 2]!, Q[i + 3]!];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < n; t++) {
      const x = w[t]!;
      s0 += x * q0[t]!;
      s1 += x * q1[t]!;
      s2 += x * q2[t]!;
      s3 += x * q3[t]!;
    }
    c[i] = s0;
    c[i + 1] = s1;
    c[i + 2] = s2;
    c[i + 3] = s3;
  }
  for (; i < Q.length; i++) c[i] = dot(w, Q[i]!);
  i = 0;
  for (; i + 3 < Q.length; i += 4) {
    const [q0, q1, q2, q3] = [Q[i]!, Q[i + 1]!, Q[i + 2]!, Q[i + 3]!];
    const [c0, c1, c2, c3] = [c[i]!, c[i + 1]!, c[i + 2]!, c[i + 3]!];
    for (let t = 0; t < n; t++) w[t]! -= c0 * q0[t]! + c1 * q1[t]! + c2 * q2[t]! + c3 * q3[t]!;
  }
  for (; i < Q.length; i++) {
    const q = Q[i]!;
    const ci = c[i]!;
    for (let t = 0; t < n; t++) w[t]! -= ci * q[t]!;
  }
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
  const warm = opts.start !== undefined && opts.start.some((x) => x !== 0);
  let q = warm ? Float64Array.from(opts.start!) : new Float64Array(n);
  if (!warm) for (let t = 0; t < n; t++) q[t] = rand() - 0.5;
  let norm = Math.sqrt(dot(q, q));
  for (let i = 0; i < n; i++) q[i]! /= norm;
  let result: LanczosResult | null = null;
  for (let j = 0; j < maxIter; j++) {
    Q.push(q);
    const w = matvec(q);
    if (w.length !== n) throw new Error(`matvec returned ${w.length} values, expected ${n}`);
    const a = dot(w, q);
    alpha.push(a);
    // The three-term recurrence first, then what rounding left along every earlier vector.
    const prev = Q.length > 1 ? Q[Q.length - 2]! : null;
    const b = prev ? beta[beta.length - 1]! : 0;
    if (prev) for (let t = 0; t < n; t++) w[t]! -= a * q[t]! + b * prev[t]!;
    else for (let t = 0; t < n; t++) w[t]! -= a * q[t]!;
    reorthogonalise(w, Q);
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
    // A plain loop: Float64Array.from with a mapping function costs ~10 ns a value in V8.
    const inv = 1 / norm;
    q = new Float64Array(n);
    for (let t = 0; t < n; t++) q[t] = w[t]! * inv;
  }
  return result!;
}
