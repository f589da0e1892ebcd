// The schema of a sharpness curve (core/contract/base.ts SharpnessCurve), which every training
// job that tracks λ_max stores in its result.
import { z } from 'zod';
import type { SharpnessCurve } from '../../contract.ts';
import { curve, type RunSummary } from './runs.ts';

const finite = z.number().finite();

export const sharpnessSchema: z.ZodType<SharpnessCurve> = z
  .object({
    steps: z.array(z.number().int().min(0)),
    lambdaMax: z.array(finite),
    trace: z.array(finite).nullable(),
    twoOverLr: finite,
    samples: z.number().int().min(1),
    seconds: finite,
    trainSeconds: finite,
  })
  .strict();

/** The CLI's JSON of a sharpness curve (snake_case, as scripts read it). */
export const sharpnessJson = (s: SharpnessCurve) => ({
  steps: s.steps,
  lambda_max: s.lambdaMax,
  trace: s.trace,
  two_over_lr: s.twoOverLr,
  samples: s.samples,
  seconds: s.seconds,
  train_seconds: s.trainSeconds,
});

/** What a run record keeps of it: the last λ_max beside 2/η, and the curve. */
export const sharpnessSummary = (s: SharpnessCurve | null): RunSummary =>
  s
    ? {
        metrics: { 'Hessian λ_max, last': s.lambdaMax.at(-1), '2/η': s.twoOverLr },
        curves: [curve('λ_max of the Hessian', 'step', s.lambdaMax, s.steps)],
      }
    : { metrics: {}, curves: [] };
