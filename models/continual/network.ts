// The continual-learning protocol with a network: a wide ReLU MLP in the NTK parameterisation
// (models/ngd/network.ts) trained by full-batch gradient descent on each stage's fresh samples in
// turn, the errors of every task on held-out points after every stage — beside the same protocol run
// by its linearisation: the network frozen at its empirical NTK Θ₀ at initialisation, where K steps of
// GD on stage m move every output by −Θ₀(·, X_m) Θ_m⁻¹ (I − (I − ηΘ_m/N)^K) r₀. In the NTK
// parameterisation the two agree as the width grows; the mean-field scaling (outputs ÷ √M, the
// learning rate × M through η = c·2N/λ_max) lets the features move, and they part.
import { gaussian } from '../common/rng.ts';
import { eigh } from '../linalg/dense.ts';
import { preconditioner } from '../ngd/methods.ts';
import {
  cloneNet,
  forwardNtk,
  fullTheta,
  initNtk,
  linearise,
  rowCotangents,
  type Linearisation,
  type NtkNet,
} from '../ngd/network.ts';
import { applySteps, layerStep } from '../ngd/steps.ts';
import { stepOf, type Correction } from './corrections.ts';
import { ewcPenalty, gather } from './ewc.ts';
import { drawTeacher, evalTeacher, spherePoints } from './monte-carlo.ts';
import { chainTeachers } from './theory.ts';
/** The chain's data: every stage's samples, then the test points, as rows of X; each task's noise-free target at all of them. */
export interface ChainData {
  X: Float64Array;
  d: number;
  /** Samples per stage, then the number of test points. */
  counts: number[];
  /** targets[t][i]: task t's target at point i. */
  targets: Float64Array[];
}

export interface NetworkChainSpec {
  /** The correction of every stage after the first, as in the kernel model (corrections.ts). */
  correction: Correction;
  noise: number;
  width: number;
  depth: number;
  meanField: boolean;
  steps: number;
  /** η = lrFactor · 2N/λ_max(Θ₀ on the stage's samples). */
  lrFactor: number;
}

/** Kernel teachers on the sphere, chained by ρ: the data of the kernel experiment. */
export function teacherChainData(
  kernel: (t: number) => number,
  d: number,
  terms: number,
  sizes: number[],
  rho: number,
  testPoints: number,
  rand: () => number,
): ChainData {
  const n = sizes.length;
  const beta = chainTeachers(n, rho);
  const base = Array.from({ length: n }, () => drawTeacher(terms, d, rand));
  const counts = [...sizes, testPoints];
  const total = counts.reduce((a, b) => a + b, 0);
  const X = new Float64Array(total * d);
  let o = 0;
  for (const c of counts) {
    X.set(spherePoints(c, d, rand), o * d);
    o += c;
  }
  const parts = base.map((g) => evalTeacher(kernel, g, X, total, d));
  const targets = Array.from({ length: n }, (_, t) =>
    Float64Array.from({ length: total }, (_, i) => beta[t]!.reduce((a, b, j) => a + b * parts[j]![i]!, 0)),
  );
  return { X, d, counts, targets };
}

export interface NetworkChainResult {
  measured: number[][];
  /** The linearisation's errors; null for EWC with an approximate Fisher, which has no closed form here. */
  predicted: number[][] | null;
  predictedNote: string | null;
  kernelChange: number;
  stageLoss: number[];
  partial: boolean;
}

/** One full-batch GD step on (1/2N)Σ w_i(f_i − y_i)²: the gradient Jᵀ(w∘r)/N as the per-layer dual update (no Gram needed). */
function gdStep(
  net: NtkNet,
  X: Float64Array,
  Y: Float64Array,
  W: Float64Array,
  N: number,
  eta: number,
  penalty?: (net: NtkNet) => { dOmega: Float64Array; dBias: Float64Array }[],
): number {
  const pass = forwardNtk(net, X, N);
  const L = net.omega.length;
  const f = pass.h[L]!;
  const r = f.map((v, i) => W[i]! * (v - Y[i]!));
  const lin = { pass, D: rowCotangents(net, pass), DD: [], Kh: [], theta: [], T: N, C: 1, n: N } as Linearisation;
  const ups = preconditioner('gd', net, lin, 0).apply(r);
  const steps = ups.map((up, l) => layerStep(net, lin, l, up));
  // The penalty's gradient at the same parameters, added before the step.
  penalty?.(net).forEach((p, l) => {
    p.dOmega.forEach((v, i) => (steps[l]!.dOmega[i]! += v));
    p.dBias.forEach((v, i) => (steps[l]!.dBias[i]! += v));
  });
  applySteps(net, steps, eta);
  return r.reduce((s, x, i) => s + (W[i]! > 0 ? (x * x) / W[i]! : 0), 0) / (2 * N);
}

/**
 * The points stage m fits (indices into the chain's rows), their targets and weights: its own samples; with replay the
 * first R samples of each earlier stage with their labels; with the anchor every earlier input, its target the model's
 * own output before the stage (`before`), weighted λ_a.
 */
export function stageSet(
  m: number,
  sizes: readonly number[],
  offsets: readonly number[],
  labels: readonly Float64Array[],
  before: Float64Array,
  c: Correction,
): { idx: number[]; Y: Float64Array; W: Float64Array; norm: number } {
  const idx: number[] = [];
  const Y: number[] = [];
  const W: number[] = [];
  const add = (i: number, y: number, w: number) => (idx.push(i), Y.push(y), W.push(w));
  for (let i = 0; i < sizes[m]!; i++) add(offsets[m]! + i, labels[m]![offsets[m]! + i]!, 1);
  for (let k = 0; k < m; k++) {
    if (c.kind === 'replay')
      for (let i = 0; i < Math.min(c.keep, sizes[k]!); i++) add(offsets[k]! + i, labels[k]![offsets[k]! + i]!, 1);
    if (c.kind === 'anchor' && c.weight > 0)
      for (let i = 0; i < sizes[k]!; i++) add(offsets[k]! + i, before[offsets[k]! + i]!, c.weight);
  }
  // EWC with the exact Fisher F = J_AᵀJ_A/|A|, in a model linear in θ: (λ_e/2)ΔθᵀFΔθ = (λ_e/2|A|)Σ_A (f − f_before)², so
  // on the loss (1/2N)Σ_X (f − y)² it is the anchor on A with weight λ_e·N/|A|, normalised by N rather than |X ∪ A|.
  const A = sizes.slice(0, m).reduce((a, b) => a + b, 0);
  if (c.kind === 'ewc' && c.weight > 0 && A > 0)
    for (let k = 0; k < m; k++)
      for (let i = 0; i < sizes[k]!; i++) add(offsets[k]! + i, before[offsets[k]! + i]!, (c.weight * sizes[m]!) / A);
  const norm = c.kind === 'ewc' ? sizes[m]! : idx.length;
  return { idx, Y: Float64Array.from(Y), W: Float64Array.from(W), norm };
}

/** The eigenbasis of S = W^½ Θ_D W^½ on the set D: the step size's bound (its λ_max) and the linear model's K steps. */
export function weightedEigen(theta: Float64Array, total: number, idx: number[], W: Float64Array) {
  const N = idx.length;
  const sw = Array.from(W, Math.sqrt);
  const S = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) S[i * N + j] = sw[i]! * theta[idx[i]! * total + idx[j]!]! * sw[j]!;
  const { values, vectors } = eigh(S, N, { vectors: true });
  return { values, vectors: vectors!, sw, lmax: values[N - 1]! };
}

/**
 * K steps of GD on (1/2·norm)(f − y)ᵀW(f − y) (norm: the set's size unless given) for the linear model with kernel Θ
 * on the set D, from S = W^½ Θ_D W^½ = UΛUᵀ (`weightedEigen`):
 *   f(x) ← f(x) − Θ(x, D) W^½ U diag((1 − (1 − ηλ/norm)^K)/λ) Uᵀ W^½ r₀ at every row x, in place.
 */
export function linearSteps(
  theta: Float64Array,
  total: number,
  idx: number[],
  e: ReturnType<typeof weightedEigen>,
  r0: Float64Array,
  eta: number,
  steps: number,
  f: Float64Array,
  norm = idx.length,
): void {
  const N = idx.length;
  const { values, vectors, sw, lmax } = e;
  const coef = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    const lam = values[k]!;
    if (!(lam > 1e-12 * lmax)) continue;
    let c = 0;
    for (let i = 0; i < N; i++) c += vectors[i * N + k]! * sw[i]! * r0[i]!;
    c *= (1 - (1 - (eta * lam) / norm) ** steps) / lam;
    for (let i = 0; i < N; i++) coef[i]! += vectors[i * N + k]! * c;
  }
  for (let i = 0; i < N; i++) coef[i]! *= sw[i]!;
  for (let x = 0; x < total; x++) {
    let v = 0;
    for (let j = 0; j < N; j++) v += theta[x * total + idx[j]!]! * coef[j]!;
    f[x]! -= v;
  }
}

/** θ ← θ_prev + c(θ − θ_prev), layer by layer: the balanced step in parameter space (in the linearisation, f's). */
function blendNet(net: NtkNet, prev: NtkNet, c: number): void {
  const mix = (a: Float64Array, b: Float64Array) => a.forEach((v, i) => (a[i] = b[i]! + c * (v - b[i]!)));
  net.omega.forEach((w, l) => mix(w, prev.omega[l]!));
  net.bias.forEach((b, l) => mix(b, prev.bias[l]!));
}

const mse = (a: ArrayLike<number>, b: ArrayLike<number>, n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i]! - b[i]!) ** 2;
  return s / n;
};

export function runNetworkChain(
  data: ChainData,
  s: NetworkChainSpec,
  rand: () => number,
  cancelled: () => boolean = () => false,
  progress: (stage: number, step: number) => void = () => {},
): NetworkChainResult {
  const { X, d, counts, targets } = data;
  const n = counts.length - 1;
  const sizes = counts.slice(0, n);
  const offsets = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
  const total = counts.reduce((a, b) => a + b, 0);
  const labels = Array.from({ length: n }, (_, t) =>
    targets[t]!.map((v, i) => (i >= offsets[t]! && i < offsets[t]! + sizes[t]! ? v + s.noise * gaussian(rand) : v)),
  );

  const widths = [d, ...Array<number>(s.depth - 1).fill(s.width), 1];
  const net = initNtk({ activation: 'relu', widths, sigmaW2: 2, sigmaB2: 0 }, rand);
  if (s.meanField) net.outScale = 1 / Math.sqrt(s.width);
  const net0 = cloneNet(net);
  const f0 = forwardNtk(net0, X, total).h[s.depth]!;
  const theta = fullTheta(linearise(net0, X, total));
  const testAt = offsets[n]!;
  const T = counts[n]!;

  const measured: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const predicted: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const stageLoss: number[] = [];
  const fLin = Float64Array.from(f0);
  let partial = false;
  let stagesDone = 0;
  for (let m = 0; m < n && !partial; m++) {
    const N = sizes[m]!;
    if (N > 0) {
      // The set the stage fits (its own samples, and what the correction adds), each model anchored to its own past.
      const fNetAll = s.correction.kind === 'anchor' ? forwardNtk(net, X, total).h[s.depth]! : fLin;
      const lin = stageSet(m, sizes, offsets, labels, fLin, s.correction);
      // EWC: the network fits its own samples, and its penalty acts on the parameters (below).
      const ewc = s.correction.kind === 'ewc' && s.correction.weight > 0 && lin.idx.length > N;
      const nets = stageSet(m, sizes, offsets, labels, fNetAll, ewc ? { kind: 'none' } : s.correction);
      const ND = lin.norm;
      const eig = weightedEigen(theta, total, lin.idx, lin.W);
      const eta = (s.lrFactor * 2 * ND) / eig.lmax;
      const step = stepOf(s.correction, sizes, m);
      // Linear model: K steps of GD with the frozen Θ₀, then c of the way (the balanced step).
      const fBefore = Float64Array.from(fLin);
      const r0 = Float64Array.from(lin.idx, (i, k) => fLin[i]! - lin.Y[k]!);
      linearSteps(theta, total, lin.idx, eig, r0, eta, s.steps, fLin, ND);
      if (step !== 1) for (let x = 0; x < total; x++) fLin[x] = fBefore[x]! + step * (fLin[x]! - fBefore[x]!);
      // The network itself, from a copy of its parameters when the balanced step needs them.
      const prev = step !== 1 ? cloneNet(net) : null;
      const Xm = gather(X, d, nets.idx);
      const penalty = ewc
        ? ewcPenalty(net, X, d, lin.idx.slice(N), s.correction as Extract<Correction, { kind: 'ewc' }>)
        : undefined;
      let loss = 0;
      for (let k = 0; k < s.steps; k++) {
        loss = gdStep(net, Xm, nets.Y, nets.W, ND, eta, penalty);
        if (!Number.isFinite(loss))
          throw new Error(`stage ${m + 1}: the loss went non-finite at step ${k}; lower the learning-rate factor`);
        if (k % 50 === 0) {
          progress(m, k);
          if (cancelled()) {
            partial = true;
            break;
          }
        }
      }
      if (prev) blendNet(net, prev, step);
      stageLoss.push(loss);
    } else stageLoss.push(0);
    const fNet = forwardNtk(net, X.subarray(testAt * d), T).h[s.depth]!;
    for (let t = 0; t < n; t++) {
      measured[t]![m] = mse(fNet, targets[t]!.subarray(testAt), T);
      predicted[t]![m] = mse(fLin.subarray(testAt), targets[t]!.subarray(testAt), T);
    }
    stagesDone = m + 1;
  }
  // A cancelled run keeps the stages it finished (the interrupted one included, as trained so far).
  for (const rows of [measured, predicted]) rows.forEach((r, t) => (rows[t] = r.slice(0, stagesDone)));
  // How far the kernel moved on the training samples.
  const train = offsets[n]!;
  const th0 = fullTheta(linearise(net0, X.subarray(0, train * d), train));
  const th1 = fullTheta(linearise(net, X.subarray(0, train * d), train));
  let num = 0;
  let den = 0;
  for (let i = 0; i < th0.length; i++) {
    num += (th1[i]! - th0[i]!) ** 2;
    den += th0[i]! ** 2;
  }
  // EWC with an approximate Fisher weighs parameters block by block: no function-space form for the linear model.
  const approx = s.correction.kind === 'ewc' && s.correction.fisher !== 'exact' && s.correction.weight > 0 && n > 1;
  return {
    measured,
    predicted: approx ? null : predicted,
    predictedNote: approx
      ? `EWC with the ${(s.correction as { fisher: string }).fisher} Fisher weighs parameters, not outputs: the linearised network has no closed form for it here (network only)`
      : null,
    kernelChange: Math.sqrt(num / den),
    stageLoss,
    partial,
  };
}
