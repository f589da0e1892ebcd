// The natural-gradient lab's slice of a session: schemas (validated on load and at jobs.start, so
// nonsense is refused with one line naming the field) and defaults.
import { z } from 'zod';
import {
  defaultsOf,
  NGD_ATS,
  NGD_COMPARE_FIELDS,
  NGD_METHODS,
  NGD_NETWORK_FIELDS,
  NGD_SWEEP_FIELDS,
  NGD_TRAIN_FIELDS,
  UNIT_FISHER_FIELDS,
  type NgdCompareParams,
  type NgdLabState,
  type NgdNetworkParams,
} from '../../contract.ts';
import { shapeOf } from '../../params.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
const int = z.number().int();

/** The dual systems are n × n with n = N·C. */
export const MAX_ROWS = 1000;

const net = shapeOf(NGD_NETWORK_FIELDS);
/** Settings saved before the input preparation was a choice scaled each input to |x| = 1. */
const withPreprocess = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !('preprocess' in v) ? { ...v, preprocess: 'unit' } : v;
const networkObject = z
  .object({ ...net, source: datasetSourceSchema })
  .strict()
  .superRefine((p, ctx) => {
    if (p.samples * p.outputs > MAX_ROWS)
      ctx.addIssue({
        code: 'custom',
        path: ['samples'],
        message: `N·C must be at most ${MAX_ROWS} (the dual systems are N·C × N·C), got ${p.samples}·${p.outputs}`,
      });
    if (p.data !== 'gaussian' && p.outputs > 2)
      ctx.addIssue({ code: 'custom', path: ['outputs'], message: 'a two-class task has 1 or 2 outputs' });
    if (p.forster && p.data === 'gaussian' && p.samples < p.inputDim)
      ctx.addIssue({
        code: 'custom',
        path: ['forster'],
        message: `the Forster transform needs N ≥ M₀ (N = ${p.samples}, M₀ = ${p.inputDim})`,
      });
  });
export const networkSchema = z.preprocess(withPreprocess, networkObject);

const methods = z.array(z.enum(NGD_METHODS)).min(1).max(NGD_METHODS.length);
const train = shapeOf(NGD_TRAIN_FIELDS);
export const compareSchema = z
  .object({
    damping: train.damping,
    steps: train.steps,
    lr: train.lr,
    network: networkSchema,
    methods,
    at: z.enum(NGD_ATS),
  })
  .strict();

const sweepShape = shapeOf(NGD_SWEEP_FIELDS);
const sweepDraft = z.object(sweepShape).strict();
export const sweepSchema = z
  .object({ ...sweepShape, damping: train.damping, steps: train.steps, network: networkSchema, methods })
  .strict()
  .superRefine((p, ctx) => {
    if (p.axis === 'width')
      p.values.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 2 || v > 4096)
          ctx.addIssue({ code: 'custom', path: ['values', i], message: `widths are integers 2 … 4,096, got ${v}` });
      });
  });

export const unitFisherSchema = z
  .object(shapeOf(UNIT_FISHER_FIELDS))
  .strict()
  .superRefine((p, ctx) => {
    if (p.samples * (p.inputs + 1) ** 2 > 5e9)
      ctx.addIssue({ code: 'custom', path: ['samples'], message: 'S·(n+1)² must stay below 5·10⁹ (a few seconds)' });
  });

const theory = z
  .object({
    alpha: finite.nullable(),
    note: z.string().nullable(),
    losses: z.array(finite),
    testLosses: z.array(finite),
    // Sessions saved before the analytic prediction existed have none.
    testLossesAnalytic: z.array(finite).nullable().default(null),
    analyticNote: z.string().nullable().default(null),
  })
  .strict();
const run = z
  .object({
    method: z.enum(NGD_METHODS),
    at: z.enum(['best', 'common']),
    eta: finite,
    losses: z.array(finite),
    testLosses: z.array(finite),
    theory,
    spectrum: z.array(finite).nullable(),
    spectrumNote: z.string().nullable(),
    // Sessions saved before the linear-regime diagnostics existed have none.
    stepSizes: z.array(finite).default([]),
    linearErrors: z.array(finite).default([]),
    signChanges: z.array(finite).default([]),
    diverged: z.boolean(),
    error: z.string().nullable(),
    stepsDone: int.min(0),
    secondsPerStep: finite,
  })
  .strict();
const compare = z
  .object({
    params: compareSchema,
    parameters: int.min(1),
    inputDim: int.min(1),
    lambdaMax: finite,
    lambdaMin: finite,
    forster: z
      .object({ iterations: int.min(0), residual: finite })
      .strict()
      .nullable(),
    runs: z.array(run),
    partial: z.boolean(),
    finishedAt: z.string(),
  })
  .strict();
const sweep = z
  .object({
    params: sweepSchema,
    points: z.array(
      z
        .object({
          value: finite,
          method: z.enum(NGD_METHODS),
          eta: finite,
          alpha: finite.nullable(),
          losses: z.array(finite),
          theoryLosses: z.array(finite),
          gap: finite,
          diverged: z.boolean(),
        })
        .strict(),
    ),
    partial: z.boolean(),
  })
  .strict();
const unit = z
  .object({
    params: unitFisherSchema,
    moments: z.object({ a11: finite, az1: finite, azz: finite }).strict(),
    closedForm: z.array(finite),
    monteCarlo: z.array(finite),
    matrix: z.array(finite),
    matrixMc: z.array(finite),
    inverse: z.array(finite),
    inverseError: finite,
  })
  .strict();

export const ngdLabSchema = z
  .object({
    draft: compareSchema,
    compare: compare.nullable(),
    history: z.array(compare),
    sweepDraft,
    sweep: sweep.nullable(),
    unitDraft: unitFisherSchema,
    unit: unit.nullable(),
  })
  .strict();

export const defaultNgdNetwork = (): NgdNetworkParams => ({ ...defaultsOf(NGD_NETWORK_FIELDS), source: { kind: 'mnist' } });

export const defaultNgdCompare = (): NgdCompareParams => ({
  ...defaultsOf(NGD_TRAIN_FIELDS),
  network: defaultNgdNetwork(),
  ...defaultsOf(NGD_COMPARE_FIELDS),
});

export const defaultNgdLab = (): NgdLabState => ({
  draft: defaultNgdCompare(),
  compare: null,
  history: [],
  sweepDraft: defaultsOf(NGD_SWEEP_FIELDS),
  sweep: null,
  unitDraft: defaultsOf(UNIT_FISHER_FIELDS),
  unit: null,
});
