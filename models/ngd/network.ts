// MLPs in the NTK parameterisation (Jacot et al.; Karakida & Osawa 2020):
//   u^l = (σ_w/√M_{l−1}) ω^l h^{l−1} + σ_b b^l,  ω, b ~ N(0, 1),  h^l = φ(u^l),  f = u^L,
// with the parameters θ = (ω, b) themselves trained. Every layer is one matrix Ω̃ = [ω | b] acting
// on the augmented input h̃ = (s h, σ_b), s = σ_w/√M_{l−1}: the gradient of f_k(x_t) with respect to
// Ω̃ is δ_k(t) h̃(t)ᵀ. Every natural-gradient method here (models/ngd/methods.ts) is an update
//   ΔΩ̃_l = E_lᵀ V_l H̃_l   (E: n × M_l row cotangents, V: n × N, H̃: N × (M_{l−1}+1)),
// n = N·C rows (t, k), so one code path applies them all and gives their function-space effect.
// Float64 throughout; no P × P matrix is ever formed.
import { gaussian } from '../common/rng.ts';
import { dphi, phi, type Activation } from '../ntk/activations.ts';
import { gemm } from '../linalg/gemm.ts';

export interface NtkNet {
  activation: Activation;
  /** widths[0] = M₀ (inputs), widths[L] = C (outputs). */
  widths: number[];
  sigmaW: number;
  sigmaB: number;
  /** ω^l, widths[l+1] × widths[l], row-major (layer l maps widths[l] → widths[l+1]). */
  omega: Float64Array[];
  bias: Float64Array[];
  /** A factor on the outputs, f = γ u^L (1 by default). γ = 1/√M with a learning rate × M is the mean-field scaling, where features move. */
  outScale?: number;
}

export const depthOf = (net: NtkNet) => net.omega.length;

/** s_l = σ_w/√M_l for layer l (0-based: its input has widths[l] units). */
export const scaleOf = (net: NtkNet, l: number) => net.sigmaW / Math.sqrt(net.widths[l]!);

export function initNtk(
  spec: { activation: Activation; widths: number[]; sigmaW2: number; sigmaB2: number },
  rand: () => number,
): NtkNet {
  const omega: Float64Array[] = [];
  const bias: Float64Array[] = [];
  for (let l = 0; l + 1 < spec.widths.length; l++) {
    omega.push(Float64Array.from({ length: spec.widths[l + 1]! * spec.widths[l]! }, () => gaussian(rand)));
    bias.push(Float64Array.from({ length: spec.widths[l + 1]! }, () => gaussian(rand)));
  }
  return {
    activation: spec.activation,
    widths: [...spec.widths],
    sigmaW: Math.sqrt(spec.sigmaW2),
    sigmaB: Math.sqrt(spec.sigmaB2),
    omega,
    bias,
  };
}

export function cloneNet(net: NtkNet): NtkNet {
  return { ...net, widths: [...net.widths], omega: net.omega.map((w) => w.slice()), bias: net.bias.map((b) => b.slice()) };
}

export function parameterCount(widths: number[]): number {
  let p = 0;
  for (let l = 0; l + 1 < widths.length; l++) p += widths[l + 1]! * (widths[l]! + 1);
  return p;
}

export interface Pass {
  /** h[0] = X, h[l] = φ(u^l) for hidden layers, h[L] = f. Rows are samples. */
  h: Float64Array[];
  /** u^{l+1} at index l. */
  u: Float64Array[];
  T: number;
}

/**
 * Row-major A (rows × k) times Bᵀ for B (cols × k): out[i, j] = A_i · B_j, on the float64 product
 * kernels (models/linalg/gemm.ts).
 */
export function rowsDot(
  A: Float64Array,
  rows: number,
  B: Float64Array,
  cols: number,
  k: number,
  out: Float64Array<ArrayBuffer>,
): void {
  gemm(rows, cols, k, A, B, { transB: true, into: out });
}

export function dot(A: Float64Array, a: number, B: Float64Array, b: number, q0: number, q1: number): number {
  let s = 0;
  for (let q = q0; q < q1; q++) s += A[a + q]! * B[b + q]!;
  return s;
}

/** The transpose of a row-major rows × cols matrix, in 32 × 32 tiles (both sides' cache lines reused). */
export function transpose(A: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i0 = 0; i0 < rows; i0 += 32)
    for (let j0 = 0; j0 < cols; j0 += 32) {
      const i1 = Math.min(rows, i0 + 32);
      const j1 = Math.min(cols, j0 + 32);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) T[j * rows + i] = A[i * cols + j]!;
    }
  return T;
}

export function forwardNtk(net: NtkNet, X: Float64Array, T: number): Pass {
  const L = depthOf(net);
  if (X.length !== T * net.widths[0]!) throw new Error(`X must hold ${T}×${net.widths[0]} values, got ${X.length}`);
  const h: Float64Array[] = [X];
  const u: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const nin = net.widths[l]!;
    const nout = net.widths[l + 1]!;
    const ul = new Float64Array(T * nout);
    rowsDot(h[l]!, T, net.omega[l]!, nout, nin, ul);
    const s = scaleOf(net, l);
    const b = net.bias[l]!;
    for (let t = 0; t < T; t++) for (let i = 0; i < nout; i++) ul[t * nout + i] = s * ul[t * nout + i]! + net.sigmaB * b[i]!;
    if (l === L - 1 && net.outScale !== undefined) for (let i = 0; i < ul.length; i++) ul[i]! *= net.outScale;
    u.push(ul);
    h.push(l === L - 1 ? ul : ul.map((x) => phi(net.activation, x)));
  }
  return { h, u, T };
}

/**
 * Row cotangents of every layer's pre-activations: D[l] is n × widths[l+1] with row (t, k) = ∂f_k(x_t)/∂u^{l+1}
 * (n = T·C, k fastest). D[L−1] = e_k; D[l−1] = φ'(u^l) ⊙ (s_l ω^lᵀ D[l]).
 */
export function rowCotangents(net: NtkNet, pass: Pass): Float64Array[] {
  const L = depthOf(net);
  const C = net.widths[L]!;
  const n = pass.T * C;
  const D: Float64Array[] = new Array(L);
  let d = new Float64Array(n * C);
  for (let r = 0; r < n; r++) d[r * C + (r % C)] = net.outScale ?? 1;
  D[L - 1] = d;
  for (let l = L - 1; l >= 1; l--) {
    const m = net.widths[l + 1]!;
    const nin = net.widths[l]!;
    const W = net.omega[l]!;
    const s = scaleOf(net, l);
    const uPrev = pass.u[l - 1]!;
    // next = d ω (n × nin).
    const next = gemm(n, nin, m, d, W);
    for (let r = 0; r < n; r++) {
      const o = r * nin;
      const t = Math.floor(r / C);
      for (let j = 0; j < nin; j++) next[o + j] = s * next[o + j]! * dphi(net.activation, uPrev[t * nin + j]!);
    }
    D[l - 1] = next;
    d = next;
  }
  return D;
}

/** A A'ᵀ for row-major A (ra × k), A' (rb × k). */
export function crossGram(A: Float64Array, ra: number, B: Float64Array, rb: number, k: number): Float64Array {
  const out = new Float64Array(ra * rb);
  rowsDot(A, ra, B, rb, k, out);
  return out;
}

/** K̃_l = H̃ H̃'ᵀ = s_l² H H'ᵀ + σ_b² between the inputs of layer l on two sets of samples (T × T'). */
export function inputGram(net: NtkNet, l: number, H: Float64Array, T: number, H2: Float64Array, T2: number): Float64Array {
  const K = crossGram(H, T, H2, T2, net.widths[l]!);
  const s2 = scaleOf(net, l) ** 2;
  const b2 = net.sigmaB ** 2;
  for (let i = 0; i < K.length; i++) K[i] = s2 * K[i]! + b2;
  return K;
}

/** Everything the methods need about the network at its current parameters, on the training inputs. */
export interface Linearisation {
  pass: Pass;
  /** Row cotangents per layer (n × M_{l+1}). */
  D: Float64Array[];
  /** D_l D_lᵀ per layer (n × n). */
  DD: Float64Array[];
  /** K̃_l per layer (T × T). */
  Kh: Float64Array[];
  /** Θ_l = (D_l D_lᵀ) ∘ (S K̃_l Sᵀ) per layer (n × n): layer l's NTK. */
  theta: Float64Array[];
  T: number;
  C: number;
  n: number;
}

export function linearise(net: NtkNet, X: Float64Array, T: number): Linearisation {
  const pass = forwardNtk(net, X, T);
  const D = rowCotangents(net, pass);
  const L = depthOf(net);
  const C = net.widths[L]!;
  const n = T * C;
  const DD: Float64Array[] = [];
  const Kh: Float64Array[] = [];
  const theta: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const dd = crossGram(D[l]!, n, D[l]!, n, net.widths[l + 1]!);
    const kh = inputGram(net, l, pass.h[l]!, T, pass.h[l]!, T);
    const th = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) th[a * n + b] = dd[a * n + b]! * kh[Math.floor(a / C) * T + Math.floor(b / C)]!;
    DD.push(dd);
    Kh.push(kh);
    theta.push(th);
  }
  return { pass, D, DD, Kh, theta, T, C, n };
}

/** Θ = Σ_l Θ_l = J Jᵀ. */
export function fullTheta(lin: Linearisation): Float64Array {
  const th = new Float64Array(lin.n * lin.n);
  for (const t of lin.theta) for (let i = 0; i < th.length; i++) th[i]! += t[i]!;
  return th;
}

/** Half the mean squared error over samples: (1/2T) Σ_t |f_t − y_t|². */
export function halfMse(f: Float64Array, Y: Float64Array, T: number): number {
  let s = 0;
  for (let i = 0; i < f.length; i++) s += (f[i]! - Y[i]!) ** 2;
  return s / (2 * T);
}

/** Θ(X', X) = Σ_l J'_l J_lᵀ, n' × n: the test rows' NTK against the training rows. */
export function crossTheta(net: NtkNet, lin: Linearisation, at: Probe): Float64Array {
  const { n, C } = lin;
  const rows = at.T * C;
  const out = new Float64Array(rows * n);
  for (let l = 0; l < depthOf(net); l++) {
    const DD = crossGram(at.D[l]!, rows, lin.D[l]!, n, net.widths[l + 1]!);
    const Kx = at.Kx[l]!;
    for (let a = 0; a < rows; a++)
      for (let b = 0; b < n; b++) out[a * n + b]! += DD[a * n + b]! * Kx[Math.floor(b / C) * at.T + Math.floor(a / C)]!;
  }
  return out;
}

/** Another set of samples (test inputs) seen through the training rows' linearisation. */
export interface Probe {
  /** Row cotangents per layer on the probe rows (n' × M_{l+1}). */
  D: Float64Array[];
  /** K̃_l between the training inputs (rows) and the probe inputs (columns), T × T'. */
  Kx: Float64Array[];
  T: number;
}
