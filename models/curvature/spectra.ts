// What is read off a curvature operator known only through products: the top eigenpairs
// (Lanczos with full reorthogonalisation, models/linalg/lanczos.ts), the trace (Hutchinson's
// estimator with Rademacher probes), the spectral density (stochastic Lanczos quadrature:
// Gauss nodes and weights of each probe's Krylov space, Gaussian-broadened and averaged), and
// each layer's share of the top eigenvector and its own block's λ_max.
import { gaussian } from '../common/rng.ts';
import { lanczosTopK } from '../linalg/lanczos.ts';
import { tridiagonalEigen } from '../linalg/tridiag.ts';
import { dot } from './dense.ts';

export type MatVec = (v: Float64Array) => Float64Array;

/** Largest k eigenvalues (algebraic, largest first) and their vectors from at most `steps` products. */
export function topEigen(
  P: number,
  k: number,
  matvec: MatVec,
  steps: number,
  seed: number,
  opts: { start?: Float64Array; tol?: number } = {},
): { values: Float64Array; vectors: Float64Array[]; iterations: number; residuals: Float64Array } {
  if (!(k >= 1 && k < P)) throw new Error(`top: k must be 1 … ${P - 1} (below the ${P} parameters), got ${k}`);
  const r = lanczosTopK(P, k, matvec, {
    tol: opts.tol ?? 1e-8,
    maxIter: Math.max(steps, k + 1),
    seed,
    vectors: true,
    start: opts.start,
  });
  return { values: r.values, vectors: r.vectors!, iterations: r.iterations, residuals: r.residuals };
}

/** tr A ≈ mean of zᵀAz over Rademacher z, with the standard error of that mean. */
export function hutchinson(
  P: number,
  matvec: MatVec,
  probes: number,
  rand: () => number,
): { mean: number; se: number; samples: number[] } {
  const samples: number[] = [];
  for (let p = 0; p < probes; p++) {
    const z = Float64Array.from({ length: P }, () => (rand() < 0.5 ? -1 : 1));
    samples.push(dot(z, matvec(z)));
  }
  const mean = samples.reduce((a, b) => a + b, 0) / probes;
  const varS = probes > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (probes - 1) : NaN;
  return { mean, se: Math.sqrt(varS / probes), samples };
}

export interface Quadrature {
  /** Ritz values of the probe's Krylov space (ascending). */
  nodes: Float64Array;
  /** Squared first components of their eigenvectors: they sum to 1. */
  weights: Float64Array;
}

/** m Lanczos steps (full reorthogonalisation) from the unit vector v: the Gauss quadrature of vᵀ f(A) v. */
export function lanczosQuadrature(P: number, matvec: MatVec, v0: Float64Array, m: number): Quadrature {
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const n0 = Math.sqrt(dot(v0, v0));
  let q = v0.map((x) => x / n0);
  const steps = Math.min(m, P);
  for (let j = 0; j < steps; j++) {
    Q.push(q);
    const w = matvec(q);
    alpha.push(dot(w, q));
    for (let pass = 0; pass < 2; pass++)
      for (const qi of Q) {
        const c = dot(w, qi);
        for (let t = 0; t < P; t++) w[t]! -= c * qi[t]!;
      }
    const b = Math.sqrt(dot(w, w));
    // An invariant subspace: the quadrature is exact with the nodes found so far.
    if (j === steps - 1 || b < 1e-12 * Math.max(1, Math.abs(alpha[0]!))) break;
    beta.push(b);
    q = w.map((x) => x / b);
  }
  const { values, Z } = tridiagonalEigen(alpha, beta, true);
  const n = alpha.length;
  return { nodes: values, weights: Float64Array.from({ length: n }, (_, j) => Z![j]! ** 2) };
}

export interface Density {
  x: number[];
  y: number[];
  sigma: number;
  quadratures: Quadrature[];
}

/**
 * Spectral density by stochastic Lanczos quadrature: the average over Gaussian probes of
 * Σⱼ τⱼ N(x; θⱼ, σ²), a probability density (it integrates to 1 over λ). σ defaults to 1 % of
 * the nodes' range, as PyHessian broadens.
 */
export function slqDensity(
  P: number,
  matvec: MatVec,
  probes: number,
  steps: number,
  rand: () => number,
  opts: { points?: number; sigma?: number } = {},
): Density {
  const quadratures: Quadrature[] = [];
  for (let p = 0; p < probes; p++) {
    const v = Float64Array.from({ length: P }, () => gaussian(rand));
    quadratures.push(lanczosQuadrature(P, matvec, v, steps));
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const q of quadratures) for (const t of q.nodes) [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
  const range = Math.max(hi - lo, 1e-12 * Math.max(1, Math.abs(hi)));
  const sigma = opts.sigma ?? 0.01 * range;
  const points = opts.points ?? 400;
  const a = lo - 4 * sigma;
  const b = hi + 4 * sigma;
  const x = Array.from({ length: points }, (_, i) => a + ((b - a) * i) / (points - 1));
  const norm = 1 / (probes * sigma * Math.sqrt(2 * Math.PI));
  const y = x.map((xi) => {
    let s = 0;
    for (const q of quadratures)
      for (let j = 0; j < q.nodes.length; j++) s += q.weights[j]! * Math.exp(-0.5 * ((xi - q.nodes[j]!) / sigma) ** 2);
    return s * norm;
  });
  return { x, y, sigma, quadratures };
}

/** The density of log₁₀ λ (per decade) over the eigenvalues above `floor` · the largest node. */
export interface LogDensity {
  /** λ on a log-spaced grid, and the density per decade there. */
  x: number[];
  y: number[];
  /** Broadening in decades. */
  sigma: number;
  /** The spectral weight at or below the floor (zero and negative eigenvalues included): not drawn. */
  below: number;
}

/**
 * The same quadratures as a density on a log axis: Σⱼ τⱼ N(log₁₀ λ; log₁₀ θⱼ, σ²) averaged over the
 * probes, for the nodes θⱼ above floor · max θ (σ 1 % of their log range). The Gaussian broadening
 * of the linear density hides everything below a per cent of λ_max; this shows the bulk's decades.
 */
export function logDensity(quadratures: Quadrature[], opts: { floor?: number; points?: number } = {}): LogDensity {
  const floor = opts.floor ?? 1e-6;
  const points = opts.points ?? 400;
  let top = -Infinity;
  for (const q of quadratures) for (const t of q.nodes) top = Math.max(top, t);
  const cut = top > 0 ? top * floor : Infinity;
  let below = 0;
  let lo = Infinity;
  for (const q of quadratures)
    q.nodes.forEach((t, j) => {
      if (t > cut) lo = Math.min(lo, Math.log10(t));
      else below += q.weights[j]! / quadratures.length;
    });
  if (!(top > 0) || !Number.isFinite(lo)) return { x: [], y: [], sigma: 0, below };
  const hi = Math.log10(top);
  const sigma = 0.01 * Math.max(hi - lo, 1);
  const a = lo - 4 * sigma;
  const b = hi + 4 * sigma;
  const t = Array.from({ length: points }, (_, i) => a + ((b - a) * i) / (points - 1));
  const norm = 1 / (quadratures.length * sigma * Math.sqrt(2 * Math.PI));
  const y = t.map((ti) => {
    let s = 0;
    for (const q of quadratures)
      q.nodes.forEach((node, j) => {
        if (node > cut) s += q.weights[j]! * Math.exp(-0.5 * ((ti - Math.log10(node)) / sigma) ** 2);
      });
    return s * norm;
  });
  return { x: t.map((ti) => 10 ** ti), y, sigma, below };
}

export interface LayerCurvature {
  /** ‖v₁ restricted to the layer‖²: the shares sum to 1. */
  share: number;
  /** λ_max of the layer's diagonal block of the matrix. */
  blockLambdaMax: number;
}

/** Each parameterised layer's share of the top eigenvector, and its diagonal block's λ_max by Lanczos. */
export function perLayer(
  offsets: number[],
  top: Float64Array,
  matvec: MatVec,
  steps: number,
  seed: number,
): (LayerCurvature | null)[] {
  const P = offsets.at(-1)!;
  return offsets.slice(0, -1).map((from, i) => {
    const to = offsets[i + 1]!;
    const n = to - from;
    if (n === 0) return null;
    let share = 0;
    for (let j = from; j < to; j++) share += top[j]! ** 2;
    const block = (u: Float64Array) => {
      const v = new Float64Array(P);
      v.set(u, from);
      return matvec(v).slice(from, to);
    };
    const blockLambdaMax =
      n === 1
        ? block(Float64Array.of(1))[0]!
        : lanczosTopK(n, 1, block, { tol: 1e-8, maxIter: Math.min(n, steps), seed }).values[0]!;
    return { share, blockLambdaMax };
  });
}
