// Row-major float64 matrix products for the curvature passes, on the float64 product kernels
// (models/linalg/gemm.ts: f64x2 WebAssembly SIMD, 13–16 GFLOP/s on one thread here against
// 1.2–1.3 GMAC/s for the four-row TypeScript loops they replace; `npm run bench`'s curvature rows).
import { gemm } from '../linalg/gemm.ts';

/** C (r × m) = A (r × k) · Bᵀ, B (m × k). */
export function mulABt(A: Float64Array, r: number, k: number, B: Float64Array, m: number): Float64Array<ArrayBuffer> {
  return gemm(r, m, k, A, B, { transB: true });
}

/** C (r × m) = A (r × k) · B (k × m), added into `into` when given. */
export function mulAB(
  A: Float64Array,
  r: number,
  k: number,
  B: Float64Array,
  m: number,
  into?: Float64Array<ArrayBuffer>,
): Float64Array<ArrayBuffer> {
  return gemm(r, m, k, A, B, { into, add: into !== undefined });
}

/** C (k × m) = Aᵀ · B with A (r × k), B (r × m), added into `into` when given. */
export function mulAtB(
  A: Float64Array,
  r: number,
  k: number,
  B: Float64Array,
  m: number,
  into?: Float64Array<ArrayBuffer>,
): Float64Array<ArrayBuffer> {
  return gemm(k, m, r, A, B, { transA: true, into, add: into !== undefined });
}

/** Column sums of an r × m matrix, added into `into`. */
export function colSums(A: Float64Array, r: number, m: number, into: Float64Array): void {
  for (let i = 0; i < r; i++) for (let j = 0; j < m; j++) into[j]! += A[i * m + j]!;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
