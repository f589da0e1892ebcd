// Gradient descent at multiples of 2/λ_max: the learning-rate bound, measured.
import { gaussian, mulberry32 } from '../../../../models/common/rng.ts';
import { gradientDescent } from '../../../../models/fisher/fisher.ts';
import type { FisherLrParams, FisherLrResult } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { lrSchema } from '../state.ts';
import { build, checkSize, measure } from './network.ts';

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
