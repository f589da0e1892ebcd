// The empirical NTK Gram Θ = J Jᵀ of an MLP (J: Jacobian of the C outputs on T inputs with
// respect to all P parameters, biases included), built layer by layer without ever forming
// J: Θ[(t,k),(t',k')] = Σ_l (δ^{l,k}(t)·δ^{l,k'}(t')) (h^{l-1}(t)·h^{l-1}(t') + 1).
// Cost O(L (TC)² M) instead of O((TC)² P). The Fisher dual is F* = Θ / T (same nonzero
// spectrum as F = JᵀJ / T). Float64 throughout: its eigenvalues span many decades.

import { dphi, phi, type Activation } from './activations.ts';
import { gemm } from '../linalg/gemm.ts';

export { dphi, erf, phi, type Activation } from './activations.ts';

/** Normalisation of the hidden pre-activations: none, layer norm (per sample, over units), or batch norm (per unit, over the T inputs). No learned scale or shift. */
export type HiddenNorm = 'none' | 'ln' | 'bn';

export interface Mlp {
  activation: Activation;
  /** widths[0] = input dimension, widths[L] = outputs C. */
  widths: number[];
  /** weights[l] is widths[l+1] × widths[l], row-major: u = W h + b. */
  weights: Float64Array[];
  biases: Float64Array[];
  /** Default 'none'. */
  norm?: HiddenNorm;
}

/** Added to the variance before dividing, as frameworks do. */
export const NORM_EPS = 1e-5;

/** Rows of A (n × d) against themselves: the symmetric n × n matrix A Aᵀ (exactly symmetric: each pair's terms are summed in the same order). */
export function rowGram(A: Float64Array, n: number, d: number): Float64Array<ArrayBuffer> {
  return gemm(n, n, d, A, A, { transB: true });
}

export interface ForwardPass {
  /** h[0] = X, h[l] = φ(n^l) for hidden layers, h[L] = u^L (the outputs). */
  h: Float64Array[];
  /** Pre-activations u^l = W^l h^{l−1} + b^l, l = 1..L (index l − 1). */
  u: Float64Array[];
  /** Normalised pre-activations of hidden layers (= u without normalisation), index l − 1. */
  n: Float64Array[];
  /** Per-sample (ln) or per-unit (bn) standard deviations used, index l − 1. */
  sd: Float64Array[];
}

/** Which entries of a T × M matrix (samples × units, row-major) a normalisation pools: a sample's units (layer norm) or a unit's samples (batch norm). */
export type NormAxis = 'units' | 'samples';

const groupsOf = (T: number, M: number, axis: NormAxis) =>
  axis === 'units'
    ? { groups: T, len: M, at: (g: number, k: number) => g * M + k }
    : { groups: M, len: T, at: (g: number, k: number) => k * M + g };

/** (x − mean)/√(var + ε) within each group of `axis`; also each group's σ. Layer norm and batch norm are this with the axes swapped. */
export function normalise(x: Float64Array, T: number, M: number, axis: NormAxis): { n: Float64Array; sd: Float64Array } {
  const { groups, len, at } = groupsOf(T, M, axis);
  const n = new Float64Array(T * M);
  const sd = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    let m = 0;
    for (let k = 0; k < len; k++) m += x[at(g, k)]! / len;
    let v = 0;
    for (let k = 0; k < len; k++) v += (x[at(g, k)]! - m) ** 2 / len;
    sd[g] = Math.sqrt(v + NORM_EPS);
    for (let k = 0; k < len; k++) n[at(g, k)] = (x[at(g, k)]! - m) / sd[g]!;
  }
  return { n, sd };
}

/**
 * The normalisation's backward pass, in place: a cotangent g of the normalised values n becomes
 * (g − mean g − n·mean(n g))/σ within each group, i.e. ∂n/∂u = (I − 11ᵀ/N − n nᵀ/N)/σ applied.
 */
export function normaliseBackward(
  g: Float64Array,
  n: ArrayLike<number>,
  sd: ArrayLike<number>,
  T: number,
  M: number,
  axis: NormAxis,
): void {
  const { groups, len, at } = groupsOf(T, M, axis);
  for (let q = 0; q < groups; q++) {
    let mg = 0;
    let mng = 0;
    for (let k = 0; k < len; k++) {
      mg += g[at(q, k)]! / len;
      mng += (n[at(q, k)]! * g[at(q, k)]!) / len;
    }
    for (let k = 0; k < len; k++) g[at(q, k)] = (g[at(q, k)]! - mg - n[at(q, k)]! * mng) / sd[q]!;
  }
}

/** Forward pass for T inputs, rows of X. */
export function forward(net: Mlp, X: Float64Array, T: number): ForwardPass {
  const L = net.weights.length;
  const norm = net.norm ?? 'none';
  const h: Float64Array[] = [X];
  const u: Float64Array[] = [];
  const nn: Float64Array[] = [];
  const sds: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const nin = net.widths[l]!;
    const nout = net.widths[l + 1]!;
    const W = net.weights[l]!;
    const b = net.biases[l]!;
    const prev = h[l]!;
    const ul = new Float64Array(T * nout);
    for (let t = 0; t < T; t++)
      for (let i = 0; i < nout; i++) {
        let s = b[i]!;
        const wr = i * nin;
        const pr = t * nin;
        for (let j = 0; j < nin; j++) s += W[wr + j]! * prev[pr + j]!;
        ul[t * nout + i] = s;
      }
    u.push(ul);
    if (l === L - 1) {
      nn.push(ul);
      sds.push(new Float64Array(0));
      h.push(ul);
      break;
    }
    const { n: nl, sd } =
      norm === 'none' ? { n: ul, sd: new Float64Array(0) } : normalise(ul, T, nout, norm === 'ln' ? 'units' : 'samples');
    nn.push(nl);
    sds.push(sd);
    h.push(nl.map((x) => phi(net.activation, x)));
  }
  return { h, u, n: nn, sd: sds };
}

/** Θ = J Jᵀ, (T·C) × (T·C), rows ordered (t, k) → t·C + k. Batch norm couples the inputs and takes ntkGramBatchNorm's path. */
export function ntkGram(net: Mlp, X: Float64Array, T: number): Float64Array {
  if ((net.norm ?? 'none') === 'bn') return ntkGramBatchNorm(net, X, T);
  const L = net.weights.length;
  const C = net.widths[L]!;
  const n = T * C;
  if (X.length !== T * net.widths[0]!) throw new Error(`X must hold ${T}×${net.widths[0]} values, got ${X.length}`);
  const fp = forward(net, X, T);
  const theta = new Float64Array(n * n);
  // delta: rows (t, k), columns units of layer l; starts as e_k at the readout.
  let delta: Float64Array = new Float64Array(n * C);
  for (let t = 0; t < T; t++) for (let k = 0; k < C; k++) delta[(t * C + k) * C + k] = 1;
  for (let l = L - 1; l >= 0; l--) {
    const m = net.widths[l + 1]!;
    const nin = net.widths[l]!;
    const D = l === L - 1 ? null : rowGram(delta, n, m); // readout: δ·δ' = [k = k']
    const K = rowGram(fp.h[l]!, T, nin);
    for (let a = 0; a < n; a++) {
      const ta = Math.floor(a / C);
      for (let b = 0; b <= a; b++) {
        const tb = Math.floor(b / C);
        const dd = D ? D[a * n + b]! : a % C === b % C ? 1 : 0;
        if (dd === 0) continue;
        const v = dd * (K[ta * T + tb]! + 1);
        theta[a * n + b]! += v;
        if (a !== b) theta[b * n + a]! += v;
      }
    }
    if (l === 0) break;
    delta = backprop(net, fp, l, delta, n, byOutput(C));
  }
  return theta;
}

/**
 * δ^{l−1} (cotangents of u^{l−1}, one per row) from δ^l: through W^l, the activation and, with
 * layer norm, the per-sample normalisation. `sampleOf(row)` is the input a row belongs to (rows
 * (t, k) of the Gram: ⌊row/C⌋; rows of a loss gradient: the row itself). The Gram, gradient
 * descent and the unit-wise blocks all take their backward pass here.
 */
export function backprop(
  net: Mlp,
  fp: ForwardPass,
  l: number,
  delta: Float64Array,
  rows: number,
  sampleOf: (row: number) => number,
): Float64Array {
  const m = net.widths[l + 1]!;
  const nin = net.widths[l]!;
  const W = net.weights[l]!;
  const prevN = fp.n[l - 1]!;
  const next = new Float64Array(rows * nin);
  const ln = net.norm === 'ln';
  for (let r = 0; r < rows; r++) {
    const t = sampleOf(r);
    const o = r * nin;
    for (let i = 0; i < m; i++) {
      const d = delta[r * m + i]!;
      if (d === 0) continue;
      const wr = i * nin;
      for (let j = 0; j < nin; j++) next[o + j]! += W[wr + j]! * d;
    }
    for (let j = 0; j < nin; j++) next[o + j]! *= dphi(net.activation, prevN[t * nin + j]!);
    if (ln)
      normaliseBackward(
        next.subarray(o, o + nin),
        prevN.subarray(t * nin, (t + 1) * nin),
        fp.sd[l - 1]!.subarray(t, t + 1),
        1,
        nin,
        'units',
      );
  }
  return next;
}

/** Rows (t, k) of the Gram, k fastest. */
export const byOutput = (C: number) => (row: number) => Math.floor(row / C);

/**
 * Θ with batch norm in the hidden layers. Normalising over the batch makes every output
 * depend on every input, so a row's gradient with respect to u^l is a T × M_l matrix Δ; the
 * layer's contribution to Θ_ab is ⟨Δ_a, Δ_b (H Hᵀ + 11ᵀ)⟩. Cost O(T²C·T·M²·L): for small batches.
 */
export function ntkGramBatchNorm(net: Mlp, X: Float64Array, T: number): Float64Array {
  const L = net.weights.length;
  const C = net.widths[L]!;
  const n = T * C;
  if (X.length !== T * net.widths[0]!) throw new Error(`X must hold ${T}×${net.widths[0]} values, got ${X.length}`);
  const fp = forward(net, X, T);
  const theta = new Float64Array(n * n);
  // Readout: plain per-sample gradients.
  const KL = rowGram(fp.h[L - 1]!, T, net.widths[L - 1]!);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) if (a % C === b % C) theta[a * n + b]! += KL[Math.floor(a / C) * T + Math.floor(b / C)]! + 1;
  // Δ for each row: T × M_l, row-major, all rows stacked.
  let m = C;
  let delta: Float64Array = new Float64Array(n * T * C);
  for (let t = 0; t < T; t++) for (let k = 0; k < C; k++) delta[(t * C + k) * T * C + t * C + k] = 1;
  for (let l = L - 1; l >= 1; l--) {
    const nin = net.widths[l]!;
    // Each row r carries a T × M matrix: rows (r, s) of one backward pass, s fastest; then the
    // batch normalisation of each unit couples its T entries.
    const next = backprop(net, fp, l, delta, n * T, (row) => row % T);
    for (let r = 0; r < n; r++)
      normaliseBackward(next.subarray(r * T * nin, (r + 1) * T * nin), fp.n[l - 1]!, fp.sd[l - 1]!, T, nin, 'samples');
    delta = next;
    m = nin;
    // Layer l's weights: K̃ = H Hᵀ + 11ᵀ over the batch; contribution ⟨Δ_a, Δ_b K̃⟩.
    const Kt = rowGram(fp.h[l - 1]!, T, net.widths[l - 1]!).map((v) => v + 1);
    const DK = new Float64Array(n * T * m);
    for (let r = 0; r < n; r++)
      for (let s = 0; s < T; s++)
        for (let s2 = 0; s2 < T; s2++) {
          const k = Kt[s * T + s2]!;
          if (k === 0) continue;
          const src = (r * T + s2) * m;
          const dst = (r * T + s) * m;
          for (let j = 0; j < m; j++) DK[dst + j]! += k * delta[src + j]!;
        }
    const len = T * m;
    for (let a = 0; a < n; a++)
      for (let b = 0; b <= a; b++) {
        let v = 0;
        const oa = a * len;
        const ob = b * len;
        for (let q = 0; q < len; q++) v += delta[oa + q]! * DK[ob + q]!;
        theta[a * n + b]! += v;
        if (a !== b) theta[b * n + a]! += v;
      }
  }
  return theta;
}
