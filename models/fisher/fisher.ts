// Exact Fisher information of random MLPs through its TC × TC dual, F* = J S Sᵀ Jᵀ / T, built
// from the structured NTK Gram (models/ntk/gram.ts) without forming J; batch-mean centring of
// the last layer and the softmax cross-entropy metric act on that Gram directly. Also the
// random networks themselves (Gaussian or orthogonal weights), full-batch gradient descent for
// the learning-rate experiment, the unit-wise block structure, and Lanczos on the implicit dual.
import { gaussian } from '../common/rng.ts';
import { eigh } from '../linalg/dense.ts';
import { lanczosTopK } from '../linalg/lanczos.ts';
import { backprop, byOutput, forward, ntkGram, rowGram, type Activation, type HiddenNorm, type Mlp } from '../ntk/gram.ts';
import type { FisherLoss, FisherNorm } from './theory.ts';

export interface NetworkSpec {
  activation: Activation;
  widths: number[];
  sigmaW2: number;
  sigmaB2: number;
  weights: 'gaussian' | 'orthogonal';
  norm: FisherNorm;
}

/** Rows of an m × n matrix with orthonormal rows (m ≤ n) or columns (m > n), by Gram–Schmidt twice on Gaussian vectors. */
export function orthogonal(m: number, n: number, rand: () => number): Float64Array {
  const tall = m > n;
  const [r, c] = tall ? [n, m] : [m, n];
  const Q = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const v = Q.subarray(i * c, (i + 1) * c);
    for (let j = 0; j < c; j++) v[j] = gaussian(rand);
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < i; k++) {
        const u = Q.subarray(k * c, (k + 1) * c);
        let d = 0;
        for (let j = 0; j < c; j++) d += u[j]! * v[j]!;
        for (let j = 0; j < c; j++) v[j] = v[j]! - d * u[j]!;
      }
    let nrm = 0;
    for (let j = 0; j < c; j++) nrm += v[j]! * v[j]!;
    nrm = Math.sqrt(nrm);
    for (let j = 0; j < c; j++) v[j] = v[j]! / nrm;
  }
  if (!tall) return Q;
  const T = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) T[j * n + i] = Q[i * m + j]!;
  return T;
}

/**
 * W^l_ij ~ N(0, σ_w²/M_{l−1}), b^l_i ~ N(0, σ_b²); orthogonal weights have the same row norms on
 * average: σ_w·Q (orthonormal rows), scaled by √(M_l/M_{l−1}) when the layer widens.
 */
export function randomNetwork(spec: NetworkSpec, rand: () => number): Mlp {
  const { widths } = spec;
  const sw = Math.sqrt(spec.sigmaW2);
  const sb = Math.sqrt(spec.sigmaB2);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 1; l < widths.length; l++) {
    const m = widths[l]!;
    const n = widths[l - 1]!;
    if (spec.weights === 'orthogonal') {
      const Q = orthogonal(m, n, rand);
      const s = sw * Math.sqrt(Math.max(1, m / n));
      weights.push(Q.map((v) => v * s));
    } else weights.push(Float64Array.from({ length: m * n }, () => (sw * gaussian(rand)) / Math.sqrt(n)));
    biases.push(Float64Array.from({ length: m }, () => sb * gaussian(rand)));
  }
  return { activation: spec.activation, widths, weights, biases, norm: hiddenNorm(spec.norm) };
}

export function hiddenNorm(n: FisherNorm): HiddenNorm {
  return n === 'ln' ? 'ln' : n === 'bn-hidden' ? 'bn' : 'none';
}

/** Network outputs for T inputs, with the last layer batch-mean-centred under 'bn-last'. */
export function outputs(net: Mlp, X: Float64Array, T: number, norm: FisherNorm): Float64Array {
  const f = forward(net, X, T).u.at(-1)!;
  return norm === 'bn-last' ? centreOverBatch(f, T, net.widths.at(-1)!) : f;
}

/** Each of the C columns of a T × C matrix minus its mean over the batch (a copy). Its own transpose: outputs and their gradients are centred alike. */
export function centreOverBatch(f: Float64Array, T: number, C: number): Float64Array {
  const out = Float64Array.from(f);
  for (let k = 0; k < C; k++) {
    let m = 0;
    for (let t = 0; t < T; t++) m += f[t * C + k]! / T;
    for (let t = 0; t < T; t++) out[t * C + k] = f[t * C + k]! - m;
  }
  return out;
}

/** Q_t^{1/2} for Q_t = diag(p) − ppᵀ, p = softmax(f_t): the metric of the softmax cross-entropy. */
export function softmaxMetricRoot(logits: Float64Array, C: number): Float64Array {
  let mx = -Infinity;
  for (const v of logits) mx = Math.max(mx, v);
  const e = Array.from(logits, (v) => Math.exp(v - mx));
  const z = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => v / z);
  const Q = new Float64Array(C * C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) Q[i * C + j] = (i === j ? p[i]! : 0) - p[i]! * p[j]!;
  const { values, vectors } = eigh(Q, C, { vectors: true });
  const R = new Float64Array(C * C);
  for (let k = 0; k < C; k++) {
    const s = Math.sqrt(Math.max(0, values[k]!));
    for (let i = 0; i < C; i++)
      for (let j = 0; j < C; j++) R[i * C + j] = R[i * C + j]! + s * vectors![i * C + k]! * vectors![j * C + k]!;
  }
  return R;
}

/**
 * The Fisher dual F* (TC × TC, rows (t, k)) whose nonzero eigenvalues are those of F:
 * MSE: Θ/T. Last-layer batch-mean centring: (P_c ⊗ I) Θ (P_c ⊗ I)/T. Cross-entropy:
 * S Θ S / T with S = blockdiag(Q_t^{1/2}).
 */
export function fisherDual(net: Mlp, X: Float64Array, T: number, norm: FisherNorm, loss: FisherLoss): Float64Array {
  const C = net.widths.at(-1)!;
  const n = T * C;
  let G = ntkGram(net, X, T);
  if (norm === 'bn-last') {
    // Centre over t for each (k, k') block: G ← P G P with P = (I − 11ᵀ/T) ⊗ I_C.
    // R[(t,k), k'] = mean over s of G[(t,k),(s,k')]; `all` its mean over t.
    const R = new Float64Array(n * C);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) R[a * C + (b % C)]! += G[a * n + b]! / T;
    const all = new Float64Array(C * C);
    for (let a = 0; a < n; a++) for (let k2 = 0; k2 < C; k2++) all[(a % C) * C + k2]! += R[a * C + k2]! / T;
    const H = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        H[a * n + b] = G[a * n + b]! - R[a * C + (b % C)]! - R[b * C + (a % C)]! + all[(a % C) * C + (b % C)]!;
    G = H;
  }
  if (loss === 'ce') {
    const f = outputs(net, X, T, norm);
    const S = Array.from({ length: T }, (_, t) => softmaxMetricRoot(f.subarray(t * C, (t + 1) * C), C));
    const GS = new Float64Array(n * n);
    // (G S)[a, (t', k')] = Σ_j G[a, (t', j)] S_t'[j, k']
    for (let a = 0; a < n; a++)
      for (let t2 = 0; t2 < T; t2++)
        for (let k2 = 0; k2 < C; k2++) {
          let v = 0;
          for (let j = 0; j < C; j++) v += G[a * n + t2 * C + j]! * S[t2]![j * C + k2]!;
          GS[a * n + t2 * C + k2] = v;
        }
    const H = new Float64Array(n * n);
    for (let t1 = 0; t1 < T; t1++)
      for (let k1 = 0; k1 < C; k1++)
        for (let b = 0; b < n; b++) {
          let v = 0;
          for (let j = 0; j < C; j++) v += S[t1]![k1 * C + j]! * GS[(t1 * C + j) * n + b]!;
          H[(t1 * C + k1) * n + b] = v;
        }
    G = H;
  }
  for (let i = 0; i < G.length; i++) G[i] = G[i]! / T;
  return G;
}

export interface SpectrumStats {
  P: number;
  m_lambda: number;
  s_lambda: number;
  lambda_max: number;
}

/** m_λ = Tr F / P and s_λ = Σλ²/P read off the dual (Tr F* and ‖F*‖²_F), λ_max from its spectrum. */
export function statsOf(Fd: Float64Array, n: number, P: number, eigenvalues: ArrayLike<number>): SpectrumStats {
  let tr = 0;
  let fro = 0;
  for (let i = 0; i < n; i++) tr += Fd[i * n + i]!;
  for (let i = 0; i < Fd.length; i++) fro += Fd[i]! * Fd[i]!;
  let mx = -Infinity;
  for (let i = 0; i < eigenvalues.length; i++) mx = Math.max(mx, eigenvalues[i]!);
  return { P, m_lambda: tr / P, s_lambda: fro / P, lambda_max: mx };
}

/**
 * Top-k eigenvalues of the MSE Fisher dual without forming it (per-sample networks only):
 * F* v = J (Jᵀ v)/T, with Jᵀv accumulated layer by layer as Σ_t D_t h_tᵀ and J u read back
 * through the stored back-propagated errors. Memory O(TC·M·L); each product O(T M² L + TC M L).
 */
export function fisherTopK(net: Mlp, X: Float64Array, T: number, k: number, tol = 1e-9): Float64Array {
  if ((net.norm ?? 'none') === 'bn')
    throw new Error('the implicit operator handles per-sample networks; batch norm in hidden layers needs the dense dual');
  const L = net.weights.length;
  const C = net.widths[L]!;
  const n = T * C;
  const fp = forward(net, X, T);
  // δ^l for every row (t, k), kept for all layers: the operator reads them on every product.
  const deltas: Float64Array[] = new Array(L);
  let delta: Float64Array = new Float64Array(n * C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) delta[(t * C + c) * C + c] = 1;
  deltas[L - 1] = delta;
  for (let l = L - 1; l >= 1; l--) deltas[l - 1] = delta = backprop(net, fp, l, delta, n, byOutput(C));
  const matvec = (v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let l = 0; l < L; l++) {
      const m = net.widths[l + 1]!;
      const nin = net.widths[l]!;
      const H = fp.h[l]!;
      const Dl = deltas[l]!;
      // D_t = Σ_k v_{tk} δ_{tk}; G = Σ_t D_t h_tᵀ (m × nin); g_b = Σ_t D_t.
      const Dt = new Float64Array(T * m);
      for (let r = 0; r < n; r++) {
        const t = Math.floor(r / C);
        const vr = v[r]!;
        if (vr === 0) continue;
        for (let i = 0; i < m; i++) Dt[t * m + i]! += vr * Dl[r * m + i]!;
      }
      const G = new Float64Array(m * nin);
      const gb = new Float64Array(m);
      for (let t = 0; t < T; t++)
        for (let i = 0; i < m; i++) {
          const d = Dt[t * m + i]!;
          if (d === 0) continue;
          gb[i]! += d;
          for (let j = 0; j < nin; j++) G[i * nin + j]! += d * H[t * nin + j]!;
        }
      // y_t = G h_t + g_b; out_r += δ_r · y_t.
      for (let t = 0; t < T; t++) {
        const y = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let s = gb[i]!;
          for (let j = 0; j < nin; j++) s += G[i * nin + j]! * H[t * nin + j]!;
          y[i] = s;
        }
        for (let c = 0; c < C; c++) {
          const r = t * C + c;
          let s = 0;
          for (let i = 0; i < m; i++) s += Dl[r * m + i]! * y[i]!;
          out[r]! += s / T;
        }
      }
    }
    return out;
  };
  return lanczosTopK(n, Math.min(k, n), matvec, { tol }).values;
}

/**
 * Full-batch gradient descent on E = (1/2T) Σ_t |y_t − f(x_t)|² (with the last layer batch-mean
 * centred under 'bn-last'); returns the loss before each step and after the last. Divergence
 * stops early (non-finite or above 1e12).
 */
export function gradientDescent(
  net: Mlp,
  X: Float64Array,
  Y: Float64Array,
  T: number,
  norm: FisherNorm,
  eta: number,
  steps: number,
  cancelled: () => boolean = () => false,
): number[] {
  if (norm === 'ln' || norm === 'bn-hidden') throw new Error('the learning-rate experiment supports --norm none|bn-last');
  const L = net.weights.length;
  const C = net.widths[L]!;
  const losses: number[] = [];
  for (let step = 0; step <= steps; step++) {
    const fp = forward(net, X, T);
    const f = outputs(net, X, T, norm);
    let loss = 0;
    const r = new Float64Array(T * C);
    for (let i = 0; i < r.length; i++) {
      r[i] = f[i]! - Y[i]!;
      loss += (r[i]! * r[i]!) / (2 * T);
    }
    losses.push(loss);
    if (!Number.isFinite(loss) || loss > 1e12 || step === steps || cancelled()) break;
    // ∂E/∂f = r/T; centring is its own transpose, so the gradient flows through it centred.
    let g: Float64Array = r.map((v) => v / T);
    if (norm === 'bn-last') g = centreOverBatch(g, T, C);
    for (let l = L - 1; l >= 0; l--) {
      const m = net.widths[l + 1]!;
      const nin = net.widths[l]!;
      const W = net.weights[l]!;
      const H = fp.h[l]!;
      const gW = new Float64Array(m * nin);
      const gb = new Float64Array(m);
      for (let t = 0; t < T; t++)
        for (let i = 0; i < m; i++) {
          const d = g[t * m + i]!;
          if (d === 0) continue;
          gb[i]! += d;
          for (let j = 0; j < nin; j++) gW[i * nin + j]! += d * H[t * nin + j]!;
        }
      // One row per input: the loss gradient's backward pass is the Gram's (before W is updated).
      if (l > 0) g = backprop(net, fp, l, g, T, (t) => t);
      for (let i = 0; i < W.length; i++) W[i] = W[i]! - eta * gW[i]!;
      const b = net.biases[l]!;
      for (let i = 0; i < m; i++) b[i] = b[i]! - eta * gb[i]!;
    }
  }
  return losses;
}

/**
 * Unit-wise block structure: for every pair of units (i, j) over all layers, the Frobenius
 * norm of the Fisher block between unit i's parameters (incoming weights and bias) and unit
 * j's, without forming F: ‖F_ij‖² = (1/T²) (d_i ⊙ d_j)ᵀ (K̃_i ⊙ K̃_j) (d_i ⊙ d_j), where d_i holds
 * unit i's back-propagated error for every row (t, k) and K̃ the layer's input Gram + 1.
 */
export function unitBlockNorms(
  net: Mlp,
  X: Float64Array,
  T: number,
): { norms: Float64Array; units: number; layerOf: Int32Array } {
  if ((net.norm ?? 'none') !== 'none') throw new Error('the block structure is computed for networks without normalisation');
  const L = net.weights.length;
  const C = net.widths[L]!;
  const n = T * C;
  const fp = forward(net, X, T);
  const ds: Float64Array[] = []; // per unit: its δ over rows
  const ks: Float64Array[] = []; // per layer: K̃ over rows (n × n)
  const layerOf: number[] = [];
  let delta: Float64Array = new Float64Array(n * C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) delta[(t * C + c) * C + c] = 1;
  const perLayer: { delta: Float64Array; m: number }[] = new Array(L);
  perLayer[L - 1] = { delta, m: C };
  for (let l = L - 1; l >= 1; l--) {
    delta = backprop(net, fp, l, delta, n, byOutput(C));
    perLayer[l - 1] = { delta, m: net.widths[l]! };
  }
  for (let l = 0; l < L; l++) {
    const K = rowGram(fp.h[l]!, T, net.widths[l]!);
    const Kt = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) Kt[a * n + b] = K[Math.floor(a / C) * T + Math.floor(b / C)]! + 1;
    ks.push(Kt);
    const { delta: D, m } = perLayer[l]!;
    for (let i = 0; i < m; i++) {
      ds.push(Float64Array.from({ length: n }, (_, r) => D[r * m + i]!));
      layerOf.push(l);
    }
  }
  const U = ds.length;
  const norms = new Float64Array(U * U);
  const w = new Float64Array(n);
  for (let i = 0; i < U; i++)
    for (let j = 0; j <= i; j++) {
      const Ki = ks[layerOf[i]!]!;
      const Kj = ks[layerOf[j]!]!;
      for (let r = 0; r < n; r++) w[r] = ds[i]![r]! * ds[j]![r]!;
      let s = 0;
      for (let a = 0; a < n; a++) {
        if (w[a] === 0) continue;
        let row = 0;
        for (let b = 0; b < n; b++) row += Ki[a * n + b]! * Kj[a * n + b]! * w[b]!;
        s += w[a]! * row;
      }
      const v = Math.sqrt(Math.max(0, s)) / T;
      norms[i * U + j] = v;
      norms[j * U + i] = v;
    }
  return { norms, units: U, layerOf: Int32Array.from(layerOf) };
}
