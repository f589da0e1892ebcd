// Sharpness during training: full-batch gradient descent on a fresh MLP of the Fisher lab, and
// every K steps the Hessian's λ_max on the whole training batch (models/curvature/track.ts),
// beside 2/η.
import { operatorOf } from '../../../../models/curvature/products.ts';
import { SharpnessTracker } from '../../../../models/curvature/track.ts';
import type { CurvatureTrackResult } from '../../../contract.ts';
import { LossWatch } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { trackSchema } from '../state.ts';
import { freshProblem } from './fresh.ts';

export async function runTrack(raw: unknown, ctx: JobContext): Promise<JobOutput<'curvature.track'>> {
  const p = parseOrThrow(trackSchema, raw, 'curvature.track');
  const { problem, model } = freshProblem(p.network);
  const theta = problem.theta;
  const watch = new LossWatch('the training loss');
  const tracker = new SharpnessTracker(p.network.seed, p.trace);
  const losses: number[] = [];
  let gdSeconds = 0;
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
    if (step % p.every === 0 || step === p.steps) tracker.measure(step, op);
    ctx.progress({
      step,
      totalSteps: p.steps,
      samples: step * problem.N,
      metrics: { loss, lambda_max: tracker.lambdaMax.at(-1)!, two_over_lr: 2 / p.lr },
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
    steps: tracker.steps,
    lambdaMax: tracker.lambdaMax,
    trace: tracker.trace,
    losses,
    twoOverLr: 2 / p.lr,
    gdSeconds,
    trackSeconds: tracker.seconds,
    partial,
  };
  return { result, tensors: {} };
}
