// The reference side of test/unit/ngd-model.test.ts: the Jacobian by central finite differences
// and the approximate Fishers built explicitly as P × P matrices, solved by eigendecomposition.
import { mulberry32 } from '../../models/common/rng.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { preconditioner, type NgdMethod } from '../../models/ngd/methods.ts';
import { depthOf, forwardNtk, initNtk, linearise, scaleOf, type NtkNet } from '../../models/ngd/network.ts';
import { layerStep } from '../../models/ngd/steps.ts';
import { gaussianTask } from '../../models/ngd/data.ts';
import type { Activation } from '../../models/ntk/activations.ts';

/** Parameters flattened layer by layer, unit by unit: (ω_i, b_i). */
export function flat(net: NtkNet): Float64Array {
  const out: number[] = [];
  for (let l = 0; l < depthOf(net); l++) {
    const nin = net.widths[l]!;
    for (let i = 0; i < net.widths[l + 1]!; i++) {
      for (let j = 0; j < nin; j++) out.push(net.omega[l]![i * nin + j]!);
      out.push(net.bias[l]![i]!);
    }
  }
  return Float64Array.from(out);
}

export function setFlat(net: NtkNet, p: Float64Array): void {
  let k = 0;
  for (let l = 0; l < depthOf(net); l++) {
    const nin = net.widths[l]!;
    for (let i = 0; i < net.widths[l + 1]!; i++) {
      for (let j = 0; j < nin; j++) net.omega[l]![i * nin + j] = p[k++]!;
      net.bias[l]![i] = p[k++]!;
    }
  }
}

/** J (n × P) by central differences of the outputs. */
export function jacobianFd(net: NtkNet, X: Float64Array, T: number): Float64Array {
  const p0 = flat(net);
  const P = p0.length;
  const L = depthOf(net);
  const n = T * net.widths[L]!;
  const J = new Float64Array(n * P);
  const h = 1e-6;
  for (let q = 0; q < P; q++) {
    const p = Float64Array.from(p0);
    p[q] = p0[q]! + h;
    setFlat(net, p);
    const fp = forwardNtk(net, X, T).h[L]!;
    p[q] = p0[q]! - h;
    setFlat(net, p);
    const fm = forwardNtk(net, X, T).h[L]!;
    for (let a = 0; a < n; a++) J[a * P + q] = (fp[a]! - fm[a]!) / (2 * h);
  }
  setFlat(net, p0);
  return J;
}

/** Which layer, unit each flat parameter belongs to. */
export function owners(net: NtkNet): { layer: Int32Array; unit: Int32Array; start: number[] } {
  const layer: number[] = [];
  const unit: number[] = [];
  const start: number[] = [];
  let u = 0;
  for (let l = 0; l < depthOf(net); l++) {
    start.push(layer.length);
    for (let i = 0; i < net.widths[l + 1]!; i++, u++)
      for (let j = 0; j <= net.widths[l]!; j++) {
        layer.push(l);
        unit.push(u);
      }
  }
  start.push(layer.length);
  return { layer: Int32Array.from(layer), unit: Int32Array.from(unit), start };
}

/** (G + ρ)⁺ b by eigendecomposition, dropping eigenvalues below tol·max when ρ = 0. */
export function eigSolve(G: Float64Array, P: number, b: Float64Array, rho: number): Float64Array {
  const { values, vectors } = eigh(G, P, { vectors: true });
  const top = Math.max(...values.map(Math.abs));
  const x = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    const lam = values[k]! + rho;
    if (rho === 0 && Math.abs(values[k]!) < 1e-9 * top) continue;
    let c = 0;
    for (let i = 0; i < P; i++) c += vectors![i * P + k]! * b[i]!;
    for (let i = 0; i < P; i++) x[i]! += (vectors![i * P + k]! * c) / lam;
  }
  return x;
}

export function gramJ(J: Float64Array, n: number, P: number): Float64Array {
  const G = new Float64Array(P * P);
  for (let a = 0; a < n; a++)
    for (let i = 0; i < P; i++) {
      const ji = J[a * P + i]!;
      if (ji === 0) continue;
      for (let j = 0; j < P; j++) G[i * P + j]! += ji * J[a * P + j]!;
    }
  return G;
}

/** The method's G̃ as a P × P matrix, built from J alone (and the forward pass for K-FAC's inputs). */
export function explicitApprox(method: NgdMethod, net: NtkNet, X: Float64Array, T: number, J: Float64Array): Float64Array {
  const L = depthOf(net);
  const C = net.widths[L]!;
  const n = T * C;
  const P = J.length / n;
  const G = gramJ(J, n, P);
  const own = owners(net);
  if (method === 'exact') return G;
  if (method === 'block-diagonal' || method === 'block-tridiagonal') {
    const reach = method === 'block-diagonal' ? 0 : 1;
    return G.map((v, k) => (Math.abs(own.layer[Math.floor(k / P)]! - own.layer[k % P]!) <= reach ? v : 0));
  }
  if (method === 'unit-wise') return G.map((v, k) => (own.unit[Math.floor(k / P)] === own.unit[k % P] ? v : 0));
  // K-FAC: N·B ⊗ A with B = Σ_rows δδᵀ/N, A = Σ_t h̃h̃ᵀ/N. δ is read from J's bias columns (∂f/∂b_i = σ_b δ_i),
  // h̃ from a forward pass: (s h, σ_b).
  const out = new Float64Array(P * P);
  const pass = forwardNtk(net, X, T);
  for (let l = 0; l < L; l++) {
    const m = net.widths[l + 1]!;
    const nin = net.widths[l]!;
    const k = nin + 1;
    const B = new Float64Array(m * m);
    for (let a = 0; a < n; a++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) {
          const di = J[a * P + own.start[l]! + i * k + nin]! / net.sigmaB;
          const dj = J[a * P + own.start[l]! + j * k + nin]! / net.sigmaB;
          B[i * m + j]! += (di * dj) / T;
        }
    const A = new Float64Array(k * k);
    const s = scaleOf(net, l);
    for (let t = 0; t < T; t++) {
      const ht = Array.from({ length: k }, (_, j) => (j < nin ? s * pass.h[l]![t * nin + j]! : net.sigmaB));
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) A[i * k + j]! += (ht[i]! * ht[j]!) / T;
    }
    for (let i = 0; i < m; i++)
      for (let a = 0; a < k; a++)
        for (let j = 0; j < m; j++)
          for (let b = 0; b < k; b++)
            out[(own.start[l]! + i * k + a) * P + own.start[l]! + j * k + b] = T * B[i * m + j]! * A[a * k + b]!;
  }
  return out;
}

export function setup(activation: Activation, widths: number[], T: number, sigmaB2 = 0.09, seed = 3) {
  const rand = mulberry32(seed);
  const net = initNtk({ activation, widths, sigmaW2: 2, sigmaB2 }, rand);
  const { X, Y } = gaussianTask(T, widths[0]!, widths.at(-1)!, rand);
  return { net, X, Y };
}

export function methodStep(method: NgdMethod, net: NtkNet, X: Float64Array, Y: Float64Array, T: number, rho: number) {
  const lin = linearise(net, X, T);
  const r = lin.pass.h[depthOf(net)]!.map((f, i) => f - Y[i]!);
  const ups = preconditioner(method, net, lin, rho).apply(r);
  const steps = ups.map((up, l) => layerStep(net, lin, l, up));
  const out: number[] = [];
  steps.forEach((s, l) => {
    const nin = net.widths[l]!;
    for (let i = 0; i < net.widths[l + 1]!; i++) {
      for (let j = 0; j < nin; j++) out.push(s.dOmega[i * nin + j]!);
      out.push(s.dBias[i]!);
    }
  });
  return { step: Float64Array.from(out), r };
}

export const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
};
