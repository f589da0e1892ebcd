// One update of a layer's weights (the rows each method changes), and the probes that measure the
// step in function space: what the methods of models/ngd/methods.ts apply.
import {
  type NtkNet,
  depthOf,
  scaleOf,
  type Pass,
  forwardNtk,
  rowCotangents,
  crossGram,
  inputGram,
  type Linearisation,
  type Probe,
} from './network.ts';
import { gemm } from '../linalg/gemm.ts';

/**
 * A layer's update in dual form: ΔΩ̃ = Eᵀ V H̃. V is either diagonal-by-row (`v`: V[a, t] = v_a·[t = t_a],
 * the form of every gradient-like update) or dense n × T (K-FAC). E defaults to the layer's row cotangents D.
 */
export interface LayerUpdate {
  E?: Float64Array;
  v?: Float64Array;
  V?: Float64Array;
}

/** W = V H̃ (n × (M_in + 1)): each row the combination of augmented inputs the update uses. */
function weightRows(net: NtkNet, l: number, pass: Pass, C: number, up: LayerUpdate): Float64Array {
  const T = pass.T;
  const n = T * C;
  const nin = net.widths[l]!;
  const s = scaleOf(net, l);
  const H = pass.h[l]!;
  const W = new Float64Array(n * (nin + 1));
  if (up.v) {
    for (let a = 0; a < n; a++) {
      const o = a * (nin + 1);
      const va = up.v[a]!;
      const t = Math.floor(a / C);
      for (let j = 0; j < nin; j++) W[o + j] = va * s * H[t * nin + j]!;
      W[o + nin] = va * net.sigmaB;
    }
    return W;
  }
  // Dense V: W = V · [s·H, σ_b], the inputs' part as one product.
  const V = up.V!;
  const VH = gemm(n, nin, T, V, H);
  for (let a = 0; a < n; a++) {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += V[a * T + t]!;
    const o = a * (nin + 1);
    for (let j = 0; j < nin; j++) W[o + j] = s * VH[a * nin + j]!;
    W[o + nin] = sum * net.sigmaB;
  }
  return W;
}

/** The layer's parameter step ΔΩ̃ = Eᵀ V H̃ as (Δω, Δb). */
export function layerStep(
  net: NtkNet,
  lin: Linearisation,
  l: number,
  up: LayerUpdate,
): { dOmega: Float64Array; dBias: Float64Array } {
  const m = net.widths[l + 1]!;
  const nin = net.widths[l]!;
  const n = lin.n;
  const E = up.E ?? lin.D[l]!;
  const W = weightRows(net, l, lin.pass, lin.C, up);
  const dOmega = new Float64Array(m * nin);
  const dBias = new Float64Array(m);
  // ΔΩ̃ = Eᵀ W: dot products of Eᵀ's rows (one per unit) with Wᵀ's rows (one per input), length n.
  const out = new Float64Array(m * (nin + 1));
  gemm(m, nin + 1, n, E, W, { transA: true, into: out });
  for (let i = 0; i < m; i++) {
    dOmega.set(out.subarray(i * (nin + 1), i * (nin + 1) + nin), i * nin);
    dBias[i] = out[i * (nin + 1) + nin]!;
  }
  return { dOmega, dBias };
}

/** θ ← θ − η Δθ for every layer's step. */
export function applySteps(net: NtkNet, steps: { dOmega: Float64Array; dBias: Float64Array }[], eta: number): void {
  steps.forEach((s, l) => {
    const w = net.omega[l]!;
    for (let i = 0; i < w.length; i++) w[i] = w[i]! - eta * s.dOmega[i]!;
    const b = net.bias[l]!;
    for (let i = 0; i < b.length; i++) b[i] = b[i]! - eta * s.dBias[i]!;
  });
}

export function probe(net: NtkNet, lin: Linearisation, X2: Float64Array, T2: number): Probe & { f: Float64Array } {
  const pass = forwardNtk(net, X2, T2);
  const L = depthOf(net);
  return {
    D: rowCotangents(net, pass),
    Kx: Array.from({ length: L }, (_, l) => inputGram(net, l, lin.pass.h[l]!, lin.T, pass.h[l]!, T2)),
    T: T2,
    f: pass.h[L]!,
  };
}

/**
 * The update's first-order effect on the outputs, J_l ΔΘ_l, without forming it: on the training rows
 * (J_l ΔΩ̃)_a = Σ_b (D_l E_lᵀ)[a, b] (V K̃_l)[b, t_a], and on a probe's rows the same with its D' and K̃(X, X').
 */
export function layerFunctionStep(net: NtkNet, lin: Linearisation, l: number, up: LayerUpdate, at?: Probe): Float64Array {
  const { n, T, C } = lin;
  const rows = at ? at.T * C : n;
  const T2 = at ? at.T : T;
  const Drows = at ? at.D[l]! : lin.D[l]!;
  const DE = up.E || at ? crossGram(Drows, rows, up.E ?? lin.D[l]!, n, net.widths[l + 1]!) : lin.DD[l]!;
  const Kx = at ? at.Kx[l]! : lin.Kh[l]!;
  const out = new Float64Array(rows);
  for (let a = 0; a < rows; a++) {
    const ta = Math.floor(a / C);
    let s = 0;
    for (let b = 0; b < n; b++) {
      const de = DE[a * n + b]!;
      if (de === 0) continue;
      let vk: number;
      if (up.v) vk = up.v[b]! * Kx[Math.floor(b / C) * T2 + ta]!;
      else {
        vk = 0;
        for (let t = 0; t < T; t++) vk += up.V![b * T + t]! * Kx[t * T2 + ta]!;
      }
      s += de * vk;
    }
    out[a] = s;
  }
  return out;
}
