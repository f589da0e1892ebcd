// The continual-learning lab's jobs, run in a worker: a chain of tasks (theory beside Monte Carlo),
// the two-task sweeps over N₂/N₁ and ρ, and the same protocol with a wide network.
import { mulberry32 } from '../../../models/common/rng.ts';
import { chainMonteCarlo, SingularKernel, twoTaskGrid } from '../../../models/continual/monte-carlo.ts';
import { runNetworkChain, teacherChainData, type ChainData } from '../../../models/continual/network.ts';
import { chainTeachers } from '../../../models/continual/theory.ts';
import { permutation } from '../../../models/common/rng.ts';
import { unitRows } from '../../../models/ngd/data.ts';
import { getDataset, pixelRows } from '../../data/datasets.ts';
import { compileKernel } from '../../../models/continual/expression.ts';
import { KERNELS, mercerSpectrum, type MercerSpectrum } from '../../../models/continual/spectrum.ts';
import { chainTheory, singleTaskError } from '../../../models/continual/theory.ts';
import type { ClChainParams, ClNetworkParams, ClSweepParams, ClSweepPoint, ClTwoTask } from '../../contract.ts';
import { invalid } from '../../errors.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import { parseOrThrow } from '../../validate.ts';
import { chainSchema, networkSchema, sweepSchema } from './state.ts';

/** Degrees of the Mercer expansion kept; the rest enter as their trace (`tail`). */
export const DEGREES = 40;

/** The kernel a parameter set names: a built-in one, or the typed k(t) (already checked by the schema). */
export function kernelOf(p: { kernel: ClChainParams['kernel']; kernelExpr: string }): (t: number) => number {
  return p.kernel === 'custom' ? compileKernel(p.kernelExpr) : KERNELS[p.kernel].k;
}

/** The Mercer spectrum; a kernel with a clearly negative eigenvalue is not a kernel on the sphere, and is refused. */
export function spectrumOf(p: { kernel: ClChainParams['kernel']; kernelExpr: string; dim: number }): MercerSpectrum {
  const s = mercerSpectrum(kernelOf(p), p.dim, DEGREES);
  const top = Math.max(...Array.from(s.eta, Math.abs));
  const l = s.eta.findIndex((e) => !Number.isFinite(e) || e < -1e-8 * top);
  if (l >= 0 || !Number.isFinite(s.tail))
    throw invalid(
      `k(t) is not positive definite on the sphere S^${p.dim - 1}: its Mercer eigenvalue η_${l} = ${s.eta[l]?.toPrecision(3)} is negative or not finite`,
    );
  return s;
}

// Quadrature leaves ~1e-17 where an eigenvalue is exactly 0 (odd degrees ≥ 3 of the arc-cosine kernels): shown as 0.
const summary = (s: MercerSpectrum) => ({
  eta: Array.from(s.eta.slice(0, 8), (x) => (x > 1e-13 * s.eta[0]! ? x : 0)),
  mult: Array.from(s.mult.slice(0, 8)),
  tail: s.tail,
});

const yieldNow = () => new Promise((r) => setImmediate(r));

function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SingularKernel) throw invalid(e.message);
    throw e;
  }
}

export async function runChain(raw: ClChainParams, ctx: JobContext): Promise<JobOutput<'continual.chain'>> {
  const p = parseOrThrow(chainSchema, raw, 'continual.chain');
  const spec = spectrumOf(p);
  const chain = { sizes: p.sizes, rho: p.similarity, noise: p.noise, ridge: p.ridge };
  const theory = chainTheory(spec, chain);
  await yieldNow();
  const mc = guarded(() =>
    chainMonteCarlo(chain, {
      kernel: kernelOf(p),
      d: p.dim,
      terms: p.targetTerms,
      draws: p.draws,
      testPoints: p.testPoints,
      rand: mulberry32(p.seed),
      cancelled: ctx.cancelled,
      onDraw: (done) => ctx.progress({ step: done, totalSteps: p.draws }),
    }),
  );
  return {
    result: {
      params: p,
      theory: theory.errors,
      mean: mc.mean,
      sd: mc.sd,
      draws: mc.draws,
      kappa: theory.kappa.map((k) => (Number.isFinite(k) ? k : 0)),
      spectrum: summary(spec),
      partial: mc.draws < p.draws,
    },
    tensors: {},
  };
}

function theoryTwoTask(spec: MercerSpectrum, n1: number, n2: number, rho: number, noise: number, ridge: number): ClTwoTask {
  const e = chainTheory(spec, { sizes: [n1, n2], rho, noise, ridge }).errors;
  // Task 2 alone: one stage of N₂ samples on a teacher of the same law (N₂ = 0: the error of f = 0).
  return { e11: e[0]![0]!, e12: e[0]![1]!, e22: e[1]![1]!, e2alone: singleTaskError(spec, n2, noise, ridge) };
}

/** Where a theory curve changes sign on [0, 1], by bisection on a fine grid. */
function rootOn01(f: (rho: number) => number): number | null {
  const grid = Array.from({ length: 201 }, (_, i) => i / 200);
  const vals = grid.map(f);
  for (let i = 0; i + 1 < grid.length; i++) {
    if (Math.sign(vals[i]!) === Math.sign(vals[i + 1]!) || vals[i] === 0) continue;
    let lo = grid[i]!;
    let hi = grid[i + 1]!;
    const sLo = Math.sign(vals[i]!);
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (Math.sign(f(mid)) === sLo) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }
  return null;
}

export async function runSweep(raw: ClSweepParams, ctx: JobContext): Promise<JobOutput<'continual.sweep'>> {
  const p = parseOrThrow(sweepSchema, raw, 'continual.sweep');
  const spec = spectrumOf(p);
  const ratio = p.axis === 'ratio';
  const n2s = ratio ? p.ratios.map((r) => Math.round(r * p.n1)) : [p.n2];
  const rhos = ratio ? [p.similarity] : p.rhos;
  const grid = guarded(() =>
    twoTaskGrid(p.n1, n2s, rhos, p.noise, p.ridge, {
      kernel: kernelOf(p),
      d: p.dim,
      terms: p.targetTerms,
      draws: p.draws,
      testPoints: p.testPoints,
      rand: mulberry32(p.seed),
      cancelled: ctx.cancelled,
      onDraw: (done) => ctx.progress({ step: done, totalSteps: p.draws }),
    }),
  );
  const points: ClSweepPoint[] = [];
  n2s.forEach((n2, i) =>
    rhos.forEach((rho, j) =>
      points.push({
        value: ratio ? p.ratios[i]! : rho,
        n2,
        rho,
        mean: grid.mean[i]![j]!,
        sd: grid.sd[i]![j]!,
        theory: theoryTwoTask(spec, p.n1, n2, rho, p.noise, p.ridge),
      }),
    ),
  );
  // Forward transfer: task 2 better learned after task 1 than alone; backward: task 1 better after task 2 than before.
  const critical = ratio
    ? null
    : {
        forward: rootOn01((rho) => {
          const t = theoryTwoTask(spec, p.n1, p.n2, rho, p.noise, p.ridge);
          return t.e2alone - t.e22;
        }),
        backward: rootOn01((rho) => {
          const t = theoryTwoTask(spec, p.n1, p.n2, rho, p.noise, p.ridge);
          return t.e11 - t.e12;
        }),
      };
  return { result: { params: p, points, draws: grid.draws, critical, partial: grid.draws < p.draws }, tensors: {} };
}

/** Base dichotomies of the ten digits (±1 per class, both signs present), chained like the teachers. */
function mnistChainData(p: ClNetworkParams, rand: () => number): ChainData {
  const ds = getDataset({ kind: 'mnist' });
  const n = p.sizes.length;
  const need = p.sizes.reduce((a, b) => a + b, 0);
  const train = permutation(ds.train.count, rand).subarray(0, need);
  const test = permutation(ds.test!.count, rand).subarray(0, p.testPoints);
  const d = ds.train.shape[0]! * ds.train.shape[1]!;
  const total = need + p.testPoints;
  const X = new Float64Array(total * d);
  pixelRows(ds.train, train, X.subarray(0, need * d));
  pixelRows(ds.test!, test, X.subarray(need * d));
  // |x|² = d: the NTK parameterisation's σ_w/√d then gives pre-activations of order 1.
  unitRows(X, total, d);
  for (let i = 0; i < X.length; i++) X[i]! *= Math.sqrt(d);
  const classes = [...Array.from(train, (i) => ds.train.labels[i]!), ...Array.from(test, (i) => ds.test!.labels[i]!)];
  const signs = Array.from({ length: n }, () => {
    for (;;) {
      const s = Array.from({ length: 10 }, () => (rand() < 0.5 ? -1 : 1));
      if (s.some((x) => x > 0) && s.some((x) => x < 0)) return s;
    }
  });
  const beta = chainTeachers(n, p.similarity);
  const targets = Array.from({ length: n }, (_, t) =>
    Float64Array.from(classes, (c) => beta[t]!.reduce((a, b, j) => a + b * signs[j]![c]!, 0)),
  );
  return { X, d, counts: [...p.sizes, p.testPoints], targets };
}

export async function runNetwork(raw: ClNetworkParams, ctx: JobContext): Promise<JobOutput<'continual.network'>> {
  const p = parseOrThrow(networkSchema, raw, 'continual.network');
  const rand = mulberry32(p.seed);
  const data =
    p.data === 'mnist'
      ? mnistChainData(p, rand)
      : teacherChainData(kernelOf(p), p.dim, p.targetTerms, p.sizes, p.similarity, p.testPoints, rand);
  const r = guarded(() =>
    runNetworkChain(
      data,
      {
        noise: p.noise,
        width: p.width,
        depth: p.depth,
        meanField: p.parameterisation === 'mean-field',
        steps: p.steps,
        lrFactor: p.lrFactor,
      },
      rand,
      ctx.cancelled,
      (stage, step) => ctx.progress({ step: stage * p.steps + step, totalSteps: p.sizes.length * p.steps }),
    ),
  );
  return {
    result: {
      params: p,
      measured: r.measured,
      predicted: r.predicted,
      kernelChange: r.kernelChange,
      stageLoss: r.stageLoss,
      partial: r.partial,
    },
    tensors: {},
  };
}
