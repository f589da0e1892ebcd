// Row-major float64 matrix products for the curvature passes. Loops run over contiguous memory
// in the innermost position (i-k-j order), which V8 compiles to tight scalar code.

/** C (r × m) = A (r × k) · Bᵀ, B (m × k). */
export function mulABt(A: Float64Array, r: number, k: number, B: Float64Array, m: number): Float64Array {
  const C = new Float64Array(r * m);
  for (let i = 0; i < r; i++) {
    const a = i * k;
    for (let j = 0; j < m; j++) {
      const b = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += A[a + t]! * B[b + t]!;
      C[i * m + j] = s;
    }
  }
  return C;
}

/** C (r × m) = A (r × k) · B (k × m), added into `into` when given. */
export function mulAB(A: Float64Array, r: number, k: number, B: Float64Array, m: number, into?: Float64Array): Float64Array {
  const C = into ?? new Float64Array(r * m);
  for (let i = 0; i < r; i++) {
    const c = i * m;
    for (let t = 0; t < k; t++) {
      const a = A[i * k + t]!;
      if (a === 0) continue;
      const b = t * m;
      for (let j = 0; j < m; j++) C[c + j]! += a * B[b + j]!;
    }
  }
  return C;
}

/** C (k × m) = Aᵀ · B with A (r × k), B (r × m), added into `into` when given. */
export function mulAtB(A: Float64Array, r: number, k: number, B: Float64Array, m: number, into?: Float64Array): Float64Array {
  const C = into ?? new Float64Array(k * m);
  for (let i = 0; i < r; i++) {
    const b = i * m;
    for (let t = 0; t < k; t++) {
      const a = A[i * k + t]!;
      if (a === 0) continue;
      const c = t * m;
      for (let j = 0; j < m; j++) C[c + j]! += a * B[b + j]!;
    }
  }
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
