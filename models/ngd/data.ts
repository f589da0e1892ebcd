// Tasks of the natural-gradient experiments (Karakida & Osawa 2020): inputs on the unit sphere,
// targets ±0.5, and the Forster transform, which makes N > M₀ inputs isotropic (XᵀX = (N/M₀) I
// with unit rows), the input condition under which K-FAC's function-space gradient is isotropic.
import { gaussian } from '../common/rng.ts';
import { eigh } from '../linalg/dense.ts';

/** Each row scaled to unit norm, in place; throws on a zero row. */
export function unitRows(X: Float64Array, T: number, d: number): Float64Array {
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[t * d + j]! ** 2;
    if (!(s > 0)) throw new Error(`input ${t} is zero: it has no direction to normalise`);
    const k = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) X[t * d + j]! *= k;
  }
  return X;
}

/**
 * The authors' preparation (Karakida & Osawa's released code): the whole set minus its global mean,
 * divided by its global standard deviation, in place. Rows are normalised to |x| = 1 afterwards.
 */
export function standardise(X: Float64Array): Float64Array {
  const n = X.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += X[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (X[i]! - mean) ** 2;
  const sd = Math.sqrt(v / n);
  if (!(sd > 0)) throw new Error('the inputs are constant: there is nothing to standardise');
  for (let i = 0; i < n; i++) X[i] = (X[i]! - mean) / sd;
  return X;
}

/** N(0, I) inputs normalised to |x| = 1, targets ±0.5 drawn independently per output. */
export function gaussianTask(T: number, d: number, C: number, rand: () => number): { X: Float64Array; Y: Float64Array } {
  const X = unitRows(
    Float64Array.from({ length: T * d }, () => gaussian(rand)),
    T,
    d,
  );
  const Y = Float64Array.from({ length: T * C }, () => (rand() < 0.5 ? -0.5 : 0.5));
  return { X, Y };
}

/** Two classes as targets: C = 1 gives −0.5 / +0.5; C = 2 gives ±0.5 one-hot (+0.5 on the class). */
export function twoClassTargets(isSecond: ArrayLike<boolean>, C: number): Float64Array {
  if (C === 1) return Float64Array.from(isSecond, (b) => (b ? 0.5 : -0.5));
  if (C !== 2) throw new Error(`a two-class task has 1 or 2 outputs, not ${C}`);
  const Y = new Float64Array(isSecond.length * 2);
  for (let t = 0; t < isSecond.length; t++) {
    Y[t * 2] = isSecond[t] ? -0.5 : 0.5;
    Y[t * 2 + 1] = isSecond[t] ? 0.5 : -0.5;
  }
  return Y;
}

function gram(X: Float64Array, T: number, d: number): Float64Array {
  const G = new Float64Array(d * d);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < d; i++) {
      const xi = X[t * d + i]!;
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) G[i * d + j]! += xi * X[t * d + j]!;
    }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) G[j * d + i] = G[i * d + j]!;
  return G;
}

function times(X: Float64Array, T: number, d: number, S: Float64Array): Float64Array {
  const out = new Float64Array(T * d);
  for (let t = 0; t < T; t++)
    for (let k = 0; k < d; k++) {
      const x = X[t * d + k]!;
      if (x === 0) continue;
      for (let j = 0; j < d; j++) out[t * d + j]! += x * S[k * d + j]!;
    }
  return out;
}

export interface Forster {
  /** The transformed inputs: unit rows with XᵀX = (N/M₀) I. */
  X: Float64Array;
  /** The linear map A (M₀ × M₀): a new input x becomes normalise(x A). */
  map: Float64Array;
  iterations: number;
  /** ‖XᵀX − (N/M₀)I‖_F / (N/M₀) at the end. */
  residual: number;
}

/**
 * Forster's transform by alternating whitening (X ← X (XᵀX)^{-1/2}·√(N/M₀)) and row normalisation;
 * converges when the inputs are in general position. Throws when they do not span R^{M₀}.
 */
export function forster(X0: Float64Array, T: number, d: number, tol = 1e-10, maxIter = 500): Forster {
  if (T < d) throw new Error(`the Forster transform needs N ≥ M₀ (N = ${T}, M₀ = ${d})`);
  let X: Float64Array = unitRows(Float64Array.from(X0), T, d);
  let map: Float64Array = new Float64Array(d * d);
  for (let i = 0; i < d; i++) map[i * d + i] = 1;
  const target = T / d;
  let residual = Infinity;
  let it = 0;
  for (; it < maxIter; it++) {
    const G = gram(X, T, d);
    residual = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) residual += (G[i * d + j]! - (i === j ? target : 0)) ** 2;
    residual = Math.sqrt(residual) / target;
    if (residual < tol) break;
    const { values, vectors } = eigh(G, d, { vectors: true });
    if (!(values[0]! > 1e-12 * values[d - 1]!))
      throw new Error(`the Forster transform needs inputs that span all ${d} input dimensions; these span fewer`);
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (vectors![i * d + k]! * vectors![j * d + k]!) / Math.sqrt(values[k]!);
        S[i * d + j] = s * Math.sqrt(target);
      }
    X = unitRows(times(X, T, d, S), T, d);
    map = times(map, d, d, S);
  }
  return { X, map, iterations: it, residual };
}

/** A new set of inputs through a Forster map. */
export function applyForster(X: Float64Array, T: number, d: number, map: Float64Array): Float64Array {
  return unitRows(times(X, T, d, map), T, d);
}
