// Float64 matrix products for the analysis labs on the f64x2 WebAssembly kernels of native/f64:
// C = op(A)·op(B) (or C += …), row-major Float64Arrays, op a transpose or not. The operands are
// copied into the module's memory and the result out again (O(n²) against the product's O(n³));
// products too small to pay for that run in TypeScript. Two builds, as for the float32 kernels:
// with relaxed SIMD's fused multiply-add where the runtime validates it, else multiply then add.
import { F64_WASM_BASE64 } from './f64-wasm.ts';
import { F64_FMA_WASM_BASE64 } from './f64-fma-wasm.ts';
import { WA, decodeBase64, type WasmMemory } from './wasm.ts';

/** Which kernels run the float64 products: see native/f64/f64.c. */
export type F64Build = 'fma' | 'simd128';

type Kernel = (...args: number[]) => void;
interface Module {
  build: F64Build;
  memory: WasmMemory;
  dgemm: Kernel;
  dgemv: Kernel;
}

const PAGE = 65536;
const KC = 256; // f64.c's depth block
const SCRATCH = KC * 4 * 8; // f64.c's packed panel, in bytes
/**
 * Below this many multiply-adds the copies in and out cost more than the kernels save; measured
 * with `npm run bench`'s float64 rows (the NGD lab's per-unit solves are far below it).
 */
export const WASM_MIN_MACS = 32 * 32 * 32;

let wanted: F64Build | 'auto' = 'auto';
let loaded: Module | null = null;

/** The build a runtime gets by default: FMA wherever it validates. */
export function fmaAvailable(): boolean {
  return WA.validate(decodeBase64(F64_FMA_WASM_BASE64));
}

/**
 * Chooses the build (core calls this with the float32 kernels' choice, so KAIRO_FMA=off turns
 * both off); 'fma' where the runtime lacks relaxed SIMD throws.
 */
export function setFloat64Build(build: F64Build | 'auto'): void {
  if (build === 'fma' && !fmaAvailable()) throw new Error('float64 kernels: this runtime lacks WebAssembly relaxed SIMD');
  wanted = build;
  if (loaded && build !== 'auto' && loaded.build !== build) loaded = null;
}

/** The build the float64 products run on (instantiating it on first use). */
export function float64Build(): F64Build {
  return module().build;
}

const compiled = new Map<F64Build, object>();

/** An instance of the chosen build on a memory of its own. */
function instantiate(): Module {
  const build: F64Build = wanted === 'auto' ? (fmaAvailable() ? 'fma' : 'simd128') : wanted;
  let mod = compiled.get(build);
  if (!mod) {
    mod = new WA.Module(decodeBase64(build === 'fma' ? F64_FMA_WASM_BASE64 : F64_WASM_BASE64));
    compiled.set(build, mod);
  }
  const memory = new WA.Memory({ initial: 16 });
  const exports = new WA.Instance(mod, { env: { memory } }).exports as { dgemm: Kernel; dgemv: Kernel };
  return { build, memory, dgemm: exports.dgemm, dgemv: exports.dgemv };
}

function module(): Module {
  loaded ??= instantiate();
  return loaded;
}

/** Grows a module's memory to at least `bytes`. */
function reserve(m: Module, bytes: number): void {
  if (bytes > 4 * 1024 ** 3 - PAGE)
    throw new Error(`float64 kernels: ${bytes} bytes do not fit the 4 GiB a WebAssembly memory holds`);
  const have = m.memory.buffer.byteLength;
  if (bytes > have) m.memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * v ↦ A·v for a row-major M × K matrix copied once into a kernel instance of its own, so each
 * product moves only v and the result: a dense operator for Lanczos (A is read at memory speed,
 * in f64x2 lanes; see dgemv in f64.c).
 */
export function residentMatrix(A: Float64Array, M: number, K: number): (v: Float64Array) => Float64Array<ArrayBuffer> {
  if (A.length < M * K) throw new Error(`residentMatrix: A holds ${A.length} values, needs ${M * K}`);
  const m = instantiate();
  const px = 8 * M * K;
  const py = px + 8 * K;
  reserve(m, py + 8 * M);
  new Float64Array(m.memory.buffer).set(A.subarray(0, M * K));
  return (v) => {
    if (v.length !== K) throw new Error(`residentMatrix: v holds ${v.length} values, needs ${K}`);
    const heap = new Float64Array(m.memory.buffer);
    heap.set(v, px / 8);
    m.dgemv(M, K, 0, px, py);
    return heap.slice(py / 8, py / 8 + M);
  };
}

/** Whether an operand is used transposed: A stored K × M for op(A) = Aᵀ, and so on. */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** Written (or added to, with `add`) instead of a new array; M·N values from its start. */
  into?: Float64Array<ArrayBuffer>;
  add?: boolean;
}

/**
 * C (M × N) = op(A) · op(B) with op(A) M × K and op(B) K × N; A and B are read from their starts
 * (row-major, as stored: M × K, or K × M with transA; K × N, or N × K with transB).
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  B: Float64Array,
  opts: GemmOptions = {},
): Float64Array<ArrayBuffer> {
  for (const [v, what] of [
    [M, 'M'],
    [N, 'N'],
    [K, 'K'],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new Error(`gemm: ${what} must be a non-negative integer, got ${v}`);
  if (A.length < M * K || B.length < K * N)
    throw new Error(`gemm: operands hold ${A.length} and ${B.length} values, need ${M * K} and ${K * N}`);
  const C = opts.into ?? new Float64Array(M * N);
  if (C.length < M * N) throw new Error(`gemm: the output holds ${C.length} values, needs ${M * N}`);
  if (M === 0 || N === 0) return C;
  if (M * N * K < WASM_MIN_MACS) gemmTs(M, N, K, A, B, C, opts);
  else gemmWasm(M, N, K, A, B, C, opts);
  return C;
}

/** Element strides of op(A)[i][k] = A[i·ars + k·acs] and op(B)[k][j] = B[k·brs + j·bcs] as stored. */
function stridesOf(M: number, N: number, K: number, opts: GemmOptions): { ars: number; acs: number; brs: number; bcs: number } {
  const [ars, acs] = opts.transA ? [1, M] : [K, 1];
  const [brs, bcs] = opts.transB ? [1, K] : [N, 1];
  return { ars, acs, brs, bcs };
}

/** The product on the WebAssembly kernels whatever its size (gemm's large case; tests call it directly). */
export function gemmWasm(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  opts: GemmOptions = {},
): void {
  const m = module();
  // Layout: scratch, A, B, C, each 16-byte aligned.
  const align = (n: number) => (n + 15) & ~15;
  const pa = SCRATCH;
  const pb = align(pa + 8 * M * K);
  const pc = align(pb + 8 * K * N);
  reserve(m, pc + 8 * M * N);
  const heap = new Float64Array(m.memory.buffer);
  heap.set(A.subarray(0, M * K), pa / 8);
  heap.set(B.subarray(0, K * N), pb / 8);
  if (opts.add) heap.set(C.subarray(0, M * N), pc / 8);
  const { ars, acs, brs, bcs } = stridesOf(M, N, K, opts);
  m.dgemm(K, pa, ars, acs, pb, brs, bcs, pc, N, 0, 0, M, 0, N, opts.add ? 1 : 0);
  C.set(heap.subarray(pc / 8, pc / 8 + M * N));
}

/** The same product in TypeScript, for sizes below WASM_MIN_MACS (and as the tests' second algorithm). */
export function gemmTs(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  opts: GemmOptions = {},
): void {
  const { ars, acs, brs, bcs } = stridesOf(M, N, K, opts);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[i * ars + k * acs]! * B[k * brs + j * bcs]!;
      C[i * N + j] = opts.add ? C[i * N + j]! + s : s;
    }
}
