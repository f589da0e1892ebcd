// What the continual-learning jobs share, in their worker: the kernel and its Mercer spectrum,
// the summary of Monte Carlo draws, and the cancel-aware loop.
import { correctedFit, correctedTheory, type Correction } from '../../../../models/continual/corrections.ts';
import { singleTaskError } from '../../../../models/continual/theory.ts';
import { SingularKernel, type McOptions, type SequentialFit } from '../../../../models/continual/monte-carlo.ts';
import { compileKernel } from '../../../../models/continual/expression.ts';
import { KERNELS, mercerSpectrum, type MercerSpectrum } from '../../../../models/continual/spectrum.ts';
import type { ClChainParams, ClCorrectionParams, ClModelParams, ClTwoTask } from '../../../contract.ts';
import type { JobContext } from '../../../jobs/types.ts';
import { invalid } from '../../../errors.ts';
import { mulberry32 } from '../../../../models/common/rng.ts';

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

export function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SingularKernel) throw invalid(e.message);
    throw e;
  }
}

/** The Monte Carlo options of the model's settings: draws reported as the job's progress, cancel polled. */
export function monteCarloOptions(p: ClModelParams, ctx: JobContext): McOptions {
  return {
    kernel: kernelOf(p),
    d: p.dim,
    terms: p.targetTerms,
    draws: p.draws,
    testPoints: p.testPoints,
    rand: mulberry32(p.seed),
    cancelled: ctx.cancelled,
    onDraw: (done) => ctx.progress({ step: done, totalSteps: p.draws }),
  };
}

/** The correction the parameters name, with its own setting. */
export function correctionOf(p: ClCorrectionParams): Correction {
  switch (p.correction) {
    case 'none':
      return { kind: 'none' };
    case 'replay':
      return { kind: 'replay', keep: p.replay };
    case 'anchor':
      return { kind: 'anchor', weight: p.anchorWeight };
    case 'balanced':
      return { kind: 'balanced', step: p.stepRule === 'auto' ? 'auto' : p.step };
    case 'ewc':
      return { kind: 'ewc', weight: p.ewcWeight, fisher: p.fisher };
  }
}

/** The sequential fit of a correction; none keeps the plain one (the numbers of sessions before corrections). */
export const fitOf = (c: Correction): SequentialFit | undefined =>
  c.kind === 'none' ? undefined : (k, d, stages, ridge, Xt, T) => correctedFit(k, d, stages, ridge, c, Xt, T);

/** Two tasks' theory under a correction (task 2 alone from N₂ samples beside), or why there is none. */
export function twoTaskTheory(
  spec: MercerSpectrum,
  s: { n1: number; n2: number; rho: number; noise: number; ridge: number },
  c: Correction,
): { theory: ClTwoTask | null; why: string | null } {
  const t = correctedTheory(spec, { sizes: [s.n1, s.n2], rho: s.rho, noise: s.noise, ridge: s.ridge }, c);
  if (!t.errors) return { theory: null, why: 'why' in t ? t.why : null };
  const e = t.errors;
  return {
    theory: { e11: e[0]![0]!, e12: e[0]![1]!, e22: e[1]![1]!, e2alone: singleTaskError(spec, s.n2, s.noise, s.ridge) },
    why: null,
  };
}
