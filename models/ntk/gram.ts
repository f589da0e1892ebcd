// The empirical NTK Gram Θ = J Jᵀ of an MLP (J: Jacobian of the C outputs on T inputs with
// respect to all P parameters, biases included), built layer by layer without ever forming
// J: Θ[(t,k),(t',k')] = Σ_l (δ^{l,k}(t)·δ^{l,k'}(t')) (h^{l-1}(t)·h^{l-1}(t') + 1).
// Cost O(L (TC)² M) instead of O((TC)² P). The Fisher dual is F* = Θ / T (same nonzero
// spectrum as F = JᵀJ / T). Float64 throughout: its eigenvalues span many decades.

export type Activation = 'relu' | 'tanh' | 'linear';

export interface Mlp {
  activation: Activation;
  /** widths[0] = input dimension, widths[L] = outputs C. */
  widths: number[];
  /** weights[l] is widths[l+1] × widths[l], row-major: u = W h + b. */
  weights: Float64Array[];
  biases: Float64Array[];
}

function phi(a: Activation, u: number): number {
  return a === 'relu' ? (u > 0 ? u : 0) : a === 'tanh' ? Math.tanh(u) : u;
}

function dphi(a: Activation, u: number): number {
  if (a === 'relu') return u > 0 ? 1 : 0;
  if (a === 'tanh') {
    const t = Math.tanh(u);
    return 1 - t * t;
  }
  return 1;
}

/** Rows of A (n × d) against themselves: the symmetric n × n matrix A Aᵀ. */
export function rowGram(A: Float64Array, n: number, d: number): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * d;
    for (let j = 0; j <= i; j++) {
      const rj = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < d; k += 4) {
        s0 += A[ri + k]! * A[rj + k]!;
        s1 += A[ri + k + 1]! * A[rj + k + 1]!;
        s2 += A[ri + k + 2]! * A[rj + k + 2]!;
        s3 += A[ri + k + 3]! * A[rj + k + 3]!;
      }
      for (; k < d; k++) s0 += A[ri + k]! * A[rj + k]!;
      const s = s0 + s1 + s2 + s3;
      G[i * n + j] = s;
      G[j * n + i] = s;
    }
  }
  return G;
}

/** Forward pass: pre-activations u^l and activations h^l (h^0 = X) for T inputs. */
export function forward(net: Mlp, X: Float64Array, T: number): { h: Float64Array[]; u: Float64Array[] } {
  const L = net.weights.length;
  const h: Float64Array[] = [X];
  const u: Float64Array[] = [];
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
        for (let j = 0; j < nin; j++) s += W[i * nin + j]! * prev[t * nin + j]!;
        ul[t * nout + i] = s;
      }
    u.push(ul);
    h.push(l < L - 1 ? ul.map((x) => phi(net.activation, x)) : ul);
  }
  return { h, u };
}

/** Θ = J Jᵀ, (T·C) × (T·C), rows ordered (t, k) → t·C + k. */
export function ntkGram(net: Mlp, X: Float64Array, T: number): Float64Array {
  const L = net.weights.length;
  const C = net.widths[L]!;
  const n = T * C;
  if (X.length !== T * net.widths[0]!) throw new Error(`X must hold ${T}×${net.widths[0]} values, got ${X.length}`);
  const { h, u } = forward(net, X, T);
  const theta = new Float64Array(n * n);
  // delta: rows (t, k), columns units of layer l; starts as e_k at the readout.
  let delta = new Float64Array(n * C);
  for (let t = 0; t < T; t++) for (let k = 0; k < C; k++) delta[(t * C + k) * C + k] = 1;
  for (let l = L - 1; l >= 0; l--) {
    const m = net.widths[l + 1]!;
    const nin = net.widths[l]!;
    const D = l === L - 1 ? null : rowGram(delta, n, m); // readout: δ·δ' = [k = k']
    const K = rowGram(h[l]!, T, nin);
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
    // δ^{l-1} = φ'(u^{l-1}) ⊙ (W^lᵀ δ^l), for every (t, k) row.
    const W = net.weights[l]!;
    const prevU = u[l - 1]!;
    const next = new Float64Array(n * nin);
    for (let r = 0; r < n; r++) {
      const t = Math.floor(r / C);
      for (let i = 0; i < m; i++) {
        const d = delta[r * m + i]!;
        if (d === 0) continue;
        const wr = i * nin;
        for (let j = 0; j < nin; j++) next[r * nin + j]! += W[wr + j]! * d;
      }
      for (let j = 0; j < nin; j++) next[r * nin + j]! *= dphi(net.activation, prevU[t * nin + j]!);
    }
    delta = next;
  }
  return theta;
}
