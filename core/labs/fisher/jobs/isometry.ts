// The conditional FIM of deep orthogonal and Gaussian networks against depth, beside free probability.
import { gaussian, mulberry32 } from '../../../../models/common/rng.ts';
import { gradientDescent, randomNetwork } from '../../../../models/fisher/fisher.ts';
import { eigh } from '../../../../models/linalg/dense.ts';
import { ntkGram } from '../../../../models/ntk/gram.ts';
import type { FisherIsometryParams, FisherIsometryResult } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { isometrySchema } from '../state.ts';
import { binLaw, isometryDensity, isometryMoments, type IsometryTheoryInput } from '../../../../models/fisher/free.ts';

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
  const law = isometryDensity(p);
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
