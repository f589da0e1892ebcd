// The continual-learning lab's slice of a session: schemas (validated on load and at jobs.start) and defaults.
import { z } from 'zod';
import {
  CL_CHAIN_FIELDS,
  CL_COMPARE_FIELDS,
  CL_CORRECTION_FIELDS,
  CL_MODEL_FIELDS,
  CL_NETWORK_FIELDS,
  CL_SWEEP_FIELDS,
  CONTINUAL_COMPARED,
  defaultsOf,
  type ContinualLabState,
} from '../../contract.ts';
import { defaultedShapeOf, shapeOf } from '../../params.ts';
import { compileKernel } from '../../../models/continual/expression.ts';

const finite = z.number().finite();
const int = z.number().int();
const matrix = z.array(z.array(finite));

const model = shapeOf(CL_MODEL_FIELDS);
const modelSchema = z.object(model).strict();
const chainDraft = z.object(shapeOf(CL_CHAIN_FIELDS)).strict();
// Sessions from before the corrections (and their sweep axes) load with none, and the sweep lists' defaults.
const correction = defaultedShapeOf(CL_CORRECTION_FIELDS);
const correctionDraft = z.object(correction).strict().default(defaultsOf(CL_CORRECTION_FIELDS));
const { replays, anchorWeights, steps } = defaultedShapeOf(CL_SWEEP_FIELDS);
const sweepShape = { ...shapeOf(CL_SWEEP_FIELDS), replays, anchorWeights, steps };
const sweepDraft = z.object(sweepShape).strict();
const networkDraft = z.object(shapeOf(CL_NETWORK_FIELDS)).strict();

/** A typed kernel must parse and be finite on [−1, 1]; positive definiteness is checked by the job (it needs the spectrum). */
const checkKernel = (p: { kernel: string; kernelExpr: string }, ctx: z.RefinementCtx) => {
  if (p.kernel !== 'custom') return;
  try {
    const k = compileKernel(p.kernelExpr);
    const bad = [-1, -0.5, 0, 0.5, 1].find((t) => !Number.isFinite(k(t)));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', path: ['kernelExpr'], message: `k(${bad}) is not a finite number` });
  } catch (e) {
    ctx.addIssue({ code: 'custom', path: ['kernelExpr'], message: (e as Error).message });
  }
};

/** EWC anchors parameters, which only the network has. */
const checkKernelCorrection = (p: { correction: string }, ctx: z.RefinementCtx) => {
  if (p.correction === 'ewc')
    ctx.addIssue({
      code: 'custom',
      path: ['correction'],
      message: 'EWC anchors parameters, which the kernel model has none of: use it with the network (kairo continual network)',
    });
};

/** The Monte-Carlo work of a chain: the kernel solves are (Σ N)³/3 per draw at most. */
const checkChain = (p: { sizes: number[] }, ctx: z.RefinementCtx) => {
  if (!p.sizes.some((n) => n > 0)) ctx.addIssue({ code: 'custom', path: ['sizes'], message: 'at least one stage needs samples' });
};

export const chainSchema = z
  .object({ ...model, ...shapeOf(CL_CHAIN_FIELDS), ...correction })
  .strict()
  .superRefine((p, ctx) => {
    checkKernel(p, ctx);
    checkChain(p, ctx);
    checkKernelCorrection(p, ctx);
  });

export const sweepSchema = z
  .object({ ...model, ...sweepShape, ...correction })
  .strict()
  .superRefine((p, ctx) => {
    checkKernel(p, ctx);
    checkKernelCorrection(p, ctx);
    if ((p.axis === 'replay' || p.axis === 'anchor-weight' || p.axis === 'step') && p.correction !== 'none')
      ctx.addIssue({
        code: 'custom',
        path: ['correction'],
        message: `the ${p.axis} sweep sets its own correction: leave the correction at none (got ${p.correction})`,
      });
    if (p.axis === 'ratio')
      p.ratios.forEach((r, i) => {
        if (Math.round(r * p.n1) > 2000)
          ctx.addIssue({ code: 'custom', path: ['ratios', i], message: `N₂ = ${r}·${p.n1} is above 2,000` });
      });
  });

export const networkSchema = z
  .object({ ...model, ...shapeOf(CL_CHAIN_FIELDS), ...shapeOf(CL_NETWORK_FIELDS), ...correction })
  .strict()
  .superRefine((p, ctx) => {
    checkKernel(p, ctx);
    checkChain(p, ctx);
    const total = p.sizes.reduce((s, n) => s + n, 0) + p.testPoints;
    if (total > 3000)
      ctx.addIssue({
        code: 'custom',
        path: ['testPoints'],
        message: `the empirical NTK is over every sample and test point: at most 3,000 in all, got ${total}`,
      });
  });

const twoTask = z.object({ e11: finite, e12: finite, e22: finite, e2alone: finite }).strict();

export const compareSchema = z
  .object({ ...model, ...shapeOf(CL_COMPARE_FIELDS) })
  .strict()
  .superRefine((p, ctx) => {
    checkKernel(p, ctx);
    p.ratios.forEach((r, i) => {
      const n2 = Math.round(r * p.n1);
      if (n2 < 1 || n2 > 1000)
        ctx.addIssue({
          code: 'custom',
          path: ['ratios', i],
          message: `N₂ = round(${r}·${p.n1}) = ${n2} is not between 1 and 1,000`,
        });
    });
  });

const compareRow = z
  .object({
    correction: z.enum(CONTINUAL_COMPARED),
    setting: finite.nullable(),
    mean: twoTask,
    sd: twoTask,
    theory: twoTask.nullable(),
    memory: z.object({ samples: int.min(0), inputs: int.min(0) }).strict(),
  })
  .strict();

const compareResult = z
  .object({
    params: compareSchema,
    points: z.array(
      z
        .object({ noise: finite, ratio: finite, n2: int.min(1), rows: z.array(compareRow), best: z.enum(CONTINUAL_COMPARED) })
        .strict(),
    ),
    draws: int.min(1),
    partial: z.boolean(),
  })
  .strict();

const chainResult = z
  .object({
    params: chainSchema,
    theory: matrix.nullable(),
    theoryNote: z.string().max(400).nullable().default(null),
    memory: z
      .object({ samples: int.min(0), inputs: int.min(0) })
      .strict()
      .default({ samples: 0, inputs: 0 }),
    mean: matrix,
    sd: matrix,
    draws: int.min(1),
    kappa: z.array(finite),
    spectrum: z.object({ eta: z.array(finite), mult: z.array(finite), tail: finite }).strict(),
    partial: z.boolean(),
  })
  .strict();

const sweepResult = z
  .object({
    params: sweepSchema,
    points: z.array(
      z.object({ value: finite, n2: int.min(0), rho: finite, mean: twoTask, sd: twoTask, theory: twoTask.nullable() }).strict(),
    ),
    theoryNote: z.string().max(400).nullable().default(null),
    draws: int.min(1),
    critical: z.object({ forward: finite.nullable(), backward: finite.nullable() }).strict().nullable(),
    partial: z.boolean(),
  })
  .strict();

const networkResult = z
  .object({
    params: networkSchema,
    measured: matrix,
    predicted: matrix.nullable(),
    predictedNote: z.string().max(400).nullable().default(null),
    kernelChange: finite,
    stageLoss: z.array(finite),
    partial: z.boolean(),
  })
  .strict();

export const continualLabSchema = z
  .object({
    model: modelSchema,
    chainDraft,
    correctionDraft,
    chain: chainResult.nullable(),
    sweepDraft,
    sweep: sweepResult.nullable(),
    networkDraft,
    network: networkResult.nullable(),
    // Sessions from before the comparison have none.
    compareDraft: z.object(shapeOf(CL_COMPARE_FIELDS)).strict().default(defaultsOf(CL_COMPARE_FIELDS)),
    compare: compareResult.nullable().default(null),
  })
  .strict();

export const defaultContinualLab = (): ContinualLabState => ({
  model: defaultsOf(CL_MODEL_FIELDS),
  chainDraft: defaultsOf(CL_CHAIN_FIELDS),
  correctionDraft: defaultsOf(CL_CORRECTION_FIELDS),
  chain: null,
  sweepDraft: defaultsOf(CL_SWEEP_FIELDS),
  sweep: null,
  networkDraft: defaultsOf(CL_NETWORK_FIELDS),
  network: null,
  compareDraft: defaultsOf(CL_COMPARE_FIELDS),
  compare: null,
});
