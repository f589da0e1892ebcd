// The Fisher/NTK lab's jobs, run in a worker: exact spectra (dense dual up to TC = 4000,
// Lanczos beyond), sweeps with several seeds, the learning-rate experiment, the conditional
// FIM of deep orthogonal vs Gaussian networks, and the unit-wise block structure. All float64.
import { gaussian, mulberry32, permutation } from '../../../models/common/rng.ts';
import {
  fisherDual,
  fisherTopK,
  gradientDescent,
  hiddenNorm,
  randomNetwork,
  statsOf,
  unitBlockNorms,
} from '../../../models/fisher/fisher.ts';
import { fisherTheory, parameterCount, type Theory } from '../../../models/fisher/theory.ts';
import { eigh } from '../../../models/linalg/dense.ts';
import { ntkGram, type Mlp } from '../../../models/ntk/gram.ts';
import type {
  FisherBlocksResult,
  FisherIsometryParams,
  FisherSignalParams,
  FisherIsometryResult,
  FisherLrParams,
  FisherLrResult,
  FisherNetworkParams,
  FisherNormKind,
  FisherStats,
  FisherSpectrumResult,
  FisherSweepParams,
  FisherSweepPoint,
  FisherTheoryValues,
} from '../../contract.ts';
import { getDataset, pixelRows } from '../../data/datasets.ts';
import { invalid, KairoError } from '../../errors.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import type { NamedTensor } from '../../session/safetensors.ts';
import { parseOrThrow } from '../../validate.ts';
import { isometrySchema, lrSchema, networkSchema, signalSchema, sweepSchema } from './state.ts';
import {
  fixedPoint as fixedPointOf,
  phaseDiagram,
  signalSampled,
  signalTheory,
  type SignalLayer,
} from '../../../models/fisher/signal.ts';
import { inputMetricDual, inputMetricTheory } from '../../../models/fisher/input-metric.ts';
import { binLaw, isometryDensity, isometryMoments, type IsometryTheoryInput } from '../../../models/fisher/free.ts';
import { z } from 'zod';

/** Above this many dual rows the spectrum comes from Lanczos (top eigenvalues only). */
export const DENSE_LIMIT = 4000;
/** Batch norm in hidden layers couples all samples; its dual costs O(T³C M² L). */
export const BN_HIDDEN_LIMIT = 400;

export interface Built {
  net: Mlp;
  X: Float64Array;
  T: number;
  widths: number[];
  inputQ1: number;
  inputQ2: number;
}

/** The T inputs (Gaussian or images) and their order parameters, reproducibly from the seed. */
export function inputsFor(
  p: FisherNetworkParams,
  rand: () => number,
): { X: Float64Array; M0: number; inputQ1: number; inputQ2: number } {
  const T = p.samples;
  if (p.inputs === 'gaussian') {
    // The theory takes the expectations (1, 0), so it equals `kairo fisher theory`.
    return { X: Float64Array.from({ length: T * p.inputDim }, () => gaussian(rand)), M0: p.inputDim, inputQ1: 1, inputQ2: 0 };
  }
  const tr = getDataset(p.source).train;
  const M0 = tr.shape[0]! * tr.shape[1]!;
  if (T > tr.count) throw invalid(`samples: the dataset has only ${tr.count} training images`);
  const idx = permutation(tr.count, rand).subarray(0, T);
  const X = pixelRows(tr, idx, new Float64Array(T * M0));
  // q̂₁⁰ = mean |x|²/M₀; q̂₂⁰ = mean over pairs t ≠ t' of x·x'/M₀ = (|Σx|² − Σ|x|²)/(T(T−1)M₀).
  let q1 = 0;
  const sum = new Float64Array(M0);
  for (let t = 0; t < T; t++)
    for (let j = 0; j < M0; j++) {
      q1 += X[t * M0 + j]! ** 2 / (M0 * T);
      sum[j] = sum[j]! + X[t * M0 + j]!;
    }
  let tot = 0;
  for (let j = 0; j < M0; j++) tot += sum[j]! ** 2;
  const q2 = T > 1 ? (tot / M0 - q1 * T) / (T * (T - 1)) : 0;
  return { X, M0, inputQ1: q1, inputQ2: q2 };
}

/** Inputs and a random network, reproducibly from the seed. */
export function build(p: FisherNetworkParams): Built {
  const rand = mulberry32(p.seed);
  const { X, M0, inputQ1, inputQ2 } = inputsFor(p, rand);
  const widths = [M0, ...new Array<number>(p.depth - 1).fill(p.width), p.outputs];
  const net = randomNetwork(
    { activation: p.activation, widths, sigmaW2: p.sigmaW2, sigmaB2: p.sigmaB2, weights: p.weights, norm: p.norm },
    rand,
  );
  return { net, X, T: p.samples, widths, inputQ1, inputQ2 };
}

function theoryValues(t: Theory | null): FisherTheoryValues | null {
  if (!t) return null;
  const n = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    kappa1: t.kappa1,
    kappa2: t.kappa2,
    mLambda: t.m_lambda,
    sLambda: t.s_lambda,
    lambdaMax: t.lambda_max,
    bulk: t.bulk,
    note: t.note,
    layers: t.layers.map((l) => ({ q1: n(l.q1), q2: n(l.q2), qh1: l.qh1, qh2: l.qh2, qt1: n(l.qt1), qt2: n(l.qt2) })),
  };
}

/** Mean-field predictions: input order parameters (1, 0) for N(0, I) inputs, measured on the T images otherwise. */
export function theoryFor(p: FisherNetworkParams): FisherTheoryValues | null {
  const inp = p.inputs === 'gaussian' ? { M0: p.inputDim, inputQ1: 1, inputQ2: 0 } : inputsFor(p, mulberry32(p.seed));
  const widths = [inp.M0, ...new Array<number>(p.depth - 1).fill(p.width), p.outputs];
  return theoryValues(
    fisherTheory({
      activation: p.activation,
      widths,
      sigmaW2: p.sigmaW2,
      sigmaB2: p.sigmaB2,
      samples: p.samples,
      inputQ1: inp.inputQ1,
      inputQ2: inp.inputQ2,
      norm: p.norm,
      loss: p.loss,
    }),
  );
}

/** Largest hidden width and input dimension a job builds (an 8192 × 8192 float64 layer is 0.5 GB). */
export const WIDTH_LIMIT = 8192;

function checkSize(p: FisherNetworkParams): void {
  const n = p.samples * p.outputs;
  if (p.width > WIDTH_LIMIT || (p.inputs === 'gaussian' && p.inputDim > WIDTH_LIMIT))
    throw invalid(`width and input-dim must be at most ${WIDTH_LIMIT} to build the network (the theory takes any width)`);
  if (n > 20000) throw invalid(`samples × outputs = ${n}: at most 20000 dual rows`);
  if (p.norm === 'bn-hidden' && n > BN_HIDDEN_LIMIT)
    throw invalid(`batch norm in hidden layers couples every sample: keep samples × outputs ≤ ${BN_HIDDEN_LIMIT} (got ${n})`);
  if (n > DENSE_LIMIT && (p.norm === 'bn-last' || p.loss === 'ce' || p.norm === 'bn-hidden'))
    throw invalid(
      `above ${DENSE_LIMIT} dual rows only the plain MSE dual (norm none or ln) has an implicit operator; got ${n} rows`,
    );
}

/** Block-averages an n × n matrix to at most 256 × 256 for the heat map. */
function downsample(G: Float64Array, n: number): { data: Float32Array; size: number } {
  const size = Math.min(256, n);
  const out = new Float32Array(size * size);
  const cnt = new Float32Array(size * size);
  for (let a = 0; a < n; a++) {
    const i = Math.floor((a * size) / n);
    for (let b = 0; b < n; b++) {
      const j = Math.floor((b * size) / n);
      out[i * size + j] = out[i * size + j]! + G[a * n + b]!;
      cnt[i * size + j] = cnt[i * size + j]! + 1;
    }
  }
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / cnt[k]!;
  return { data: out, size };
}

interface Measured {
  stats: FisherStats;
  eigenvalues: Float64Array;
  dual: Float64Array | null;
  method: 'dense' | 'lanczos';
}

function measure(b: Built, norm: FisherNormKind, loss: 'mse' | 'ce'): Measured {
  const n = b.T * b.widths.at(-1)!;
  const P = parameterCount(b.widths);
  if (n <= DENSE_LIMIT) {
    const Fd = fisherDual(b.net, b.X, b.T, norm, loss);
    const ev = eigh(Fd, n).values;
    const st = statsOf(Fd, n, P, ev);
    return {
      stats: { P: st.P, mLambda: st.m_lambda, sLambda: st.s_lambda, lambdaMax: st.lambda_max },
      eigenvalues: ev,
      dual: Fd,
      method: 'dense',
    };
  }
  // Lanczos gives the top 20 eigenvalues. Tr F* (so m_λ) is exact from the dual's diagonal;
  // s_λ needs every entry of the dual, which is what this path avoids, so it is not reported.
  const top = fisherTopK(b.net, b.X, b.T, 20);
  const diag = dualDiagonal(b.net, b.X, b.T);
  const tr = diag.reduce((s, v) => s + v, 0);
  return {
    stats: { P, mLambda: tr / P, sLambda: null, lambdaMax: top[0]! },
    eigenvalues: Float64Array.from(top).reverse(),
    dual: null,
    method: 'lanczos',
  };
}

/** Diagonal of the MSE dual, Θ_rr/T, in chunks of samples (each chunk's Gram is small). */
function dualDiagonal(net: Mlp, X: Float64Array, T: number): number[] {
  const C = net.widths.at(-1)!;
  const M0 = net.widths[0]!;
  const out: number[] = [];
  const CH = Math.max(1, Math.floor(1000 / C));
  for (let s = 0; s < T; s += CH) {
    const m = Math.min(CH, T - s);
    const G = ntkGram(net, X.subarray(s * M0, (s + m) * M0), m);
    for (let r = 0; r < m * C; r++) out.push(G[r * m * C + r]! / T);
  }
  return out;
}

export async function runSpectrum(
  raw: { network: FisherNetworkParams; compare: boolean },
  ctx: JobContext,
): Promise<JobOutput<'fisher.spectrum'>> {
  const p = parseOrThrow(networkSchema, raw?.network, 'fisher.spectrum.network');
  const compare = parseOrThrow(z.boolean(), raw?.compare, 'fisher.spectrum.compare');
  checkSize(p);
  const t0 = performance.now();
  ctx.progress({ step: 0, totalSteps: compare ? 5 : 1 });
  const b = build(p);
  const m = measure(b, p.norm, p.loss);
  const seconds = (performance.now() - t0) / 1000;
  const theory = theoryFor(p);
  const tensors: Record<string, NamedTensor> = {
    'fisher.spectrum.eigenvalues': { dtype: 'F64', shape: [m.eigenvalues.length], data: m.eigenvalues },
  };
  const n = b.T * p.outputs;
  const ds = m.dual ? downsample(m.dual, n) : { data: new Float32Array(1), size: 1 };
  tensors['fisher.spectrum.gram'] = { dtype: 'F32', shape: [ds.size, ds.size], data: ds.data };
  let comparison: FisherSpectrumResult['comparison'] = null;
  if (compare) {
    comparison = [];
    for (const [i, norm] of (['none', 'bn-last', 'ln', 'bn-hidden'] as const).entries()) {
      if (ctx.cancelled()) break;
      ctx.progress({ step: i + 1, totalSteps: 5 });
      await new Promise((r) => setImmediate(r));
      if (norm === 'bn-hidden' && n > BN_HIDDEN_LIMIT) continue;
      const q = { ...p, norm };
      if (n > DENSE_LIMIT && norm !== 'none' && norm !== 'ln') continue;
      // The same weights and inputs: the seed fixes them, normalisation only changes the forward pass.
      const mm = measure({ ...b, net: { ...b.net, norm: hiddenNorm(norm) } }, norm, p.loss);
      comparison.push({
        norm,
        lambdaMax: mm.stats.lambdaMax,
        mLambda: mm.stats.mLambda,
        theoryLambdaMax: theoryFor(q)?.lambdaMax ?? null,
      });
    }
  }
  ctx.progress({ step: compare ? 5 : 1, totalSteps: compare ? 5 : 1 });
  const result: FisherSpectrumResult = {
    network: p,
    stats: m.stats,
    theory,
    method: m.method,
    seconds,
    tensors: { eigenvalues: 'fisher.spectrum.eigenvalues', gram: 'fisher.spectrum.gram' },
    comparison,
  };
  return { result, tensors };
}

function withAxis(p: FisherNetworkParams, axis: FisherSweepParams['axis'], v: number, seed: number): FisherNetworkParams {
  const q = { ...p, seed };
  if (axis === 'width') q.width = v;
  else if (axis === 'depth') q.depth = v;
  else if (axis === 'samples') q.samples = v;
  else q.outputs = v;
  return q;
}

export async function runSweep(raw: FisherSweepParams, ctx: JobContext): Promise<JobOutput<'fisher.sweep'>> {
  const params = parseOrThrow(sweepSchema, raw, 'fisher.sweep');
  const points: FisherSweepPoint[] = [];
  const total = params.values.length * params.seeds;
  let done = 0;
  outer: for (const v of params.values) {
    const runs: { m: number; s: number; l: number; P: number }[] = [];
    let theory: FisherTheoryValues | null = null;
    for (let s = 0; s < params.seeds; s++) {
      if (ctx.cancelled()) break outer;
      const q = parseOrThrow(
        networkSchema,
        withAxis(params.network, params.axis, v, params.network.seed + s),
        `fisher.sweep (${params.axis} = ${v})`,
      );
      checkSize(q);
      if (q.samples * q.outputs > DENSE_LIMIT)
        throw invalid(
          `fisher.sweep: ${params.axis} = ${v} gives ${q.samples * q.outputs} dual rows; sweeps use the dense dual (≤ ${DENSE_LIMIT})`,
        );
      const b = build(q);
      const m = measure(b, q.norm, q.loss);
      runs.push({ m: m.stats.mLambda, s: m.stats.sLambda!, l: m.stats.lambdaMax, P: m.stats.P });
      theory ??= theoryFor(q);
      done++;
      ctx.progress({ step: done, totalSteps: total, metrics: { [params.axis]: v } });
      await new Promise((r) => setImmediate(r));
    }
    const mean = (k: 'm' | 's' | 'l') => runs.reduce((a, r) => a + r[k], 0) / runs.length;
    const sd = (k: 'm' | 's' | 'l') => {
      const mu = mean(k);
      return runs.length > 1 ? Math.sqrt(runs.reduce((a, r) => a + (r[k] - mu) ** 2, 0) / (runs.length - 1)) : 0;
    };
    points.push({
      value: v,
      mean: { P: runs[0]!.P, mLambda: mean('m'), sLambda: mean('s'), lambdaMax: mean('l') },
      sd: { mLambda: sd('m'), sLambda: sd('s'), lambdaMax: sd('l') },
      theory,
    });
  }
  return { result: { params, points, partial: points.length < params.values.length }, tensors: {} };
}

export async function runLrSweep(raw: FisherLrParams, ctx: JobContext): Promise<JobOutput<'fisher.lrsweep'>> {
  const params = parseOrThrow(lrSchema, raw, 'fisher.lrsweep');
  const p = params.network;
  if (p.norm !== 'none' && p.norm !== 'bn-last')
    throw invalid('fisher.lrsweep: the learning-rate experiment supports --norm none|bn-last');
  if (p.loss !== 'mse') throw invalid('fisher.lrsweep: the learning-rate experiment trains the MSE loss (--loss mse)');
  checkSize(p);
  const b0 = build(p);
  const lmax = measure(b0, p.norm, 'mse').stats.lambdaMax;
  const C = p.outputs;
  const Y = (() => {
    const r = mulberry32(p.seed + 7777);
    return Float64Array.from({ length: p.samples * C }, () => gaussian(r));
  })();
  const curves: FisherLrResult['curves'] = [];
  for (const [i, c] of params.factors.entries()) {
    if (ctx.cancelled()) break;
    const b = build(p); // the same initial network for every factor
    const eta = (c * 2) / lmax;
    const losses = gradientDescent(b.net, b.X, Y, b.T, p.norm, eta, params.steps, ctx.cancelled);
    const last = losses.at(-1)!;
    curves.push({
      factor: c,
      eta,
      losses: losses.map((v) => (Number.isFinite(v) ? v : 1e300)),
      diverged: !Number.isFinite(last) || last > 1e12,
    });
    ctx.progress({ step: i + 1, totalSteps: params.factors.length, metrics: { factor: c } });
    await new Promise((r) => setImmediate(r));
  }
  return { result: { params, lambdaMax: lmax, curves, partial: curves.length < params.factors.length }, tensors: {} };
}

/** Layers above which the limiting law is not computed (moments only): each layer costs two numerical free products. */
export const ISOMETRY_DENSITY_DEPTH = 32;

/** Free-probability theory of one run and the histogram it is drawn over (40 bins spanning both). */
function isometryTheory(
  p: IsometryTheoryInput,
  eigenvalues: number[],
): Pick<FisherIsometryResult['runs'][number], 'theory' | 'histogram'> {
  const moments = isometryMoments(p);
  if (!moments.every(Number.isFinite)) return { theory: null, histogram: null };
  if (p.depth > ISOMETRY_DENSITY_DEPTH) return { theory: { lambdaMax: null, moments }, histogram: null };
  const law = isometryDensity(p, 300);
  const lo = Math.min(eigenvalues[0]!, law.t[0]!);
  const hi = Math.max(eigenvalues.at(-1)!, law.lambdaMax) * 1.0001 + 1e-12;
  const edges = Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40);
  const measured = binLaw({ t: eigenvalues, w: eigenvalues.map(() => 1 / eigenvalues.length) }, edges);
  return { theory: { lambdaMax: law.lambdaMax, moments }, histogram: { edges, measured, theory: binLaw(law, edges) } };
}

export async function runIsometry(raw: FisherIsometryParams, ctx: JobContext): Promise<JobOutput<'fisher.isometry'>> {
  const params = parseOrThrow(isometrySchema, raw, 'fisher.isometry');
  const M = params.width;
  const runs: FisherIsometryResult['runs'] = [];
  const total = params.depths.length * 2;
  // One Gaussian input scaled to |x|²/M = q₀ exactly.
  const x = (() => {
    const r = mulberry32(params.seed + 1);
    const v = Float64Array.from({ length: M }, () => gaussian(r));
    const s = Math.sqrt((params.inputQ * M) / v.reduce((a, b) => a + b * b, 0));
    return v.map((e) => e * s);
  })();
  for (const L of params.depths)
    for (const weights of ['gaussian', 'orthogonal'] as const) {
      if (ctx.cancelled()) break;
      // The same initial network each call (gradient descent below changes its copy in place).
      const square = () =>
        randomNetwork(
          {
            activation: params.activation,
            widths: new Array<number>(L + 1).fill(M),
            sigmaW2: params.sigmaW2,
            sigmaB2: params.sigmaB2,
            weights,
            norm: 'none',
          },
          mulberry32(params.seed),
        );
      const net = square();
      // T = 1: the conditional FIM of one input, J Jᵀ over the M outputs.
      const eigenvalues = Array.from(eigh(ntkGram(net, x, 1), M).values);
      const theory = isometryTheory({ ...params, width: M, depth: L, weights }, eigenvalues);
      const lmax = theory.theory?.lambdaMax ?? null;
      let lr: FisherIsometryResult['runs'][number]['lr'] = null;
      if (params.lrSteps > 0 && lmax !== null) {
        const y = (() => {
          const r = mulberry32(params.seed + 2);
          return Float64Array.from({ length: M }, () => gaussian(r));
        })();
        const eta = 2 / lmax;
        const curves = params.lrFactors.map((factor) => {
          const losses = gradientDescent(square(), x, y, 1, 'none', factor * eta, params.lrSteps, ctx.cancelled);
          return {
            factor,
            losses: losses.map((v) => (Number.isFinite(v) ? v : 1e300)),
            diverged: !(losses.at(-1)! < losses[0]!),
          };
        });
        lr = { eta, curves };
      }
      runs.push({ depth: L, weights, eigenvalues, ...theory, lr });
      ctx.progress({ step: runs.length, totalSteps: total, metrics: { depth: L } });
      await new Promise((r) => setImmediate(r));
    }
  return { result: { params, runs }, tensors: {} };
}

export async function runBlocks(raw: { network: FisherNetworkParams }, ctx: JobContext): Promise<JobOutput<'fisher.blocks'>> {
  const p = parseOrThrow(networkSchema, raw?.network, 'fisher.blocks.network');
  if (p.norm !== 'none' || p.loss !== 'mse')
    throw invalid('fisher.blocks: the block structure is computed for the MSE Fisher without normalisation');
  const units = (p.depth - 1) * p.width + p.outputs;
  if (units > 600) throw invalid(`fisher.blocks: ${units} units give ${units}² blocks; keep (depth − 1) × width + outputs ≤ 600`);
  if (p.samples * p.outputs > 400) throw invalid('fisher.blocks: keep samples × outputs ≤ 400');
  ctx.progress({ step: 0, totalSteps: 1 });
  const b = build(p);
  const r = unitBlockNorms(b.net, b.X, b.T);
  let on = 0;
  let off = 0;
  for (let i = 0; i < r.units; i++)
    for (let j = 0; j < r.units; j++) {
      if (i === j) on += r.norms[i * r.units + j]! / r.units;
      else off += r.norms[i * r.units + j]! / (r.units * (r.units - 1));
    }
  ctx.progress({ step: 1, totalSteps: 1 });
  const result: FisherBlocksResult = {
    network: p,
    units: r.units,
    layerOf: Array.from(r.layerOf),
    tensor: 'fisher.blocks.norms',
    offOnRatio: off / on,
  };
  return {
    result,
    tensors: { 'fisher.blocks.norms': { dtype: 'F32', shape: [r.units, r.units], data: Float32Array.from(r.norms) } },
  };
}

/** The (σ_w², σ_b²) grid of the phase diagram: σ_w² up to 4 (ReLU: 3, past which q* is gone), σ_b² up to 0.5. */
function phaseGrid(activation: FisherSignalParams['activation']): { sigmaW2: number[]; sigmaB2: number[] } {
  const wMax = activation === 'relu' ? 3 : 4;
  return {
    sigmaW2: Array.from({ length: 33 }, (_, i) => 0.1 + ((wMax - 0.1) * i) / 32),
    sigmaB2: Array.from({ length: 21 }, (_, i) => (0.5 * i) / 20),
  };
}

export async function runSignal(raw: FisherSignalParams, ctx: JobContext): Promise<JobOutput<'fisher.signal'>> {
  const params = parseOrThrow(signalSchema, raw, 'fisher.signal');
  const theory = signalTheory(params);
  const sampled: SignalLayer[][] = [];
  const total = params.networks + 1;
  for (let s = 0; s < params.networks; s++) {
    if (ctx.cancelled()) break;
    sampled.push(signalSampled(params, params.width, mulberry32(params.seed + 7919 * s)));
    ctx.progress({ step: s + 1, totalSteps: total, metrics: { network: s + 1 } });
    await new Promise((r) => setImmediate(r));
  }
  if (!sampled.length) throw new KairoError('cancelled', 'cancelled before any network was sampled');
  const stat = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
    return { m, sd };
  };
  const layers = theory.map((t, i) => {
    const q = stat(sampled.map((s) => s[i]!.q));
    const c = stat(sampled.map((s) => s[i]!.c));
    return { l: t.l, q: q.m, c: c.m, qTheory: t.q, cTheory: t.c, qSd: q.sd, cSd: c.sd };
  });
  const start = theory.at(-1)!.q;
  const fixedPoint = fixedPointOf(params.activation, params.sigmaW2, params.sigmaB2, start);
  const grid = phaseGrid(params.activation);
  const chi = phaseDiagram(params.activation, grid.sigmaW2, grid.sigmaB2);
  ctx.progress({ step: total, totalSteps: total });
  return {
    result: { params, layers, fixedPoint, phase: { ...grid, chi1: Array.from(chi, (v) => (Number.isFinite(v) ? v : null)) } },
    tensors: {},
  };
}

export async function runInputMetric(
  raw: { network: FisherNetworkParams },
  ctx: JobContext,
): Promise<JobOutput<'fisher.inputMetric'>> {
  const p = parseOrThrow(networkSchema, raw?.network, 'fisher.inputMetric.network');
  if (p.norm !== 'none')
    throw invalid('fisher.inputMetric: the input-space metric is computed without normalisation (--norm none)');
  checkSize(p);
  const n = p.samples * p.outputs;
  if (n > DENSE_LIMIT) throw invalid(`fisher.inputMetric: samples × outputs = ${n}; at most ${DENSE_LIMIT} dual rows`);
  ctx.progress({ step: 0, totalSteps: 2 });
  const b = build(p);
  const D = inputMetricDual(b.net, b.X, b.T, p.loss);
  ctx.progress({ step: 1, totalSteps: 2 });
  const ev = eigh(D, n).values;
  const M0 = b.widths[0]!;
  let tr = 0;
  let fro = 0;
  for (let i = 0; i < n; i++) tr += D[i * n + i]!;
  for (let i = 0; i < D.length; i++) fro += D[i]! * D[i]!;
  const th = theoryFor(p);
  const l1 = th?.layers[1];
  const theory =
    th && l1 && l1.qt1 !== null && l1.qt2 !== null
      ? {
          ...inputMetricTheory(l1.qt1, l1.qt2, p.sigmaW2, p.samples, p.outputs, M0, p.loss),
          note:
            p.loss === 'ce'
              ? 'cross-entropy: equal-logit approximation p = 1/C, which holds only while the logits are near equal'
              : null,
        }
      : null;
  ctx.progress({ step: 2, totalSteps: 2 });
  const sorted = Array.from(ev).sort((x, y) => y - x);
  return {
    result: {
      network: p,
      stats: { mLambda: tr / M0, sLambda: fro / M0, lambdaMax: sorted[0]! },
      theory,
      eigenvalues: sorted.slice(0, 2000),
    },
    tensors: {},
  };
}
