// What the Fisher lab's jobs share, in their worker: the inputs and a random network from the
// seed, the mean-field prediction, the size checks, and the spectrum itself (the dense dual up
// to DENSE_LIMIT rows, Lanczos beyond). All float64.
import { gaussian, mulberry32, permutation } from '../../../../models/common/rng.ts';
import { fisherDual, fisherTopK, randomNetwork, statsOf } from '../../../../models/fisher/fisher.ts';
import { fisherTheory, parameterCount, type Theory } from '../../../../models/fisher/theory.ts';
import { eigh } from '../../../../models/linalg/dense.ts';
import { ntkGram, type Mlp } from '../../../../models/ntk/gram.ts';
import type { FisherNetworkParams, FisherNormKind, FisherStats, FisherTheoryValues } from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';

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

export function checkSize(p: FisherNetworkParams): void {
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
export function downsample(G: Float64Array, n: number): { data: Float32Array; size: number } {
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

export function measure(b: Built, norm: FisherNormKind, loss: 'mse' | 'ce'): Measured {
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
