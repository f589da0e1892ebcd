// Dense float64 linear algebra through the Eigen-to-WebAssembly module (native/linalg):
// symmetric eigendecomposition, Cholesky factorisation and SPD solves. Arrays are row-major
// Float64Arrays; vectors come back with eigenvector j in column j (V[i * n + j]).
import { LINALG_WASM_BASE64 } from './linalg-wasm.ts';
import { WA, decodeBase64 } from './wasm.ts';

interface Exports {
  memory: { buffer: ArrayBuffer };
  _initialize(): void;
  kairo_alloc(count: number): number;
  kairo_free(ptr: number): void;
  kairo_eigh(a: number, w: number, n: number, vectors: number): number;
  kairo_cholesky(a: number, n: number): number;
  kairo_cholesky_solve(l: number, b: number, n: number, m: number): number;
}

let wasm: Exports | null = null;

function module(): Exports {
  if (!wasm) {
    // Synchronous instantiation is fine for an 87 kB module and keeps every caller synchronous.
    const instance = new WA.Instance(new WA.Module(decodeBase64(LINALG_WASM_BASE64)), {});
    wasm = instance.exports as unknown as Exports;
    wasm._initialize();
  }
  return wasm;
}

/** Copies in, runs, copies out, frees: wasm memory may grow (and move) inside any call. */
function withBuffers<T>(sizes: number[], f: (ptrs: number[], heap: () => Float64Array) => T): T {
  const m = module();
  const ptrs = sizes.map((s) => {
    const p = m.kairo_alloc(Math.max(1, s));
    if (p === 0) throw new Error(`out of memory allocating ${s} doubles for linear algebra`);
    return p;
  });
  try {
    return f(ptrs, () => new Float64Array(m.memory.buffer));
  } finally {
    for (const p of ptrs) m.kairo_free(p);
  }
}

function checkSquare(a: ArrayLike<number>, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: n must be a positive integer, got ${n}`);
  if (a.length !== n * n) throw new Error(`${what}: expected ${n}×${n} = ${n * n} values, got ${a.length}`);
}

/**
 * Row-major lower triangle of `a` into Eigen's column-major lower triangle (element (i, j),
 * i ≥ j, lives at j·n + i there), which is the only part Eigen's solvers read.
 */
function copyLowerTransposed(a: ArrayLike<number>, n: number, h: Float64Array, base: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) h[base + j * n + i] = a[i * n + j]!;
}

/** Eigenvalues (ascending) of a symmetric matrix; only its lower triangle (row-major) is read. */
export function eigh(
  a: ArrayLike<number>,
  n: number,
  opts: { vectors?: boolean } = {},
): { values: Float64Array; vectors: Float64Array | null } {
  checkSquare(a, n, 'eigh');
  const m = module();
  return withBuffers([n * n, n], ([pa, pw], heap) => {
    copyLowerTransposed(a, n, heap(), pa! / 8);
    if (m.kairo_eigh(pa!, pw!, n, opts.vectors ? 1 : 0) !== 0) throw new Error('eigh: the eigensolver did not converge');
    const h = heap();
    const values = h.slice(pw! / 8, pw! / 8 + n);
    let vectors: Float64Array | null = null;
    if (opts.vectors) {
      // Eigen is column-major: element (i, j) at j·n + i.
      vectors = new Float64Array(n * n);
      const base = pa! / 8;
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) vectors[i * n + j] = h[base + j * n + i]!;
    }
    return { values, vectors };
  });
}

/** Lower Cholesky factor L (row-major) with A = L Lᵀ; only A's lower triangle is read. Throws if A is not positive definite. */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  checkSquare(a, n, 'cholesky');
  const m = module();
  return withBuffers([n * n], ([pa], heap) => {
    copyLowerTransposed(a, n, heap(), pa! / 8);
    if (m.kairo_cholesky(pa!, n) !== 0) throw new Error('cholesky: the matrix is not positive definite (add damping)');
    const h = heap();
    const L = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = j; i < n; i++) L[i * n + j] = h[pa! / 8 + j * n + i]!;
    return L;
  });
}

/** Solves (L Lᵀ) X = B for B of shape n × cols (row-major), given L from cholesky(). */
export function choleskySolve(L: ArrayLike<number>, b: ArrayLike<number>, n: number, cols = 1): Float64Array {
  checkSquare(L, n, 'choleskySolve');
  if (b.length !== n * cols) throw new Error(`choleskySolve: B must hold ${n}×${cols} values, got ${b.length}`);
  const m = module();
  return withBuffers([n * n, n * cols], ([pl, pb], heap) => {
    const h = heap();
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[pl! / 8 + j * n + i] = L[i * n + j]!;
    for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) h[pb! / 8 + c * n + i] = b[i * cols + c]!;
    m.kairo_cholesky_solve(pl!, pb!, n, cols);
    const out = heap();
    const x = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) x[i * cols + c] = out[pb! / 8 + c * n + i]!;
    return x;
  });
}

/** Solves (A + damping·I) X = B for symmetric positive (semi)definite A: the natural-gradient system. */
export function solveSPD(a: ArrayLike<number>, b: ArrayLike<number>, n: number, cols = 1, damping = 0): Float64Array {
  const ad = Float64Array.from(a);
  if (damping) for (let i = 0; i < n; i++) ad[i * n + i]! += damping;
  return choleskySolve(cholesky(ad, n), b, n, cols);
}
