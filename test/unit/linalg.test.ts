import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
import { cholesky, choleskySolve, eigh, solveSPD } from '../../models/linalg/dense.ts';
import { lanczosTopK } from '../../models/linalg/lanczos.ts';
import { tridiagonalEigen } from '../../models/linalg/tridiag.ts';

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = r() * 2 - 1;
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  return A;
}

/** Cyclic Jacobi rotations: a second, independent eigenvalue algorithm (slow, exact enough). */
function jacobiEigenvalues(A0: Float64Array, n: number): number[] {
  const A = Float64Array.from(A0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  return Array.from({ length: n }, (_, i) => A[i * n + i]!).sort((a, b) => a - b);
}

const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('eigh reproduces closed-form spectra: diagonal, tridiagonal Toeplitz, rank-one update', () => {
  const n = 200;
  const diag = Array.from({ length: n }, (_, i) => ((i * 37) % n) - 50.5);
  const D = new Float64Array(n * n);
  diag.forEach((v, i) => (D[i * n + i] = v));
  near(
    eigh(D, n).values,
    [...diag].sort((a, b) => a - b),
    1e-12,
    'diagonal',
  );

  const [a, b] = [2.5, -1.25];
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    T[i * n + i] = a;
    if (i + 1 < n) T[i * n + i + 1] = T[(i + 1) * n + i] = b;
  }
  const toeplitz = Array.from({ length: n }, (_, k) => a + 2 * b * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort((x, y) => x - y);
  near(eigh(T, n).values, toeplitz, 1e-12, 'Toeplitz');
  near(tridiagonalEigen(new Array(n).fill(a), new Array(n - 1).fill(b), false).values, toeplitz, 1e-12, 'tql2 Toeplitz');

  const alpha = 0.75;
  const r = mulberry32(5);
  const u = Array.from({ length: n }, () => r() - 0.5);
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) U[i * n + j] = u[i]! * u[j]! + (i === j ? alpha : 0);
  const norm2 = u.reduce((s, x) => s + x * x, 0);
  near(eigh(U, n).values, [...new Array(n - 1).fill(alpha), alpha + norm2], 1e-12, 'rank one');
});

test('eigh agrees with Jacobi rotations and its vectors satisfy Av = λv', () => {
  const n = 60;
  const A = randomSymmetric(n, 11);
  near(eigh(A, n).values, jacobiEigenvalues(A, n), 1e-11, 'vs Jacobi');

  const m = 300;
  const B = randomSymmetric(m, 12);
  const { values, vectors } = eigh(B, m, { vectors: true });
  const lmax = Math.max(Math.abs(values[0]!), Math.abs(values[m - 1]!));
  let worst = 0;
  let ortho = 0;
  for (const j of [0, 1, 150, m - 1]) {
    for (let i = 0; i < m; i++) {
      let av = 0;
      for (let k = 0; k < m; k++) av += B[i * m + k]! * vectors![k * m + j]!;
      worst = Math.max(worst, Math.abs(av - values[j]! * vectors![i * m + j]!));
    }
    for (const k of [0, 1, 150, m - 1]) {
      let d = 0;
      for (let i = 0; i < m; i++) d += vectors![i * m + j]! * vectors![i * m + k]!;
      ortho = Math.max(ortho, Math.abs(d - (j === k ? 1 : 0)));
    }
  }
  assert.ok(worst < 1e-12 * lmax, `residual ${worst}`);
  assert.ok(ortho < 1e-12, `orthonormality ${ortho}`);
});

test('Lanczos on an implicit operator finds the dense solver top eigenvalues', () => {
  // F* = J Jᵀ / T with J never formed as a product: the shape of the Fisher/NTK dual.
  const n = 400;
  const P = 900;
  const r = mulberry32(3);
  const J = Float64Array.from({ length: n * P }, () => r() - 0.45); // a mean gives one outlier, as in random nets
  const matvec = (v: Float64Array) => {
    const t = new Float64Array(P);
    for (let i = 0; i < n; i++) for (let p = 0; p < P; p++) t[p]! += J[i * P + p]! * v[i]!;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += J[i * P + p]! * t[p]!;
      out[i] = s / n;
    }
    return out;
  };
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) dense.set(matvec(Float64Array.from({ length: n }, (_, k) => (k === i ? 1 : 0))), i * n);
  const exact = Array.from(eigh(dense, n).values).reverse().slice(0, 10);
  const lz = lanczosTopK(n, 10, matvec, { vectors: true });
  near(lz.values, exact, 1e-9 * exact[0]!, 'Lanczos top 10');
  assert.ok(lz.iterations < n, `converged in ${lz.iterations} of ${n} steps`);
  const v = lz.vectors![0]!;
  const av = matvec(v);
  assert.ok(Math.max(...av.map((x, i) => Math.abs(x - lz.values[0]! * v[i]!))) < 1e-8 * exact[0]!);
});

test('Cholesky factors and solves SPD systems, and names a matrix that is not', () => {
  // Hand case: A = L Lᵀ with L = [[2,0,0],[1,3,0],[-1,2,1]].
  const A = [4, 2, -2, 2, 10, 5, -2, 5, 6];
  near(cholesky(A, 3), [2, 0, 0, 1, 3, 0, -1, 2, 1], 1e-14, 'L');
  const x = [1, -2, 0.5];
  const b = [0, 1, 2].map((i) => A[i * 3]! * x[0]! + A[i * 3 + 1]! * x[1]! + A[i * 3 + 2]! * x[2]!);
  near(choleskySolve(cholesky(A, 3), b, 3), x, 1e-13, 'solve');

  const n = 150;
  const r = mulberry32(9);
  const G = Float64Array.from({ length: n * 40 }, () => r() - 0.5);
  const S = new Float64Array(n * n); // rank 40: singular without damping
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) for (let k = 0; k < 40; k++) S[i * n + j]! += G[i * 40 + k]! * G[j * 40 + k]!;
  assert.throws(() => cholesky(S, n), /not positive definite/);
  const B = Float64Array.from({ length: n * 2 }, () => r());
  const X = solveSPD(S, B, n, 2, 1e-3);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 2; c++) {
      let s = 1e-3 * X[i * 2 + c]!;
      for (let k = 0; k < n; k++) s += S[i * n + k]! * X[k * 2 + c]!;
      assert.ok(Math.abs(s - B[i * 2 + c]!) < 1e-8, `residual at ${i},${c}`);
    }
  assert.throws(() => eigh([1, 2, 3], 2), /expected 2×2 = 4 values, got 3/);
});

test('eigh and cholesky read only the lower triangle of a row-major matrix', () => {
  const n = 5;
  const r = mulberry32(77);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) S[i * n + j] = S[j * n + i] = r() - 0.5 + (i === j ? n : 0);
  const lowerOnly = S.map((v, k) => (k % n > Math.floor(k / n) ? 1e6 * (r() - 0.5) : v));
  const a = eigh(S, n, { vectors: true });
  const b = eigh(lowerOnly, n, { vectors: true });
  assert.deepEqual(b.values, a.values);
  assert.deepEqual(b.vectors, a.vectors);
  assert.deepEqual(cholesky(lowerOnly, n), cholesky(S, n));
});
