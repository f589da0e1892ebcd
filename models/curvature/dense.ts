// Row-major float64 matrix products for the curvature passes. Each kernel works on four rows or
// columns at once: four independent accumulators (A·Bᵀ) or one load and store of C per four
// terms (A·B, Aᵀ·B), which V8 compiles to tight scalar code about twice as fast as the plain
// loops (0.7 → 1.5 GMAC/s on this machine for the 1000 × 784 · 784 × 128 products of an MNIST
// MLP; measured by hand with /tmp scripts, not yet in `npm run bench`).

/** C (r × m) = A (r × k) · Bᵀ, B (m × k). */
export function mulABt(A: Float64Array, r: number, k: number, B: Float64Array, m: number): Float64Array {
  const C = new Float64Array(r * m);
  const m4 = m - (m % 4);
  for (let i = 0; i < r; i++) {
    const a = i * k;
    for (let j = 0; j < m4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < k; t++) {
        const x = A[a + t]!;
        s0 += x * B[b0 + t]!;
        s1 += x * B[b1 + t]!;
        s2 += x * B[b2 + t]!;
        s3 += x * B[b3 + t]!;
      }
      C[i * m + j] = s0;
      C[i * m + j + 1] = s1;
      C[i * m + j + 2] = s2;
      C[i * m + j + 3] = s3;
    }
    for (let j = m4; j < m; j++) {
      const b = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += A[a + t]! * B[b + t]!;
      C[i * m + j] = s;
    }
  }
  return C;
}

/** C (r × m) += Σ_t a_t · row t of B, for k coefficients a_t (four at a time). */
function axpyRows(C: Float64Array, c: number, m: number, coef: (t: number) => number, k: number, B: Float64Array): void {
  const k4 = k - (k % 4);
  for (let t = 0; t < k4; t += 4) {
    const x0 = coef(t);
    const x1 = coef(t + 1);
    const x2 = coef(t + 2);
    const x3 = coef(t + 3);
    if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
    const b0 = t * m;
    const b1 = b0 + m;
    const b2 = b1 + m;
    const b3 = b2 + m;
    for (let j = 0; j < m; j++) C[c + j]! += x0 * B[b0 + j]! + x1 * B[b1 + j]! + x2 * B[b2 + j]! + x3 * B[b3 + j]!;
  }
  for (let t = k4; t < k; t++) {
    const x = coef(t);
    if (x === 0) continue;
    const b = t * m;
    for (let j = 0; j < m; j++) C[c + j]! += x * B[b + j]!;
  }
}

/** C (r × m) = A (r × k) · B (k × m), added into `into` when given. */
export function mulAB(A: Float64Array, r: number, k: number, B: Float64Array, m: number, into?: Float64Array): Float64Array {
  const C = into ?? new Float64Array(r * m);
  for (let i = 0; i < r; i++) {
    const a = i * k;
    axpyRows(C, i * m, m, (t) => A[a + t]!, k, B);
  }
  return C;
}

/** C (k × m) = Aᵀ · B with A (r × k), B (r × m), added into `into` when given. */
export function mulAtB(A: Float64Array, r: number, k: number, B: Float64Array, m: number, into?: Float64Array): Float64Array {
  const C = into ?? new Float64Array(k * m);
  // Row t of C is Σ_i A[i, t] · row i of B: the rows of B are the "rows" the coefficients scale.
  for (let t = 0; t < k; t++) axpyRows(C, t * m, m, (i) => A[i * k + t]!, r, B);
  return C;
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
