// Where recall goes in a hierarchy (memory, concept, root, global centre): the centres of each
// level and the distances to them, summed pairwise in bounded blocks so large populations fit.
import * as tf from '@tensorflow/tfjs';

/**
 * The reference points of the hierarchy, all in latent space: every state's own memory code
 * (the encoder mean of its clean start), its concept centre, its root centre and the global
 * centre. Centres are means of the training memories' encoder means.
 */
export interface LevelRefs {
  /** [n, d] memory codes, or null when the states have no clean start (pure noise). */
  memory: ArrayLike<number> | null;
  /** Concept of each state; −1 = none. */
  labels: ArrayLike<number>;
  /** [classes, d] concept centres. */
  concepts: ArrayLike<number>;
  classes: number;
  /** Root of each concept (hierarchical data), or null. */
  rootOf: ArrayLike<number> | null;
  /** [roots, d] root centres, or null. */
  roots: ArrayLike<number> | null;
  /** [d] the global centre. */
  global: ArrayLike<number>;
}

export interface LevelMetrics {
  /** Mean ‖z − memory code‖ over states with a clean start. */
  distMemory: number | null;
  /** Mean ‖z − own concept centre‖ over states with a concept. */
  distConcept: number | null;
  /** Mean ‖z − own root centre‖ (hierarchical data only). */
  distRoot: number | null;
  /** Mean ‖z − global centre‖ over all states. */
  distGlobal: number;
  /**
   * Over states with a concept: the fraction whose nearest reference point among its own
   * memory code, concept centre, root centre and the global centre is each of them (sums to 1).
   */
  nearestLevel: { memory: number | null; concept: number; root: number | null; global: number } | null;
  /** Mean pairwise distance between states of the same concept (pairs pooled over concepts). */
  withinConceptSpread: number | null;
}

/**
 * Σ_{i<j} ‖z_i − z_j‖ over all pairs, and over pairs of the same label (labels < 0 excluded),
 * with the pair count of the latter. Small populations use a float64 loop; from
 * PAIRWISE_TF_ROWS rows on, the distances come from the Gram matrix of the centred states,
 * multiplied in tfjs (float32): the O(n²d) loop took ~0.5 s of a 1000-state × 30-step recall,
 * the Gram ~10 ms a step. test/unit/vae-hierarchy.test.ts
 * checks the two against each other.
 */
export const PAIRWISE_TF_ROWS = 256;

export function pairDistanceSums(
  Z: ArrayLike<number>,
  n: number,
  d: number,
  labels: ArrayLike<number>,
  force?: 'loop' | 'gram',
): { all: number; same: number; samePairs: number } {
  let samePairs = 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) if (labels[i]! >= 0) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  for (const c of counts.values()) samePairs += (c * (c - 1)) / 2;
  // WebGPU has no synchronous read: there the loop runs (the metrics stay synchronous float64 code).
  if ((force ?? (n >= PAIRWISE_TF_ROWS && tf.getBackend() !== 'webgpu' ? 'gram' : 'loop')) === 'gram') {
    // Only the product runs in tfjs: its elementwise kernels cost ~30 ns an element here.
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] = mean[k]! + Z[i * d + k]! / n;
    const Xc = Float32Array.from({ length: n * d }, (_, i) => Z[i]! - mean[i % d]!);
    const g = tf.tidy(() => {
      const X = tf.tensor2d(Xc, [n, d]);
      return tf.matMul(X, X, false, true);
    });
    const G = g.dataSync() as Float32Array;
    g.dispose();
    let all = 0;
    let same = 0;
    for (let i = 0; i < n; i++) {
      const gi = G[i * n + i]!;
      const li = labels[i]!;
      for (let j = i + 1; j < n; j++) {
        const dij = Math.sqrt(Math.max(0, gi + G[j * n + j]! - 2 * G[i * n + j]!));
        all += dij;
        if (li >= 0 && li === labels[j]) same += dij;
      }
    }
    return { all, same, samePairs };
  }
  const X = Float64Array.from({ length: n * d }, (_, i) => Z[i]!);
  let sumAll = 0;
  let sumSame = 0;
  for (let i = 0; i < n; i++) {
    const a = i * d;
    for (let j = i + 1; j < n; j++) {
      const b = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = X[a + k]! - X[b + k]!;
        s += t * t;
      }
      const dij = Math.sqrt(s);
      sumAll += dij;
      if (labels[i]! >= 0 && labels[i] === labels[j]) sumSame += dij;
    }
  }
  return { all: sumAll, same: sumSame, samePairs };
}

export const dist = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number => {
  let s = 0;
  for (let k = 0; k < d; k++) s += (a[i * d + k]! - b[j * d + k]!) ** 2;
  return Math.sqrt(s);
};

/** Distances of a population of states Z (n × d) to every level of the hierarchy. */
export function levelMetrics(Z: ArrayLike<number>, n: number, d: number, r: LevelRefs, pairs?: PairSums): LevelMetrics {
  let dm = 0;
  let dc = 0;
  let dr = 0;
  let dg = 0;
  let owned = 0;
  const near = { memory: 0, concept: 0, root: 0, global: 0 };
  for (let i = 0; i < n; i++) {
    const g = dist(Z, i, r.global, 0, d);
    dg += g;
    const c = r.labels[i]!;
    const m = r.memory ? dist(Z, i, r.memory, i, d) : Infinity;
    if (r.memory) dm += m;
    if (c < 0) continue;
    owned++;
    const cc = dist(Z, i, r.concepts, c, d);
    dc += cc;
    const rr = r.roots && r.rootOf ? dist(Z, i, r.roots, r.rootOf[c]!, d) : Infinity;
    if (r.roots) dr += rr;
    // Ties go to the more specific level.
    const best = Math.min(m, cc, rr, g);
    if (m === best) near.memory++;
    else if (cc === best) near.concept++;
    else if (rr === best) near.root++;
    else near.global++;
  }
  const { same: pairSum, samePairs } = pairs ?? pairDistanceSums(Z, n, d, r.labels);
  const hier = r.roots !== null && r.rootOf !== null;
  return {
    distMemory: r.memory && n ? dm / n : null,
    distConcept: owned ? dc / owned : null,
    distRoot: hier && owned ? dr / owned : null,
    distGlobal: n ? dg / n : 0,
    nearestLevel: owned
      ? {
          memory: r.memory ? near.memory / owned : null,
          concept: near.concept / owned,
          root: hier ? near.root / owned : null,
          global: near.global / owned,
        }
      : null,
    withinConceptSpread: samePairs ? pairSum / samePairs : null,
  };
}

/**
 * Root and global centres from the concept centres and their counts: a count-weighted mean of
 * concept means is the mean over the same members, so this equals the direct means of the
 * training codes. Concept k belongs to root ⌊k / conceptsPerRoot⌋.
 */
export function hierarchyCentres(
  concepts: ArrayLike<number>,
  counts: ArrayLike<number>,
  classes: number,
  d: number,
  hierarchy: { roots: number; conceptsPerRoot: number } | null,
): { roots: Float64Array | null; rootOf: Int32Array | null; global: Float64Array } {
  const global = new Float64Array(d);
  let total = 0;
  for (let c = 0; c < classes; c++) {
    total += counts[c]!;
    for (let k = 0; k < d; k++) global[k] = global[k]! + counts[c]! * concepts[c * d + k]!;
  }
  for (let k = 0; k < d; k++) global[k] = total ? global[k]! / total : 0;
  if (!hierarchy) return { roots: null, rootOf: null, global };
  const G = hierarchy.roots;
  const rootOf = Int32Array.from({ length: classes }, (_, c) => Math.min(G - 1, Math.floor(c / hierarchy.conceptsPerRoot)));
  const roots = new Float64Array(G * d);
  const n = new Float64Array(G);
  for (let c = 0; c < classes; c++) {
    const g = rootOf[c]!;
    n[g] = n[g]! + counts[c]!;
    for (let k = 0; k < d; k++) roots[g * d + k] = roots[g * d + k]! + counts[c]! * concepts[c * d + k]!;
  }
  for (let g = 0; g < G; g++) for (let k = 0; k < d; k++) roots[g * d + k] = n[g] ? roots[g * d + k]! / n[g]! : 0;
  return { roots, rootOf, global };
}

export type PairSums = ReturnType<typeof pairDistanceSums>;
