// The NGD sweep, in a worker: each method at η = c/α against damping or width, and the gap
// between its loss and the prediction.
import { alphaOf } from '../../../../models/ngd/theory.ts';
import { runMethod, thetaExtremes } from '../../../../models/ngd/train.ts';
import type { NgdSweepParams, NgdSweepPoint } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { sweepSchema } from '../state.ts';
import { OVERFLOW, finiteOr, yieldNow, prepareTask, networkOf, guarded } from './task.ts';

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
