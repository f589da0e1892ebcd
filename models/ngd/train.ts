// A natural-gradient run: K steps of one method from a given initialisation, the train and test
// loss after each, and beside them what the NTK theory predicts for the same run (models/ngd/theory.ts)
// and the isotropy diagnostic (the spectrum of the method's function-space kernel at initialisation).
import { eigh } from '../linalg/dense.ts';
import { preconditioner, type NgdMethod } from './methods.ts';
import { cloneNet, crossTheta, depthOf, forwardNtk, fullTheta, halfMse, linearise, type NtkNet } from './network.ts';
import { applySteps, layerFunctionStep, layerStep, probe } from './steps.ts';
import { analyticTest } from './analytic.ts';
import { alphaOf, isotropicLosses, isotropicTest, type Alpha } from './theory.ts';
export interface NgdTask {
  X: Float64Array;
  Y: Float64Array;
  T: number;
  Xt: Float64Array;
  Yt: Float64Array;
  Tt: number;
  forster: boolean;
}

export interface RunOptions {
  method: NgdMethod;
  /** A number, or 'best' for the method's 1/α (gradient descent: 2/(λ_max + λ_min) of Θ/N). */
  eta: number | 'best';
  rho: number;
  steps: number;
  /** Compute the isotropy diagnostic (the kernel's spectrum). */
  spectrum?: boolean;
  cancelled?: () => boolean;
  onStep?: (step: number, loss: number) => void;
}

export interface NgdRun {
  method: NgdMethod;
  eta: number;
  /** Train loss ½·mean|f − y|² before each step and after the last; test loss alike. */
  losses: number[];
  testLosses: number[];
  /**
   * Predictions: `losses`/`testLosses` with the network's own (empirical, finite-width) NTK;
   * `testLossesAnalytic` with the infinite-width one (models/ngd/analytic.ts), null with its reason in `analyticNote`.
   */
  theory: Alpha & { losses: number[]; testLosses: number[]; testLossesAnalytic: number[] | null; analyticNote: string | null };
  /** Eigenvalues (ascending) of K = J(G̃ + ρ)⁻¹Jᵀ at initialisation, or null (with the reason). */
  spectrum: number[] | null;
  spectrumNote: string | null;
  /**
   * Whether each step stayed in the linear regime (one value per step taken): η‖Δθ‖ ÷ ‖θ₀‖; the
   * linearisation error ‖Δf − JΔθ‖ ÷ ‖JΔθ‖ on the training outputs (Δf the outputs' actual change);
   * the fraction of hidden pre-activations (unit × sample) whose sign the step changed.
   */
  stepSizes: number[];
  linearErrors: number[];
  signChanges: number[];
  /** The loss went non-finite or above 10¹² times its start: the run stopped there. */
  diverged: boolean;
  stepsDone: number;
  secondsPerStep: number;
}

/** λ_max and λ_min of Θ/N (JJᵀ/N) at the network's current parameters. */
export function thetaExtremes(net: NtkNet, X: Float64Array, T: number): { max: number; min: number } {
  const lin = linearise(net, X, T);
  const { values } = eigh(fullTheta(lin), lin.n);
  return { max: values[lin.n - 1]! / T, min: Math.max(0, values[0]!) / T };
}

function symmetricEigenvalues(K: Float64Array, n: number): number[] {
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = (K[i * n + j]! + K[j * n + i]!) / 2;
  return [...eigh(S, n).values];
}

const sumSq = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);

/** ‖(f₁ − f₀) − predicted‖ ÷ ‖predicted‖. */
function linearError(f0: Float64Array, f1: Float64Array, predicted: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < f0.length; i++) {
    num += (f1[i]! - f0[i]! - predicted[i]!) ** 2;
    den += predicted[i]! ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}

/** The fraction of hidden pre-activations whose sign differs between two passes. */
function signChanged(a: Float64Array[], b: Float64Array[]): number {
  let flips = 0;
  let total = 0;
  a.forEach((u, l) =>
    u.forEach((v, i) => {
      total++;
      if (v > 0 !== b[l]![i]! > 0) flips++;
    }),
  );
  return total ? flips / total : 0;
}

/** Runs one method from a copy of `net0`. */
export function runMethod(net0: NtkNet, task: NgdTask, o: RunOptions): NgdRun {
  const net = cloneNet(net0);
  const L = depthOf(net);
  const { T, Tt } = task;
  const alpha = alphaOf({
    method: o.method,
    activation: net.activation,
    widths: net.widths,
    samples: T,
    bias: net.sigmaB > 0,
    forster: task.forster,
  });
  const losses: number[] = [];
  const testLosses: number[] = [];
  let eta = 0;
  const none = { testLossesAnalytic: null, analyticNote: null };
  let theory: NgdRun['theory'] = { ...alpha, losses: [], testLosses: [], ...none };
  let spectrum: number[] | null = null;
  let spectrumNote: string | null = null;
  let diverged = false;
  let stepsDone = 0;
  const stepSizes: number[] = [];
  const linearErrors: number[] = [];
  const signChanges: number[] = [];
  const norm0 = Math.sqrt(net.omega.concat(net.bias).reduce((s, w) => s + sumSq(w), 0));
  let before: { f: Float64Array; predicted: Float64Array; u: Float64Array[] } | null = null;
  const t0 = Date.now();
  for (let step = 0; step <= o.steps; step++) {
    const lin = linearise(net, task.X, T);
    const f = lin.pass.h[L]!;
    if (before) {
      linearErrors.push(linearError(before.f, f, before.predicted));
      signChanges.push(signChanged(before.u, lin.pass.u.slice(0, L - 1)));
    }
    const r = f.map((x, i) => x - task.Y[i]!);
    const loss = halfMse(f, task.Y, T);
    const ft = forwardNtk(net, task.Xt, Tt).h[L]!;
    losses.push(loss);
    testLosses.push(halfMse(ft, task.Yt, Tt));
    o.onStep?.(step, loss);
    if (!Number.isFinite(loss) || loss > 1e12 * Math.max(losses[0]!, 1e-300)) {
      diverged = true;
      break;
    }
    const last = step === o.steps || o.cancelled?.();
    // The first step is also where the prediction and the diagnostic are made, even for a run of no steps.
    if (last && step > 0) break;
    const prec = preconditioner(o.method, net, lin, o.rho);
    const ups = prec.apply(r);
    if (step === 0) {
      const at = probe(net, lin, task.Xt, Tt);
      if (alpha.alpha !== null) {
        const a = alpha.alpha;
        eta = o.eta === 'best' ? 1 / a : o.eta;
        // The test outputs' response to the step at η = 1.
        const v = new Float64Array(Tt * lin.C);
        ups.forEach((up, l) => {
          const s = layerFunctionStep(net, lin, l, up, at);
          for (let i = 0; i < v.length; i++) v[i]! += s[i]!;
        });
        theory = {
          ...alpha,
          ...none,
          losses: isotropicLosses(a, eta, loss, o.steps),
          testLosses: Array.from({ length: o.steps + 1 }, (_, t) => halfMse(isotropicTest(a, eta, ft, v, t), task.Yt, Tt)),
        };
      } else {
        // Gradient descent: the NTK linear model in Θ/N's eigenbasis.
        const { values, vectors } = eigh(fullTheta(lin), lin.n, { vectors: true });
        const n = lin.n;
        const lam = [...values].map((x) => Math.max(0, x) / T);
        const top = lam[n - 1]!;
        const low = lam.find((x) => x > 1e-12 * top) ?? top;
        eta = o.eta === 'best' ? 2 / (top + low) : o.eta;
        const c = Float64Array.from({ length: n }, (_, k) => {
          let s = 0;
          for (let a = 0; a < n; a++) s += vectors![a * n + k]! * r[a]!;
          return s;
        });
        const Tx = crossTheta(net, lin, at);
        const rows = Tt * lin.C;
        theory = { ...alpha, losses: [], testLosses: [], ...none };
        for (let t = 0; t <= o.steps; t++) {
          let l2 = 0;
          for (let k = 0; k < n; k++) l2 += (1 - eta * lam[k]!) ** (2 * t) * c[k]! ** 2;
          theory.losses.push(l2 / (2 * T));
          // f'_t = f'_0 − Θ'Θ⁻¹(r₀ − r_t), on Θ's nonzero eigenvalues.
          const w = new Float64Array(n);
          for (let k = 0; k < n; k++) {
            if (!(lam[k]! > 1e-12 * top)) continue;
            const g = ((1 - (1 - eta * lam[k]!) ** t) / (T * lam[k]!)) * c[k]!;
            for (let a = 0; a < n; a++) w[a]! += vectors![a * n + k]! * g;
          }
          const fp = ft.map((x, a) => {
            let s = 0;
            for (let b = 0; b < n; b++) s += Tx[a * n + b]! * w[b]!;
            return x - s;
          });
          theory.testLosses.push(halfMse(fp.subarray(0, rows), task.Yt, Tt));
        }
      }
      const analytic = analyticTest({
        activation: net.activation,
        widths: net.widths,
        sigmaW2: net.sigmaW ** 2,
        sigmaB2: net.sigmaB ** 2,
        method: o.method,
        alpha: alpha.alpha,
        ...task,
        f0: f,
        ft0: ft,
        eta,
        steps: o.steps,
      });
      // A mean-field output scale (γ ≠ 1) is not the NTK parameterisation the analytic kernel describes.
      const scaled = (net.outScale ?? 1) !== 1;
      theory.testLossesAnalytic = scaled ? null : (analytic.outputs?.map((fp) => halfMse(fp, task.Yt, Tt)) ?? null);
      theory.analyticNote = scaled
        ? 'no infinite-width prediction for a scaled output (γ ≠ 1)'
        : (analytic.note ?? (o.rho > 0 ? `at ρ = 0 (this run damps with ρ = ${o.rho})` : null));
      if (o.spectrum) {
        const K = prec.kernel();
        spectrum = K ? symmetricEigenvalues(K, lin.n) : null;
        spectrumNote = prec.kernelNote;
      }
    }
    if (last) break;
    const layerSteps = ups.map((up, l) => layerStep(net, lin, l, up));
    const size = Math.sqrt(layerSteps.reduce((s, st) => s + sumSq(st.dOmega) + sumSq(st.dBias), 0));
    stepSizes.push((eta * size) / norm0);
    // JΔθ on the training rows, to compare with what the step does.
    const predicted = new Float64Array(lin.n);
    ups.forEach((up, l) => layerFunctionStep(net, lin, l, up).forEach((v, i) => (predicted[i]! -= eta * v)));
    before = { f, predicted, u: lin.pass.u.slice(0, L - 1) };
    applySteps(net, layerSteps, eta);
    stepsDone = step + 1;
  }
  const secondsPerStep = (Date.now() - t0) / 1000 / Math.max(1, stepsDone);
  return {
    method: o.method,
    eta,
    losses,
    testLosses,
    theory,
    spectrum,
    spectrumNote,
    stepSizes,
    linearErrors,
    signChanges,
    diverged,
    stepsDone,
    secondsPerStep,
  };
}
