// Recall dynamics of repeated VAE inference: z₀ = enc(x₀), x_t = dec_mean(z_{t−1}),
// z_t = enc(x_t), where enc is the encoder mean or a sample from q(z|x). A population of states
// is measured against the class concept vectors m_c (class means of the encoder means of the
// training images). The measurements are plain float64 loops, independent of tfjs.
import * as tf from '@tensorflow/tfjs';
import { eigh } from '../linalg/dense.ts';
import { gaussian } from '../common/rng.ts';
import { normalNoise, type Vae } from './vae.ts';
import { pairDistanceSums, type PairSums } from './levels.ts';

export * from './levels.ts';

/** Encoder means of n flattened images, in chunks. */
export async function encodeMeans(vae: Vae, X: Float32Array, n: number): Promise<Float32Array> {
  const D = vae.config.inputShape[0] * vae.config.inputShape[1];
  const d = vae.config.latent;
  const out = new Float32Array(n * d);
  const CH = 1000;
  for (let s = 0; s < n; s += CH) {
    const m = Math.min(CH, n - s);
    const mu = tf.tidy(() => vae.encode(tf.tensor2d(X.subarray(s * D, (s + m) * D), [m, D])).mu);
    out.set(await mu.data(), s * d);
    mu.dispose();
  }
  return out;
}

/** m_c = mean of the rows of Z whose label is c; classes without rows stay 0 with count 0. */
export function conceptVectors(
  Z: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  d: number,
  classes: number,
): { concepts: Float64Array; counts: number[] } {
  const concepts = new Float64Array(classes * d);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    counts[c]!++;
    for (let k = 0; k < d; k++) concepts[c * d + k] = concepts[c * d + k]! + Z[i * d + k]!;
  }
  for (let c = 0; c < classes; c++)
    for (let k = 0; k < d; k++) if (counts[c]) concepts[c * d + k] = concepts[c * d + k]! / counts[c]!;
  return { concepts, counts };
}

export interface RecallTrajectory {
  /** States z_0..z_K: [(K+1), n, d]. */
  Z: Float32Array;
  /** For the kept rows: x_0 (the start image) then x_1..x_K, [keep, K+1, D]. */
  images: Float32Array;
}

export interface TrajectoryOptions {
  /** z_t = μ_enc(x_t) ('mean') or a draw from q(z|x_t) ('sample'). */
  zMode: 'mean' | 'sample';
  /** x_t = the decoder mean ('mean') or a draw from p(x|z_t) ('sample': Bernoulli bits, or mean + σε). */
  xMode: 'mean' | 'sample';
  /** Rows whose images are returned. */
  keep: number[];
  cancelled?: () => boolean;
  onStep?: (t: number) => void;
}

/** Runs the iteration for n start images; every random draw comes from the seeded `rand`. Reads asynchronously (WebGPU). */
export async function recallTrajectory(
  vae: Vae,
  X0: Float32Array,
  n: number,
  iterations: number,
  rand: () => number,
  o: TrajectoryOptions,
): Promise<RecallTrajectory> {
  const D = vae.config.inputShape[0] * vae.config.inputShape[1];
  const d = vae.config.latent;
  const K = iterations;
  const { keep } = o;
  const Z = new Float32Array((K + 1) * n * d);
  const images = new Float32Array(keep.length * (K + 1) * D);
  keep.forEach((i, r) => images.set(X0.subarray(i * D, (i + 1) * D), r * (K + 1) * D));
  const encode = (x: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const { mu, logvar } = vae.encode(x);
      if (o.zMode === 'mean') return mu;
      return tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), normalNoise(x.shape[0], d, rand))) as tf.Tensor2D;
    });
  const sigma = vae.config.gaussianSigma;
  const bernoulli = vae.config.decoder === 'bernoulli';
  let z = tf.tidy(() => encode(tf.tensor2d(X0.subarray(0, n * D), [n, D])));
  Z.set(await z.data(), 0);
  for (let t = 1; t <= K && !(o.cancelled?.() ?? false); t++) {
    let x = vae.decodeMean(z);
    if (o.xMode === 'sample') {
      const xs = (await x.data()) as Float32Array;
      const drawn = new Float32Array(xs.length);
      for (let i = 0; i < xs.length; i++) drawn[i] = bernoulli ? (rand() < xs[i]! ? 1 : 0) : xs[i]! + sigma * gaussian(rand);
      x.dispose();
      x = tf.tensor2d(drawn, [n, D]);
    }
    if (keep.length) {
      const xs = await x.data();
      keep.forEach((i, r) => images.set(xs.subarray(i * D, (i + 1) * D), (r * (K + 1) + t) * D));
    }
    const next = encode(x);
    x.dispose();
    z.dispose();
    z = next;
    Z.set(await z.data(), t * n * d);
    o.onStep?.(t);
  }
  z.dispose();
  return { Z, images };
}

export interface RecallMetrics {
  /** Mean ‖z − m_own‖ over states with a class (null when none has one, e.g. pure noise). */
  meanDistOwn: number | null;
  meanCosOwn: number | null;
  fracNearestOwn: number | null;
  /** Mean pairwise Euclidean distance over the population. */
  spread: number;
  /** How many states have each concept as their nearest (Euclidean). */
  nearestHistogram: number[];
}

/**
 * Metrics of one population of states Z (n × d); labels < 0 mark states without a class.
 * `pairs`, when the caller already has them for this Z, saves recomputing the O(n²) sums.
 */
export function recallMetrics(
  Z: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  d: number,
  concepts: ArrayLike<number>,
  classes: number,
  pairs?: PairSums,
): RecallMetrics {
  let dist = 0;
  let cos = 0;
  let near = 0;
  let owned = 0;
  const hist = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (Z[i * d + k]! - concepts[c * d + k]!) ** 2;
      if (s < bestD) ((bestD = s), (best = c));
    }
    hist[best]!++;
    const own = labels[i]!;
    if (own < 0) continue;
    owned++;
    let s = 0;
    let dot = 0;
    let zz = 0;
    let mm = 0;
    for (let k = 0; k < d; k++) {
      const z = Z[i * d + k]!;
      const m = concepts[own * d + k]!;
      s += (z - m) ** 2;
      dot += z * m;
      zz += z * z;
      mm += m * m;
    }
    dist += Math.sqrt(s);
    cos += zz > 0 && mm > 0 ? dot / Math.sqrt(zz * mm) : 0;
    if (best === own) near++;
  }
  const pair = (pairs ?? pairDistanceSums(Z, n, d, labels)).all;
  return {
    meanDistOwn: owned ? dist / owned : null,
    meanCosOwn: owned ? cos / owned : null,
    fracNearestOwn: owned ? near / owned : null,
    spread: n > 1 ? pair / ((n * (n - 1)) / 2) : 0,
    nearestHistogram: hist,
  };
}

/** The smallest value of a curve and the first step where it occurs; nulls are skipped. */
export function curveMinimum(curve: (number | null)[]): { min: number; step: number } | null {
  let best: { min: number; step: number } | null = null;
  curve.forEach((v, t) => {
    if (v !== null && (best === null || v < best.min)) best = { min: v, step: t };
  });
  return best;
}

/**
 * First t at which a distance curve has closed 90 % of its fall from t = 0 to its minimum;
 * null when it never falls below its start.
 */
export function t90(curve: number[]): number | null {
  const m = curveMinimum(curve);
  if (!m || m.step === 0) return null;
  const target = curve[0]! - 0.9 * (curve[0]! - m.min);
  return curve.findIndex((v) => v <= target);
}

/** v(t)/v(0); null where v(0) is 0 or missing (the memory distance of a noiseless start). */
export function normalised(curve: (number | null)[]): (number | null)[] {
  const v0 = curve[0];
  return curve.map((v) => (v === null || v0 === null || v0 === undefined || !(v0 > 1e-12) ? null : v / v0));
}

/**
 * Axes for the latent scatter: for d = 2 the latent axes themselves; otherwise the top two
 * principal components of the given latents (rows of Z). Returns [mean; axis 1; axis 2].
 */
export function projectionAxes(Z: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(3 * d);
  if (d === 2) {
    out.set([0, 0, 1, 0, 0, 1]);
    return out;
  }
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) out[k] = out[k]! + Z[i * d + k]! / n;
  const C = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) {
      const za = Z[i * d + a]! - out[a]!;
      for (let b = 0; b <= a; b++) C[a * d + b] = C[a * d + b]! + (za * (Z[i * d + b]! - out[b]!)) / n;
    }
  const { vectors } = eigh(C, d, { vectors: true });
  // Ascending eigenvalues: the last two columns are the leading directions.
  for (let k = 0; k < d; k++) {
    out[d + k] = vectors![k * d + d - 1]!;
    out[2 * d + k] = vectors![k * d + d - 2]!;
  }
  return out;
}

export function project(Z: ArrayLike<number>, n: number, d: number, axes: ArrayLike<number>): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    let a = 0;
    let b = 0;
    for (let k = 0; k < d; k++) {
      const z = Z[i * d + k]! - axes[k]!;
      a += z * axes[d + k]!;
      b += z * axes[2 * d + k]!;
    }
    out[2 * i] = a;
    out[2 * i + 1] = b;
  }
  return out;
}
