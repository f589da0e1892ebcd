// The float64 product on the f64x2 WebAssembly kernels (models/linalg/gemm.ts, native/f64/f64.c).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fmaAvailable,
  float64Build,
  gemm,
  gemmTs,
  gemmWasm,
  residentMatrix,
  setFloat64Build,
  WASM_MIN_MACS,
} from '../../models/linalg/gemm.ts';
import { mulberry32 } from '../../models/common/rng.ts';

const rand = mulberry32(5);
const matrix = (n: number) => Float64Array.from({ length: n }, () => rand() * 2 - 1);

/** Each element as f64.c sums it: in order of k, blocks of 256 added to the output in turn. */
function emulatePlain(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  B: Float64Array,
  transA: boolean,
  transB: boolean,
  C0: Float64Array | null,
) {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let c = C0 ? C0[i * N + j]! : 0;
      for (let k0 = 0; k0 < K; k0 += 256) {
        let s = 0;
        for (let k = k0; k < Math.min(K, k0 + 256); k++)
          s = s + (transA ? A[k * M + i]! : A[i * K + k]!) * (transB ? B[j * K + k]! : B[k * N + j]!);
        c = C0 || k0 > 0 ? c + s : s;
      }
      C[i * N + j] = c;
    }
  return C;
}

// Edges in every direction (tiles of 4 × 4, depth blocks of 256), each transpose, overwrite and add.
const SHAPES: [number, number, number][] = [
  [37, 29, 600],
  [64, 64, 64],
  [5, 3, 700],
  [1, 130, 257],
  [130, 1, 300],
  [33, 35, 256],
  [6, 7, 0],
];

test('the plain build equals its order of operations bit for bit, for every transpose, and adds into C when asked', () => {
  setFloat64Build('simd128');
  try {
    assert.equal(float64Build(), 'simd128');
    for (const [M, N, K] of SHAPES)
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const add of [false, true]) {
            const [A, B, C0] = [matrix(M * K), matrix(K * N), matrix(M * N)];
            const C = add ? C0.slice() : new Float64Array(M * N);
            gemmWasm(M, N, K, A, B, C, { transA, transB, add });
            const want = emulatePlain(M, N, K, A, B, transA, transB, add ? C0 : null);
            let diff = 0;
            for (let i = 0; i < M * N; i++) if (C[i] !== want[i]) diff++;
            assert.equal(diff, 0, `${M}×${N}×${K} transA=${transA} transB=${transB} add=${add}: ${diff} elements differ`);
          }
  } finally {
    setFloat64Build('auto');
  }
});

test('the FMA build (where the runtime has relaxed SIMD) agrees with the TypeScript product to rounding, and is not the plain build', (t) => {
  if (!fmaAvailable()) return t.skip('this runtime has no relaxed SIMD (test/unit/fma.test.ts runs this file where it does)');
  setFloat64Build('fma');
  try {
    const [M, N, K] = [37, 29, 600];
    const [A, B] = [matrix(M * K), matrix(K * N)];
    const C = new Float64Array(M * N);
    gemmWasm(M, N, K, A, B, C);
    const ref = new Float64Array(M * N);
    gemmTs(M, N, K, A, B, ref);
    const plain = emulatePlain(M, N, K, A, B, false, false, null);
    let worst = 0;
    let differ = 0;
    for (let i = 0; i < M * N; i++) {
      worst = Math.max(worst, Math.abs(C[i]! - ref[i]!));
      if (C[i] !== plain[i]) differ++;
    }
    // Sums of 600 terms of size ≤ 1: rounding errors of order 600 · 2⁻⁵³ ≈ 7e-14.
    assert.ok(worst < 1e-12, `max difference ${worst}`);
    assert.ok(differ > (M * N) / 2, `only ${differ} of ${M * N} elements differ from the plain build's`);
  } finally {
    setFloat64Build('auto');
  }
});

test('small products run in TypeScript, empty ones are empty or zero, and bad shapes are refused with one line', () => {
  const [A, B] = [matrix(6), matrix(6)];
  assert.ok(2 * 3 * 3 < WASM_MIN_MACS);
  const C = gemm(2, 2, 3, A, B);
  const ref = new Float64Array(4);
  gemmTs(2, 2, 3, A, B, ref);
  assert.deepEqual(C, ref);
  // Large products go to the kernels, and agree with TypeScript to rounding.
  const [P, Q] = [matrix(50 * 70), matrix(70 * 60)];
  assert.ok(50 * 60 * 70 >= WASM_MIN_MACS);
  const big = gemm(50, 60, 70, P, Q);
  const bigRef = new Float64Array(50 * 60);
  gemmTs(50, 60, 70, P, Q, bigRef);
  for (let i = 0; i < bigRef.length; i++) assert.ok(Math.abs(big[i]! - bigRef[i]!) < 1e-13);
  // K = 0: zeros, or C unchanged when adding.
  assert.deepEqual(gemm(40, 40, 0, new Float64Array(0), new Float64Array(0)), new Float64Array(1600));
  const keep = matrix(1600);
  assert.deepEqual(gemm(40, 40, 0, new Float64Array(0), new Float64Array(0), { into: keep.slice(), add: true }), keep);
  assert.throws(() => gemm(2, 2, 3, A, matrix(5)), /^Error: gemm: operands hold 6 and 5 values, need 6 and 6$/);
  assert.throws(() => gemm(-1, 2, 3, A, B), /^Error: gemm: M must be a non-negative integer, got -1$/);
  assert.throws(() => gemm(2, 2, 3, A, B, { into: new Float64Array(3) }), /^Error: gemm: the output holds 3 values, needs 4$/);
});

/** dgemv's order: lane 0 sums the even terms, lane 1 the odd ones, then the lanes, then an odd last term. */
function emulateGemv(A: Float64Array, M: number, K: number, x: Float64Array): Float64Array {
  const y = new Float64Array(M);
  const K2 = K & ~1;
  for (let i = 0; i < M; i++) {
    let [e, o] = [0, 0];
    for (let k = 0; k < K2; k += 2) {
      e = e + A[i * K + k]! * x[k]!;
      o = o + A[i * K + k + 1]! * x[k + 1]!;
    }
    let t = e + o;
    if (K2 < K) t = t + A[i * K + K2]! * x[K2]!;
    y[i] = t;
  }
  return y;
}

test('a resident matrix times vectors: the plain build bit for bit as its order of operations, the FMA build to rounding', () => {
  for (const build of ['simd128', 'fma'] as const) {
    if (build === 'fma' && !fmaAvailable()) continue;
    setFloat64Build(build);
    try {
      for (const [M, K] of [
        [7, 9],
        [64, 64],
        [1, 1],
        [130, 257],
      ] as const) {
        const A = matrix(M * K);
        const times = residentMatrix(A, M, K);
        // Several products on the same copy of A: it stays where it was put.
        for (let r = 0; r < 3; r++) {
          const x = matrix(K);
          const y = times(x);
          const want = emulateGemv(A, M, K, x);
          for (let i = 0; i < M; i++)
            if (build === 'simd128') assert.equal(y[i], want[i], `${M}×${K} row ${i}`);
            else assert.ok(Math.abs(y[i]! - want[i]!) < 1e-13, `${M}×${K} row ${i}: ${y[i]} against ${want[i]}`);
        }
        assert.throws(() => times(matrix(K + 1)), /^Error: residentMatrix: v holds \d+ values, needs \d+$/);
      }
    } finally {
      setFloat64Build('auto');
    }
  }
});
