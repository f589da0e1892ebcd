// Sequential kernel regression by Monte Carlo: inputs uniform on S^{d−1}, kernel teachers
// f*(x) = Σ_{j≤K} a_j k(x·z_j) (a_j ~ N(0, 1/K), z_j uniform), tasks chained by similarity ρ,
// stage m fits the residual y_m − f_{m−1}(X_m) by kernel (ridge) regression on fresh samples:
//   f_m = f_{m−1} + Θ(·, X_m)(Θ(X_m) + λI)⁻¹(y_m − f_{m−1}(X_m)),  f_0 = 0,
// and every task's error E_x(f_m − f*_t)² is measured on held-out points, averaged over draws.
// Float64, with the Cholesky factorisations of models/linalg/dense.ts (Eigen in WebAssembly).
// The sweeps reuse one factorisation per draw: a ρ sweep solves for the teachers' parts of the
// residual once and combines them; an N₂ sweep takes leading blocks of one factor (the Cholesky
// factor of a leading block is the leading block of the factor).
import { gaussian } from '../common/rng.ts';
import { cholesky, choleskySolve } from '../linalg/dense.ts';
import { chainTeachers, type ChainSpec } from './theory.ts';

export class SingularKernel extends Error {}

/** n points uniform on the unit sphere in R^d, rows. */
export function spherePoints(n: number, d: number, rand: () => number): Float64Array {
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[i * d + j] = gaussian(rand)) ** 2;
    const r = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) X[i * d + j]! *= r;
  }
  return X;
}

/** k(a_i·b_j) for rows of A (na × d) and B (nb × d). */
export function kernelMatrix(
  k: (t: number) => number,
  A: Float64Array,
  na: number,
  B: Float64Array,
  nb: number,
  d: number,
): Float64Array {
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++)
    for (let j = 0; j < nb; j++) {
      let t = 0;
      for (let q = 0; q < d; q++) t += A[i * d + q]! * B[j * d + q]!;
      // Unit vectors: rounding can leave x·x a hair above 1, outside every kernel's domain.
      out[i * nb + j] = k(t > 1 ? 1 : t < -1 ? -1 : t);
    }
  return out;
}

export interface Teacher {
  centres: Float64Array;
  coef: Float64Array;
  K: number;
}

export function drawTeacher(K: number, d: number, rand: () => number): Teacher {
  return {
    centres: spherePoints(K, d, rand),
    coef: Float64Array.from({ length: K }, () => gaussian(rand) / Math.sqrt(K)),
    K,
  };
}

export function evalTeacher(k: (t: number) => number, g: Teacher, X: Float64Array, n: number, d: number): Float64Array {
  const Kx = kernelMatrix(k, X, n, g.centres, g.K, d);
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < g.K; j++) s += Kx[i * g.K + j]! * g.coef[j]!;
    return s;
  });
}

function factor(Kmat: Float64Array, n: number, ridge: number): Float64Array {
  const A = Float64Array.from(Kmat);
  for (let i = 0; i < n; i++) A[i * n + i]! += ridge;
  try {
    return cholesky(A, n);
  } catch {
    throw new SingularKernel(`the ${n} × ${n} kernel matrix is singular without a ridge: set λ > 0`);
  }
}

/** The leading n × n block of a row-major N × N matrix. */
const leading = (M: Float64Array, N: number, n: number) => {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out.set(M.subarray(i * N, i * N + n), i * n);
  return out;
};

export interface McOptions {
  kernel: (t: number) => number;
  d: number;
  /** Terms K of each teacher. */
  terms: number;
  draws: number;
  testPoints: number;
  rand: () => number;
  cancelled?: () => boolean;
  onDraw?: (done: number) => void;
}

export interface McStats {
  mean: number[][];
  sd: number[][];
  draws: number;
}

function stats(samples: number[][][]): McStats {
  const D = samples.length;
  const mean = samples[0]!.map((row, i) => row.map((_, j) => samples.reduce((s, x) => s + x[i]![j]!, 0) / D));
  const sd = mean.map((row, i) =>
    row.map((m, j) => (D > 1 ? Math.sqrt(samples.reduce((s, x) => s + (x[i]![j]! - m) ** 2, 0) / (D - 1)) : 0)),
  );
  return { mean, sd, draws: D };
}

const mse = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / a.length;

export type SequentialFit = typeof sequentialFit;

/** Every task's error after every stage of a chain: mean[t][m] and sd over draws; `fit` may be a corrected one. */
export function chainMonteCarlo(c: ChainSpec, o: McOptions, fit: SequentialFit = sequentialFit): McStats {
  const { kernel: k, d } = o;
  const n = c.sizes.length;
  const beta = chainTeachers(n, c.rho);
  const samples: number[][][] = [];
  for (let draw = 0; draw < o.draws && !o.cancelled?.(); draw++) {
    const base = Array.from({ length: n }, () => drawTeacher(o.terms, d, o.rand));
    const T = o.testPoints;
    const Xt = spherePoints(T, d, o.rand);
    const baseAt = (X: Float64Array, m: number) => base.map((g) => evalTeacher(k, g, X, m, d));
    const task = (parts: Float64Array[], t: number, m: number) =>
      Float64Array.from({ length: m }, (_, i) => beta[t]!.reduce((s, b, j) => s + b * parts[j]![i]!, 0));
    const targetsT = (() => {
      const parts = baseAt(Xt, T);
      return Array.from({ length: n }, (_, t) => task(parts, t, T));
    })();
    const data = c.sizes.map((N, m) => {
      const X = spherePoints(N, d, o.rand);
      return { X, N, y: task(baseAt(X, N), m, N).map((v) => v + c.noise * gaussian(o.rand)) };
    });
    const fits = fit(k, d, data, c.ridge, Xt, T);
    const errors = targetsT.map((target) => fits.map((f) => mse(f, target)));
    samples.push(errors);
    o.onDraw?.(draw + 1);
  }
  if (!samples.length) throw new Error('cancelled before the first draw');
  return stats(samples);
}

/**
 * The sequential fit itself: stage m regresses y_m − f_{m−1}(X_m) by kernel (ridge) regression on X_m and adds
 * the result; f_0 = 0. Returns f_m at the test points after every stage (a stage with no samples leaves f as it was).
 */
export function sequentialFit(
  k: (t: number) => number,
  d: number,
  stages: { X: Float64Array; N: number; y: Float64Array }[],
  ridge: number,
  Xt: Float64Array,
  T: number,
): Float64Array[] {
  const fT = new Float64Array(T);
  const done: { X: Float64Array; N: number; alpha: Float64Array }[] = [];
  const out: Float64Array[] = [];
  for (const { X, N, y } of stages) {
    if (N > 0) {
      // f_{m−1} at the new points: every earlier stage's expansion.
      const r = Float64Array.from(y);
      for (const st of done) {
        const Kx = kernelMatrix(k, X, N, st.X, st.N, d);
        for (let i = 0; i < N; i++) {
          let s = 0;
          for (let j = 0; j < st.N; j++) s += Kx[i * st.N + j]! * st.alpha[j]!;
          r[i]! -= s;
        }
      }
      const alpha = choleskySolve(factor(kernelMatrix(k, X, N, X, N, d), N, ridge), r, N);
      const Kt = kernelMatrix(k, Xt, T, X, N, d);
      for (let i = 0; i < T; i++) {
        let s = 0;
        for (let j = 0; j < N; j++) s += Kt[i * N + j]! * alpha[j]!;
        fT[i]! += s;
      }
      done.push({ X, N, alpha });
    }
    out.push(Float64Array.from(fT));
  }
  return out;
}

export interface TwoTaskPoint {
  /** Task 1's error after stage 1 and after stage 2; task 2's after stage 2; task 2 learned alone from N₂ samples. */
  e11: number;
  e12: number;
  e22: number;
  e2alone: number;
}

/**
 * Two tasks, many settings per draw: for each (N₂, ρ) pair of the grid, the errors of the protocol.
 * One factorisation of stage 1 and one of the largest stage 2 per draw serve the whole grid.
 */
export function twoTaskGrid(
  N1: number,
  N2s: number[],
  rhos: number[],
  noise: number,
  ridge: number,
  o: McOptions,
): { mean: TwoTaskPoint[][]; sd: TwoTaskPoint[][]; draws: number } {
  const { kernel: k, d } = o;
  const N2max = Math.max(...N2s);
  const T = o.testPoints;
  const samples: TwoTaskPoint[][][] = [];
  for (let draw = 0; draw < o.draws && !o.cancelled?.(); draw++) {
    const g1 = drawTeacher(o.terms, d, o.rand);
    const g2 = drawTeacher(o.terms, d, o.rand);
    const Xt = spherePoints(T, d, o.rand);
    const [g1t, g2t] = [evalTeacher(k, g1, Xt, T, d), evalTeacher(k, g2, Xt, T, d)];
    // Stage 1 on task 1.
    const X1 = spherePoints(N1, d, o.rand);
    const y1 = evalTeacher(k, g1, X1, N1, d).map((v) => v + noise * gaussian(o.rand));
    const a1 = choleskySolve(factor(kernelMatrix(k, X1, N1, X1, N1, d), N1, ridge), y1, N1);
    const Kt1 = kernelMatrix(k, Xt, T, X1, N1, d);
    const f1t = Float64Array.from({ length: T }, (_, i) => a1.reduce((s, a, j) => s + a * Kt1[i * N1 + j]!, 0));
    // Stage 2's points: the largest set, of which each N₂ takes a prefix.
    const X2 = spherePoints(N2max, d, o.rand);
    const K2 = kernelMatrix(k, X2, N2max, X2, N2max, d);
    const L2 = N2max > 0 ? factor(K2, N2max, ridge) : new Float64Array(0);
    const g12 = evalTeacher(k, g1, X2, N2max, d);
    const g22 = evalTeacher(k, g2, X2, N2max, d);
    const eps = Float64Array.from({ length: N2max }, () => noise * gaussian(o.rand));
    const K21 = kernelMatrix(k, X2, N2max, X1, N1, d);
    const f12 = Float64Array.from({ length: N2max }, (_, i) => a1.reduce((s, a, j) => s + a * K21[i * N1 + j]!, 0));
    const Kt2 = kernelMatrix(k, Xt, T, X2, N2max, d);
    const grid: TwoTaskPoint[][] = N2s.map((N2) => {
      // Four right-hand sides: g₁, g₂, noise and f₁ at the first N₂ points; ρ combines them.
      const Lp = N2 ? leading(L2, N2max, N2) : null;
      const solve = (v: Float64Array) => (Lp ? choleskySolve(Lp, v.subarray(0, N2), N2) : new Float64Array(0));
      const [s1, s2, se, sf] = [solve(g12), solve(g22), solve(eps), solve(f12)];
      const at = (a: Float64Array) =>
        Float64Array.from({ length: T }, (_, i) => {
          let s = 0;
          for (let j = 0; j < N2; j++) s += Kt2[i * N2max + j]! * a[j]!;
          return s;
        });
      const [u1, u2, ue, uf] = [at(s1), at(s2), at(se), at(sf)];
      return rhos.map((rho) => {
        const r2 = Math.sqrt(Math.max(0, 1 - rho * rho));
        const target2 = g1t.map((v, i) => rho * v + r2 * g2t[i]!);
        // f₂ = f₁ + Θ(·,X₂)Θ₂⁻¹(ρ g₁ + √(1−ρ²) g₂ + ε − f₁) at the test points; alone: without f₁.
        const f2 = f1t.map((v, i) => v + rho * u1[i]! + r2 * u2[i]! + ue[i]! - uf[i]!);
        const alone = Float64Array.from({ length: T }, (_, i) => rho * u1[i]! + r2 * u2[i]! + ue[i]!);
        return { e11: mse(f1t, g1t), e12: mse(f2, g1t), e22: mse(f2, target2), e2alone: mse(alone, target2) };
      });
    });
    samples.push(grid);
    o.onDraw?.(draw + 1);
  }
  if (!samples.length) throw new Error('cancelled before the first draw');
  const D = samples.length;
  const keys = ['e11', 'e12', 'e22', 'e2alone'] as const;
  const mean = samples[0]!.map((row, i) =>
    row.map(
      (_, j) =>
        Object.fromEntries(keys.map((k2) => [k2, samples.reduce((s, x) => s + x[i]![j]![k2], 0) / D])) as unknown as TwoTaskPoint,
    ),
  );
  const sd = mean.map((row, i) =>
    row.map(
      (m, j) =>
        Object.fromEntries(
          keys.map((k2) => [k2, D > 1 ? Math.sqrt(samples.reduce((s, x) => s + (x[i]![j]![k2] - m[k2]) ** 2, 0) / (D - 1)) : 0]),
        ) as unknown as TwoTaskPoint,
    ),
  );
  return { mean, sd, draws: D };
}
