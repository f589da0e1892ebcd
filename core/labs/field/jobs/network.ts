// What the field lab's jobs share, in their worker: the data, the field network, its training in
// the NTK regime with the linearised dynamics beside it, and accuracy.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../../models/common/rng.ts';
import { fieldWeights, type FieldSpec } from '../../../../models/field/init.ts';
import { createFieldNet, initialValues, mseLoss, type FieldNet, type FieldNetSpec } from '../../../../models/field/network.ts';
import { eigh } from '../../../../models/linalg/dense.ts';
import { type FieldTrainParams, type SharpnessCurve } from '../../../contract.ts';
import { fieldProblem } from '../../../../models/curvature/from-labs.ts';
import { operatorOf } from '../../../../models/curvature/products.ts';
import { SharpnessTracker } from '../../../../models/curvature/track.ts';
import { diverged, LossWatch } from '../../../errors.ts';
import type { JobContext } from '../../../jobs/types.ts';
import { fieldSpec, type Data } from './data.ts';

export { loadData, targets, type Data } from './data.ts';

export function fieldSpecOf(p: FieldTrainParams, shape: number[], neurons: number): FieldSpec | null {
  if (p.kind === 'vanilla') return null;
  return {
    kind: p.kind,
    dims: p.dims,
    rSigma: p.rSigma,
    sSigma: p.sSigma,
    mSigma: p.mSigma,
    inputShape: [shape[0]!, shape[1]!],
    neurons,
  };
}

export function buildNet(p: FieldTrainParams, d: Data, rand: () => number): FieldNet {
  const spec: FieldNetSpec = { inputDim: d.D, classes: d.C, ...fieldSpec(p) };
  const fs = fieldSpecOf(p, d.shape, p.width);
  return createFieldNet(spec, initialValues(spec, rand, fs ? fieldWeights(fs, rand) : undefined));
}

export async function accuracy(net: FieldNet, X: Float32Array, labels: Int32Array, n: number, D: number): Promise<number> {
  let ok = 0;
  for (let s = 0; s < n; s += 1000) {
    const m = Math.min(1000, n - s);
    const pred = tf.tidy(() => tf.argMax(net.forward(tf.tensor2d(X.subarray(s * D, (s + m) * D), [m, D])), 1));
    const p = await pred.data();
    pred.dispose();
    for (let i = 0; i < m; i++) if (p[i] === labels[s + i]) ok++;
  }
  return ok / n;
}

/** Above this many rows (N·C) the prediction uses the output-averaged kernel Θ̄ ⊗ I_C. */
export const FULL_NTK_LIMIT = 2000;

/**
 * The kernel behind the NTK prediction: the full empirical NC × NC kernel where it fits, else
 * Θ̄ ⊗ I_C (as in the published code), applied column by column. Returns the matrix and its order.
 */
async function ntkMatrix(net: FieldNet, X: Float32Array, n: number, D: number, full: boolean): Promise<Float64Array> {
  const t = tf.tidy(() => (full ? net.ntkFull(tf.tensor2d(X, [n, D])) : net.ntk(tf.tensor2d(X, [n, D]))));
  const out = Float64Array.from(await t.data());
  t.dispose();
  n = full ? n * net.spec.classes : n;
  // Symmetrise away float32 rounding before the float64 eigensolver.
  for (let a = 0; a < n; a++)
    for (let b = 0; b < a; b++) {
      const v = (out[a * n + b]! + out[b * n + a]!) / 2;
      out[a * n + b] = v;
      out[b * n + a] = v;
    }
  return out;
}

/**
 * Linearised dynamics: with Θ = V Λ Vᵀ, each column of residuals evolves as
 * r_t = V (1 − ηλ/(NC))^t Vᵀ r_0 (Θ here has n rows and acts on `cols` columns of r_0; the
 * full kernel has n = NC rows and one column). Returns the loss (1/(2NC))‖r_t‖² for
 * t = 0..steps and the final residuals r_steps.
 */
export function linearisedDynamics(
  theta: Float64Array,
  n: number,
  r0: Float64Array,
  cols: number,
  NC: number,
  eta: number,
  steps: number,
): { loss: number[]; rT: Float64Array } {
  const { values, vectors } = eigh(theta, n, { vectors: true });
  const coef = new Float64Array(n * cols);
  for (let k = 0; k < n; k++)
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors![i * n + k]! * r0[i * cols + c]!;
      coef[k * cols + c] = s;
    }
  const loss: number[] = [];
  for (let t = 0; t <= steps; t++) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const g = (1 - (eta * values[k]!) / NC) ** t;
      for (let c = 0; c < cols; c++) s += (g * coef[k * cols + c]!) ** 2;
    }
    loss.push(s / (2 * NC));
  }
  const rT = new Float64Array(n * cols);
  for (let k = 0; k < n; k++) {
    const g = (1 - (eta * values[k]!) / NC) ** steps;
    for (let i = 0; i < n; i++)
      for (let c = 0; c < cols; c++) rT[i * cols + c] = rT[i * cols + c]! + vectors![i * n + k]! * g * coef[k * cols + c]!;
  }
  return { loss, rT };
}

export interface Trained {
  net: FieldNet;
  lambdaMax: number;
  eta: number;
  trainLoss: number[];
  ntkLoss: number[];
  laziness: number;
  functionGap: number;
  stepsDone: number;
  fullKernel: boolean;
  sharpness: SharpnessCurve | null;
}

/** The loss Hessian's λ_max at the network's current weights (float64, models/curvature/). */
async function measureSharpness(tracker: SharpnessTracker, step: number, net: FieldNet, d: Data): Promise<number> {
  const values = Object.fromEntries(Object.entries(await net.read()).map(([k, w]) => [k, w.data]));
  const { problem } = fieldProblem(net.spec, values, d.X, d.n, d.labels, d.Y);
  return tracker.measure(step, operatorOf(problem, 'hessian'));
}

export async function trainField(
  p: FieldTrainParams,
  d: Data,
  ctx: JobContext,
  progress: (step: number) => void,
): Promise<Trained> {
  const rand = mulberry32(p.seed);
  const net = buildNet(p, d, rand);
  const full = d.n * d.C <= FULL_NTK_LIMIT;
  const theta0 = await ntkMatrix(net, d.X, d.n, d.D, full);
  const lambdaMax = eigh(theta0, full ? d.n * d.C : d.n).values.at(-1)!;
  const eta = (p.lrFactor * 2 * d.n * d.C) / lambdaMax;
  const X = tf.tensor2d(d.X, [d.n, d.D]);
  const Y = tf.tensor2d(d.Y, [d.n, d.C]);
  const f0 = tf.tidy(() => net.forward(X));
  const r0 = Float64Array.from(await f0.data(), (v, i) => v - d.Y[i]!);
  f0.dispose();
  const NC = d.n * d.C;
  const lin = full
    ? linearisedDynamics(theta0, NC, r0, 1, NC, eta, p.steps)
    : linearisedDynamics(theta0, d.n, r0, d.C, NC, eta, p.steps);
  const opt = tf.train.sgd(eta);
  const trainLoss: number[] = [];
  const tracker = p.trackEvery > 0 ? new SharpnessTracker(p.seed, p.trackTrace) : null;
  const t0 = performance.now();
  let step = 0;
  try {
    const watch = new LossWatch('the training loss');
    for (; step <= p.steps; step++) {
      if (ctx.cancelled()) break;
      if (tracker && (step % p.trackEvery === 0 || step === p.steps)) {
        const lm = await measureSharpness(tracker, step, net, d);
        if (!Number.isFinite(lm)) throw diverged("the Hessian's λ_max", lm, step);
      }
      if (step === p.steps) {
        const l = mseLoss(net, X, Y);
        trainLoss.push((await l.data())[0]!);
        l.dispose();
        break;
      }
      const l = opt.minimize(() => mseLoss(net, X, Y), true, net.vars)!;
      trainLoss.push((await l.data())[0]!);
      l.dispose();
      watch.check(trainLoss.at(-1)!, step + 1);
      progress(step + 1);
      if (step % 10 === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    opt.dispose();
    X.dispose();
    Y.dispose();
  }
  const thetaT = await ntkMatrix(net, d.X, d.n, d.D, full);
  // How far the trained function is from the linearised one: ‖f_T − f_T^lin‖ / ‖f_0 − y‖.
  const fT = tf.tidy(() => net.forward(tf.tensor2d(d.X, [d.n, d.D])));
  const rT = Float64Array.from(await fT.data(), (v, i) => v - d.Y[i]!);
  fT.dispose();
  let dn = 0;
  let d0 = 0;
  for (let i = 0; i < rT.length; i++) {
    dn += (rT[i]! - lin.rT[i]!) ** 2;
    d0 += r0[i]! ** 2;
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < theta0.length; i++) {
    num += (thetaT[i]! - theta0[i]!) ** 2;
    den += theta0[i]! ** 2;
  }
  const done = Math.min(step, p.steps);
  const sharpness: SharpnessCurve | null = tracker && {
    steps: tracker.steps,
    lambdaMax: tracker.lambdaMax,
    trace: tracker.trace,
    twoOverLr: 2 / eta,
    samples: d.n,
    seconds: tracker.seconds,
    trainSeconds: (performance.now() - t0) / 1000 - tracker.seconds,
  };
  return {
    sharpness,
    net,
    lambdaMax,
    eta,
    trainLoss,
    ntkLoss: lin.loss,
    laziness: Math.sqrt(num / den),
    functionGap: done === p.steps ? Math.sqrt(dn / d0) : NaN,
    stepsDone: done,
    fullKernel: full,
  };
}
