// Small dense solves in plain TypeScript, for systems solved thousands of times per step (one per
// unit in unit-wise natural gradient) where a call into the Eigen module costs more than the work,
// and for the one non-symmetric system (block-tri-diagonal natural gradient). Row-major Float64Arrays.

/** Lower Cholesky factor of a symmetric n × n matrix, or null if it is not (numerically) positive definite. */
export function choleskyJs(a: ArrayLike<number>, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}

/** Solves L Lᵀ x = b in place on a copy of b. */
export function cholSolveJs(L: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

export interface Lu {
  lu: Float64Array;
  piv: Int32Array;
  n: number;
}

/** LU with partial pivoting; null when a pivot falls below `tol`·(largest entry) (singular system). */
export function luFactor(a: ArrayLike<number>, n: number, tol = 1e-13): Lu | null {
  const lu = Float64Array.from(a);
  const piv = new Int32Array(n);
  let scale = 0;
  for (let i = 0; i < lu.length; i++) scale = Math.max(scale, Math.abs(lu[i]!));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]!) > Math.abs(lu[p * n + k]!)) p = i;
    if (!(Math.abs(lu[p * n + k]!) > tol * scale)) return null;
    piv[k] = p;
    if (p !== k)
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j]!;
        lu[k * n + j] = lu[p * n + j]!;
        lu[p * n + j] = t;
      }
    const d = lu[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = (lu[i * n + k]! /= d);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j]! -= f * lu[k * n + j]!;
    }
  }
  return { lu, piv, n };
}

export function luSolve({ lu, piv, n }: Lu, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    const p = piv[k]!;
    if (p !== k) {
      const t = x[k]!;
      x[k] = x[p]!;
      x[p] = t;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= lu[i * n + k]! * x[k]!;
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= lu[i * n + k]! * x[k]!;
    x[i] = s / lu[i * n + i]!;
  }
  return x;
}
