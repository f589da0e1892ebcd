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
  predicted: number[][];
  kernelChange: number;
  stageLoss: number[];
  partial: boolean;
}

/** One full-batch GD step on (1/2N)Σ(f − y)²: the gradient Jᵀr/N as the per-layer dual update (no Gram needed). */
function gdStep(net: NtkNet, X: Float64Array, Y: Float64Array, N: number, eta: number): number {
  const pass = forwardNtk(net, X, N);
  const L = net.omega.length;
  const f = pass.h[L]!;
  const r = f.map((v, i) => v - Y[i]!);
  const lin = { pass, D: rowCotangents(net, pass), DD: [], Kh: [], theta: [], T: N, C: 1, n: N } as Linearisation;
  const ups = preconditioner('gd', net, lin, 0).apply(r);
  applySteps(
    net,
    ups.map((up, l) => layerStep(net, lin, l, up)),
    eta,
  );
  return r.reduce((s, x) => s + x * x, 0) / (2 * N);
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
    const o = offsets[m]!;
    if (N > 0) {
      // The stage's block of Θ₀ and its eigenbasis: the step size and the linear model's K steps.
      const Tm = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) Tm[i * N + j] = theta[(o + i) * total + o + j]!;
      const { values, vectors } = eigh(Tm, N, { vectors: true });
      const lmax = values[N - 1]!;
      const eta = (s.lrFactor * 2 * N) / lmax;
      // Linear model: f ← f − Θ₀(·, X_m) U diag((1 − (1 − ηλ/N)^K)/λ) Uᵀ r₀.
      const r0 = Float64Array.from({ length: N }, (_, i) => fLin[o + i]! - labels[m]![o + i]!);
      const coef = new Float64Array(N);
      for (let k = 0; k < N; k++) {
        const lam = values[k]!;
        if (!(lam > 1e-12 * lmax)) continue;
        let c = 0;
        for (let i = 0; i < N; i++) c += vectors![i * N + k]! * r0[i]!;
        c *= (1 - (1 - (eta * lam) / N) ** s.steps) / lam;
        for (let i = 0; i < N; i++) coef[i]! += vectors![i * N + k]! * c;
      }
      for (let x = 0; x < total; x++) {
        let v = 0;
        for (let j = 0; j < N; j++) v += theta[x * total + o + j]! * coef[j]!;
        fLin[x]! -= v;
      }
      // The network itself.
      const Xm = X.subarray(o * d, (o + N) * d);
      const Ym = labels[m]!.subarray(o, o + N);
      let loss = 0;
      for (let step = 0; step < s.steps; step++) {
        loss = gdStep(net, Xm, Ym, N, eta);
        if (!Number.isFinite(loss))
          throw new Error(`stage ${m + 1}: the loss went non-finite at step ${step}; lower the learning-rate factor`);
        if (step % 50 === 0) {
          progress(m, step);
          if (cancelled()) {
            partial = true;
            break;
          }
        }
      }
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
  return { measured, predicted, kernelChange: Math.sqrt(num / den), stageLoss, partial };
}
