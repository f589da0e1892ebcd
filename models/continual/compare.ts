// Every correction against forgetting on two tasks, at many settings, sample ratios and noise levels per
// draw, for the comparison that answers the open question. The draws share what they can: one stage-1
// factor; per family one factor of the largest stage-2 system, whose leading blocks serve every N₂ (the
// points are ordered [earlier points kept; X₂] so that a smaller N₂ is a leading block); the balanced
// step is f₁ + c·ĥ for every c from one solve; the noise levels scale one draw of standard noise (common
// random numbers), and only the right-hand sides depend on them. Each setting's numbers equal
// `correctedFit` on the same data (test/unit/continual-compare.test.ts).
import { gaussian } from '../common/rng.ts';
import { cholesky, choleskySolve } from '../linalg/dense.ts';
import type { Correction } from './corrections.ts';
import {
  drawTeacher,
  evalTeacher,
  kernelMatrix,
  type McOptions,
  SingularKernel,
  spherePoints,
  type TwoTaskPoint,
} from './monte-carlo.ts';

/** A setting of the comparison: a correction, or the balanced step's rule c = N₂/(N₁ + N₂). */
export type CompareSetting = Correction | { kind: 'balanced-auto' };

export interface CompareGrid {
  /** mean[ν][i][s]: noise level ν, N₂ = N2s[i], setting s. */
  mean: TwoTaskPoint[][][];
  sd: TwoTaskPoint[][][];
  draws: number;
}

const mse = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / a.length;

function factor(A: Float64Array, n: number): Float64Array {
  try {
    return cholesky(A, n);
  } catch {
    throw new SingularKernel(`the ${n} × ${n} kernel matrix is singular without a ridge: set λ > 0`);
  }
}

/** The kernel matrix of the rows [A; B] with the ridges on its diagonal. */
function stacked(k: (t: number) => number, d: number, A: Float64Array, B: Float64Array, ridges: Float64Array): Float64Array {
  const X = new Float64Array(A.length + B.length);
  X.set(A);
  X.set(B, A.length);
  const n = X.length / d;
  const M = kernelMatrix(k, X, n, X, n, d);
  for (let i = 0; i < n; i++) M[i * n + i]! += ridges[i]!;
  return M;
}

const leading = (L: Float64Array, N: number, n: number) => {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out.set(L.subarray(i * N, i * N + n), i * n);
  return out;
};

/** f at the test points from coefficients on the first n rows of Kt (T × N, row-major). */
function at(Kt: Float64Array, N: number, T: number, alpha: Float64Array): Float64Array {
  const n = alpha.length;
  const out = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Kt[i * N + j]! * alpha[j]!;
    out[i] = s;
  }
  return out;
}

export function compareGrid(
  N1: number,
  N2s: number[],
  rho: number,
  noises: number[],
  ridge: number,
  settings: CompareSetting[],
  o: McOptions,
): CompareGrid {
  const { kernel: k, d } = o;
  const N2max = Math.max(...N2s);
  const T = o.testPoints;
  const r2 = Math.sqrt(Math.max(0, 1 - rho * rho));
  const samples: TwoTaskPoint[][][][] = [];
  for (let draw = 0; draw < o.draws && !o.cancelled?.(); draw++) {
    const g1 = drawTeacher(o.terms, d, o.rand);
    const g2 = drawTeacher(o.terms, d, o.rand);
    const Xt = spherePoints(T, d, o.rand);
    const g1t = evalTeacher(k, g1, Xt, T, d);
    const target2 = evalTeacher(k, g2, Xt, T, d).map((v, i) => rho * g1t[i]! + r2 * v);
    const X1 = spherePoints(N1, d, o.rand);
    const e1 = Float64Array.from({ length: N1 }, () => gaussian(o.rand));
    const g11 = evalTeacher(k, g1, X1, N1, d);
    const X2 = spherePoints(N2max, d, o.rand);
    const e2 = Float64Array.from({ length: N2max }, () => gaussian(o.rand));
    const y2clean = evalTeacher(k, g1, X2, N2max, d).map((v, i) => rho * v);
    const g22 = evalTeacher(k, g2, X2, N2max, d);
    for (let i = 0; i < N2max; i++) y2clean[i]! += r2 * g22[i]!;
    const L1 = factor(stacked(k, d, X1, new Float64Array(0), new Float64Array(N1).fill(ridge)), N1);
    const K11 = kernelMatrix(k, X1, N1, X1, N1, d);
    const K21 = kernelMatrix(k, X2, N2max, X1, N1, d);
    const Kt1 = kernelMatrix(k, Xt, T, X1, N1, d);
    const Kt2 = kernelMatrix(k, Xt, T, X2, N2max, d);
    // Per noise level: stage 1, and f₁ where stage 2 needs it.
    const stage1 = noises.map((s) => {
      const y1 = g11.map((v, i) => v + s * e1[i]!);
      const a1 = choleskySolve(L1, y1, N1);
      const f1 = (K: Float64Array, rows: number) => at(K, N1, rows, a1);
      return { y1, f1t: f1(Kt1, T), f1X1: f1(K11, N1), f1X2: f1(K21, N2max), y2: y2clean.map((v, i) => v + s * e2[i]!) };
    });
    // Each family's factor of its largest system: [kept rows of X₁; X₂].
    const families = new Map<string, { L: Float64Array; n1: number; anchored: boolean }>();
    const familyOf = (c: CompareSetting) => {
      const n1 = c.kind === 'replay' ? Math.min(c.keep, N1) : c.kind === 'anchor' && c.weight > 0 ? N1 : 0;
      const anchored = c.kind === 'anchor' && c.weight > 0;
      const key = anchored ? `a${(c as { weight: number }).weight}` : `r${n1}`;
      if (!families.has(key)) {
        const ridges = new Float64Array(n1 + N2max).fill(ridge);
        if (anchored) ridges.fill(ridge / (c as { weight: number }).weight, 0, N1);
        families.set(key, { L: factor(stacked(k, d, X1.subarray(0, n1 * d), X2, ridges), n1 + N2max), n1, anchored });
      }
      return families.get(key)!;
    };
    const KtAll = new Map<number, Float64Array>();
    const ktOf = (n1: number) => {
      // The test points against [X₁ rows kept; X₂], as one T × (n1 + N₂max) matrix.
      if (!KtAll.has(n1)) {
        const N = n1 + N2max;
        const M = new Float64Array(T * N);
        for (let i = 0; i < T; i++) {
          M.set(Kt1.subarray(i * N1, i * N1 + n1), i * N);
          M.set(Kt2.subarray(i * N2max, (i + 1) * N2max), i * N + n1);
        }
        KtAll.set(n1, M);
      }
      return KtAll.get(n1)!;
    };
    const grid = noises.map((_, nu) => {
      const s1 = stage1[nu]!;
      const e11 = mse(s1.f1t, g1t);
      return N2s.map((N2) => {
        const L2 = leading(familyOf({ kind: 'none' }).L, N2max, N2);
        const alone = N2 ? at(Kt2, N2max, T, choleskySolve(L2, s1.y2.subarray(0, N2), N2)) : new Float64Array(T);
        const e2alone = mse(alone, target2);
        // ĥ: stage 2's plain regression of the residual, shared by none and every balanced step.
        const r2v = s1.y2.subarray(0, N2).map((v, i) => v - s1.f1X2[i]!);
        const h = N2 ? at(Kt2, N2max, T, choleskySolve(L2, r2v, N2)) : new Float64Array(T);
        const point = (f2: Float64Array): TwoTaskPoint => ({ e11, e12: mse(f2, g1t), e22: mse(f2, target2), e2alone });
        const step = (c: number) => point(s1.f1t.map((v, i) => v + c * h[i]!));
        return settings.map((c) => {
          if (c.kind === 'none') return step(1);
          if (c.kind === 'balanced') return step(c.step === 'auto' ? N2 / (N1 + N2) : c.step);
          if (c.kind === 'balanced-auto') return step(N2 / (N1 + N2));
          const fam = familyOf(c);
          if (fam.n1 === 0) return step(1);
          const n = fam.n1 + N2;
          const rhs = new Float64Array(n);
          // Kept samples refit their own labels; anchored inputs keep f₁ (a residual of 0).
          if (!fam.anchored) for (let i = 0; i < fam.n1; i++) rhs[i] = s1.y1[i]! - s1.f1X1[i]!;
          rhs.set(r2v, fam.n1);
          const alpha = choleskySolve(leading(fam.L, fam.n1 + N2max, n), rhs, n);
          // α covers the leading columns of [kept X₁ | X₂]: the kept rows and the first N₂ of X₂.
          const df = at(ktOf(fam.n1), fam.n1 + N2max, T, alpha);
          return point(s1.f1t.map((v, i) => v + df[i]!));
        });
      });
    });
    samples.push(grid);
    o.onDraw?.(draw + 1);
  }
  if (!samples.length) throw new Error('cancelled before the first draw');
  return summarise(samples);
}

const KEYS = ['e11', 'e12', 'e22', 'e2alone'] as const;

function summarise(samples: TwoTaskPoint[][][][]): CompareGrid {
  const D = samples.length;
  const reduce = (f: (get: (x: TwoTaskPoint[][][]) => TwoTaskPoint) => TwoTaskPoint) =>
    samples[0]!.map((a, nu) => a.map((b, i) => b.map((_, s) => f((x) => x[nu]![i]![s]!))));
  const mean = reduce(
    (get) =>
      Object.fromEntries(KEYS.map((key) => [key, samples.reduce((t, x) => t + get(x)[key], 0) / D])) as unknown as TwoTaskPoint,
  );
  const sd = samples[0]!.map((a, nu) =>
    a.map((b, i) =>
      b.map((_, s) => {
        const m = mean[nu]![i]![s]!;
        return Object.fromEntries(
          KEYS.map((key) => [
            key,
            D > 1 ? Math.sqrt(samples.reduce((t, x) => t + (x[nu]![i]![s]![key] - m[key]) ** 2, 0) / (D - 1)) : 0,
          ]),
        ) as unknown as TwoTaskPoint;
      }),
    ),
  );
  return { mean, sd, draws: D };
}
