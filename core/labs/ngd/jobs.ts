// The natural-gradient lab's jobs, run in a worker: every method from one initialisation beside its
// predicted dynamics, the damping and width sweeps, and the unit-wise Fisher of one unit.
import { mulberry32, permutation } from '../../../models/common/rng.ts';
import { applyForster, forster, gaussianTask, twoClassTargets, unitRows } from '../../../models/ngd/data.ts';
import { NgdError } from '../../../models/ngd/methods.ts';
import { initNtk, parameterCount, type NtkNet } from '../../../models/ngd/network.ts';
import { alphaOf } from '../../../models/ngd/theory.ts';
import { runMethod, thetaExtremes, type NgdRun, type NgdTask } from '../../../models/ngd/train.ts';
import {
  eigenvaluesOf,
  randomDirection,
  unitFisherEigenvalues,
  unitFisherInverse,
  unitFisherMatrix,
  unitFisherMonteCarlo,
  unitMoments,
} from '../../../models/ngd/unit-fisher.ts';
import type {
  NgdCompareParams,
  NgdNetworkParams,
  NgdRunResult,
  NgdSweepParams,
  NgdSweepPoint,
  UnitFisherParams,
} from '../../contract.ts';
import { getDataset, pixelRows } from '../../data/datasets.ts';
import { invalid } from '../../errors.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import { parseOrThrow } from '../../validate.ts';
import { compareSchema, sweepSchema, unitFisherSchema } from './state.ts';

/** Loss values stored for a run that overflowed (the result must be finite to be kept). */
const OVERFLOW = 1e300;
const finiteOr = (xs: number[]) => xs.map((v) => (Number.isFinite(v) ? Math.min(v, OVERFLOW) : OVERFLOW));

const yieldNow = () => new Promise((r) => setImmediate(r));

export interface Prepared {
  task: NgdTask;
  inputDim: number;
  forster: { iterations: number; residual: number } | null;
}

/** Two classes from an image split: the first N of a seeded shuffle whose label is one of the two. */
function twoClass(
  split: { count: number; labels: ArrayLike<number>; shape: number[] },
  pick: [number, number],
  count: number,
  rand: () => number,
  what: string,
): { idx: number[]; second: boolean[] } {
  const idx: number[] = [];
  const second: boolean[] = [];
  for (const i of permutation(split.count, rand)) {
    const y = split.labels[i]!;
    if (y !== pick[0] && y !== pick[1]) continue;
    idx.push(i);
    second.push(y === pick[1]);
    if (idx.length === count) break;
  }
  if (idx.length < count)
    throw invalid(`${what}: only ${idx.length} images of classes ${pick[0]} and ${pick[1]}, ${count} asked`);
  return { idx, second };
}

/** The task a parameter set describes: inputs on the unit sphere, targets ±0.5, the Forster transform if asked. */
export function prepareTask(p: NgdNetworkParams): Prepared {
  const rand = mulberry32(p.seed ^ 0x5bd1e995);
  const T = p.samples;
  const Tt = p.testSamples;
  let X: Float64Array;
  let Y: Float64Array;
  let Xt: Float64Array;
  let Yt: Float64Array;
  let d: number;
  if (p.data === 'gaussian') {
    d = p.inputDim;
    ({ X, Y } = gaussianTask(T, d, p.outputs, rand));
    ({ X: Xt, Y: Yt } = gaussianTask(Tt, d, p.outputs, rand));
  } else {
    const ds = getDataset(p.data === 'mnist01' ? { kind: 'mnist' } : p.source);
    const tr = ds.train;
    const te = ds.test ?? ds.train;
    d = tr.shape[0]! * tr.shape[1]!;
    const present = [...new Set(Array.from(tr.labels))].sort((a, b) => a - b);
    const pick: [number, number] = p.data === 'mnist01' ? [0, 1] : [present[0]!, present[1]!];
    if (p.data === 'dataset' && present.length < 2) throw invalid(`${ds.name} has fewer than two classes`);
    const a = twoClass(tr, pick, T, rand, ds.name);
    // Without a test split the test images come from the rest of the training split.
    const b = ds.test
      ? twoClass(te, pick, Tt, rand, `${ds.name} (test)`)
      : (() => {
          const used = new Set(a.idx);
          const rest = { ...te, count: te.count };
          const all = twoClass(rest, pick, Math.min(te.count, Tt + T), rand, ds.name);
          const keep = all.idx
            .map((i, k) => [i, all.second[k]!] as const)
            .filter(([i]) => !used.has(i))
            .slice(0, Tt);
          if (keep.length < Tt)
            throw invalid(`${ds.name}: not enough images of classes ${pick.join(' and ')} for ${Tt} test samples`);
          return { idx: keep.map(([i]) => i), second: keep.map(([, s]) => s) };
        })();
    X = unitRows(pixelRows(tr, a.idx, new Float64Array(T * d)), T, d);
    Xt = unitRows(pixelRows(te, b.idx, new Float64Array(Tt * d)), Tt, d);
    Y = twoClassTargets(a.second, p.outputs);
    Yt = twoClassTargets(b.second, p.outputs);
  }
  let info: Prepared['forster'] = null;
  if (p.forster) {
    if (T < d) throw invalid(`the Forster transform needs N ≥ M₀ (N = ${T}, M₀ = ${d})`);
    try {
      const f = forster(X, T, d);
      X = f.X;
      Xt = applyForster(Xt, Tt, d, f.map);
      info = { iterations: f.iterations, residual: f.residual };
    } catch (e) {
      throw invalid(String((e as Error).message));
    }
  }
  return { task: { X, Y, T, Xt, Yt, Tt, forster: p.forster }, inputDim: d, forster: info };
}

export function networkOf(p: NgdNetworkParams, inputDim: number, width = p.width): NtkNet {
  const widths = [inputDim, ...Array<number>(p.depth - 1).fill(width), p.outputs];
  return initNtk({ activation: p.activation, widths, sigmaW2: p.sigmaW2, sigmaB2: p.sigmaB2 }, mulberry32(p.seed));
}

/** The isotropy diagnostic costs O(n⁴) for K-FAC: computed up to this many rows N·C. */
const SPECTRUM_ROWS = 200;

function toResult(r: NgdRun, at: 'best' | 'common'): NgdRunResult {
  return {
    method: r.method,
    at,
    eta: r.eta,
    losses: finiteOr(r.losses),
    testLosses: finiteOr(r.testLosses),
    theory: {
      alpha: r.theory.alpha,
      note: r.theory.note,
      losses: finiteOr(r.theory.losses),
      testLosses: finiteOr(r.theory.testLosses),
    },
    spectrum: r.spectrum,
    spectrumNote: r.spectrumNote,
    diverged: r.diverged,
    error: null,
    stepsDone: r.stepsDone,
    secondsPerStep: r.secondsPerStep,
  };
}

const EMPTY_RUN: Omit<NgdRunResult, 'method' | 'at' | 'error'> = {
  eta: 0,
  losses: [],
  testLosses: [],
  theory: { alpha: null, note: null, losses: [], testLosses: [] },
  spectrum: null,
  spectrumNote: null,
  diverged: false,
  stepsDone: 0,
  secondsPerStep: 0,
};

/** A method's failure (a singular system at ρ = 0) is the job's one-line error. */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NgdError) throw invalid(e.message);
    throw e;
  }
}

export async function runCompare(raw: NgdCompareParams, ctx: JobContext): Promise<JobOutput<'ngd.compare'>> {
  const params = parseOrThrow(compareSchema, raw, 'ngd.compare');
  const p = params.network;
  const prep = prepareTask(p);
  const net = networkOf(p, prep.inputDim);
  const ext = guarded(() => thetaExtremes(net, prep.task.X, prep.task.T));
  const ats: ('best' | 'common')[] = params.at === 'both' ? ['best', 'common'] : [params.at];
  const total = params.methods.length * ats.length * Math.max(1, params.steps);
  const runs: NgdRunResult[] = [];
  let done = 0;
  outer: for (const at of ats)
    for (const method of params.methods) {
      if (ctx.cancelled()) break outer;
      let r: NgdRun;
      try {
        r = runMethod(net, prep.task, {
          method,
          eta: at === 'best' ? 'best' : params.lr,
          rho: params.damping,
          steps: params.steps,
          spectrum: at === ats[0] && p.samples * p.outputs <= SPECTRUM_ROWS,
          cancelled: ctx.cancelled,
          onStep: (step, loss) => ctx.progress({ step: done + step, totalSteps: total, metrics: { loss, step } }),
        });
      } catch (e) {
        if (!(e instanceof NgdError)) throw e;
        // One method's singular system leaves the others' curves standing.
        runs.push({ ...EMPTY_RUN, method, at, error: e.message });
        done += Math.max(1, params.steps);
        continue;
      }
      const res = toResult(r, at);
      if (at === ats[0] && r.spectrum === null && !r.spectrumNote && p.samples * p.outputs > SPECTRUM_ROWS)
        res.spectrumNote = `not computed: N·C = ${p.samples * p.outputs} > ${SPECTRUM_ROWS}`;
      runs.push(res);
      done += Math.max(1, params.steps);
      await yieldNow();
    }
  const expected = params.methods.length * ats.length;
  return {
    result: {
      params,
      parameters: parameterCount(net.widths),
      inputDim: prep.inputDim,
      lambdaMax: ext.max,
      lambdaMin: ext.min,
      forster: prep.forster,
      runs,
      partial: runs.length < expected || runs.some((r) => !r.diverged && !r.error && r.stepsDone < params.steps),
      finishedAt: new Date().toISOString(),
    },
    tensors: {},
  };
}

export async function runSweep(raw: NgdSweepParams, ctx: JobContext): Promise<JobOutput<'ngd.sweep'>> {
  const params = parseOrThrow(sweepSchema, raw, 'ngd.sweep');
  const p = params.network;
  const prep = prepareTask(p);
  const points: NgdSweepPoint[] = [];
  const total = params.values.length * params.methods.length;
  outer: for (const value of params.values) {
    const net = networkOf(p, prep.inputDim, params.axis === 'width' ? value : p.width);
    const rho = params.axis === 'damping' ? value : params.damping;
    for (const method of params.methods) {
      if (ctx.cancelled()) break outer;
      const a = alphaOf({
        method,
        activation: p.activation,
        widths: net.widths,
        samples: p.samples,
        bias: p.sigmaB2 > 0,
        forster: p.forster,
      }).alpha;
      // Gradient descent's η comes from Θ's spectrum; runMethod's 'best' gives it, scaled here.
      const eta =
        a !== null
          ? params.etaFactor / a
          : params.etaFactor *
            (() => {
              const e = guarded(() => thetaExtremes(net, prep.task.X, prep.task.T));
              return 2 / (e.max + (e.min > 1e-12 * e.max ? e.min : e.max));
            })();
      const r = guarded(() => runMethod(net, prep.task, { method, eta, rho, steps: params.steps, cancelled: ctx.cancelled }));
      const l0 = r.losses[0]!;
      let gap = 0;
      for (let t = 0; t < r.losses.length; t++) gap = Math.max(gap, Math.abs(r.losses[t]! - r.theory.losses[t]!) / l0);
      points.push({
        value,
        method,
        eta,
        alpha: a,
        losses: finiteOr(r.losses),
        theoryLosses: finiteOr(r.theory.losses),
        gap: Number.isFinite(gap) ? gap : OVERFLOW,
        diverged: r.diverged,
      });
      ctx.progress({ step: points.length, totalSteps: total, metrics: { value, gap } });
      await yieldNow();
    }
  }
  return { result: { params, points, partial: points.length < total }, tensors: {} };
}

export async function runUnitFisher(raw: UnitFisherParams, ctx: JobContext): Promise<JobOutput<'ngd.unitFisher'>> {
  const params = parseOrThrow(unitFisherSchema, raw, 'ngd.unitFisher');
  const rand = mulberry32(params.seed);
  const n = params.inputs;
  const e = randomDirection(n, rand);
  const m = unitMoments(params.activation, params.biasRatio, params.weightNorm);
  const G = unitFisherMatrix(m, e);
  const inv = unitFisherInverse(m, e);
  const N = n + 1;
  let inverseError = 0;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += G[i * N + k]! * inv[k * N + j]!;
      inverseError = Math.max(inverseError, Math.abs(s - (i === j ? 1 : 0)));
    }
  // Monte Carlo in chunks so that progress and cancel work.
  const chunks = 20;
  const Gmc = new Float64Array(N * N);
  let drawn = 0;
  for (let c = 0; c < chunks && !ctx.cancelled(); c++) {
    const s = Math.floor(((c + 1) * params.samples) / chunks) - drawn;
    const part = unitFisherMonteCarlo(params.activation, e, params.biasRatio, params.weightNorm, s, rand);
    for (let i = 0; i < Gmc.length; i++) Gmc[i]! += part[i]! * s;
    drawn += s;
    ctx.progress({ step: c + 1, totalSteps: chunks, samples: drawn });
    await yieldNow();
  }
  if (drawn === 0) throw invalid('ngd.unitFisher: cancelled before any Monte-Carlo sample');
  for (let i = 0; i < Gmc.length; i++) Gmc[i]! /= drawn;
  return {
    result: {
      params: drawn < params.samples ? { ...params, samples: Math.max(100, drawn) } : params,
      moments: m,
      closedForm: unitFisherEigenvalues(m, n),
      monteCarlo: eigenvaluesOf(Gmc, N),
      matrix: [...G],
      matrixMc: [...Gmc],
      inverse: [...inv],
      inverseError,
    },
    tensors: {},
  };
}
