// Sharpness during training: full-batch gradient descent on a fresh MLP of the Fisher lab, and
// every K steps the Hessian's λ_max on the whole training batch by Lanczos warm-started from the
// previous top eigenvector (so a measurement costs a few products, not a cold start), beside 2/η:
// the edge of stability (Cohen et al., ICLR 2021) is λ_max rising to 2/η and hovering there.
import { mulberry32 } from '../../../../models/common/rng.ts';
import { operatorOf } from '../../../../models/curvature/products.ts';
import { hutchinson, topEigen } from '../../../../models/curvature/spectra.ts';
import type { CurvatureTrackResult } from '../../../contract.ts';
import { LossWatch } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { trackSchema } from '../state.ts';
import { freshProblem } from './fresh.ts';

/** Products per measurement at most; warm-started, λ_max settles to 1e-6 in far fewer. */
export const TRACK_LANCZOS_STEPS = 20;
export const TRACK_TRACE_PROBES = 10;

export async function runTrack(raw: unknown, ctx: JobContext): Promise<JobOutput<'curvature.track'>> {
  const p = parseOrThrow(trackSchema, raw, 'curvature.track');
  const { problem, model } = freshProblem(p.network);
  const theta = problem.theta;
  const watch = new LossWatch('the training loss');
  const rand = mulberry32(p.network.seed + 2);
  const steps: number[] = [];
  const lambdaMax: number[] = [];
  const trace: number[] = [];
  const losses: number[] = [];
  let start: Float64Array | undefined;
  let [gdSeconds, trackSeconds] = [0, 0];
  let partial = false;
  for (let step = 0; step <= p.steps; step++) {
    if (ctx.cancelled()) {
      partial = true;
      break;
    }
    let t = performance.now();
    // The operator's construction is the forward and backward pass: the loss and its gradient.
    const op = operatorOf(problem, 'hessian');
    const loss = op.loss!;
    watch.check(loss, step);
    losses.push(loss);
    gdSeconds += (performance.now() - t) / 1000;
    if (step % p.every === 0 || step === p.steps) {
      t = performance.now();
      const top = topEigen(op.P, 1, op.matvec, TRACK_LANCZOS_STEPS, p.network.seed, { start, tol: 1e-6 });
      start = top.vectors[0];
      steps.push(step);
      lambdaMax.push(top.values[0]!);
      if (p.trace) trace.push(hutchinson(op.P, op.matvec, TRACK_TRACE_PROBES, rand).mean);
      trackSeconds += (performance.now() - t) / 1000;
    }
    ctx.progress({
      step,
      totalSteps: p.steps,
      samples: step * problem.N,
      metrics: { loss, lambda_max: lambdaMax.at(-1)!, two_over_lr: 2 / p.lr },
    });
    if (step === p.steps) break;
    t = performance.now();
    const g = op.grad!;
    for (let i = 0; i < theta.length; i++) theta[i]! -= p.lr * g[i]!;
    gdSeconds += (performance.now() - t) / 1000;
  }
  const result: CurvatureTrackResult = {
    params: p,
    model,
    parameters: theta.length,
    steps,
    lambdaMax,
    trace: p.trace ? trace : null,
    losses,
    twoOverLr: 2 / p.lr,
    gdSeconds,
    trackSeconds,
    partial,
  };
  return { result, tensors: {} };
}
