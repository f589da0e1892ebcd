// The Fisher/NTK lab's slice of a session: schemas (validated on load and on every request,
// so nonsense hyper-parameters get a one-line error naming the field) and defaults.
import { z } from 'zod';
import {
  defaultsOf,
  FISHER_ISOMETRY_FIELDS,
  FISHER_SIGNAL_FIELDS,
  FISHER_LR_FIELDS,
  FISHER_NETWORK_FIELDS,
  FISHER_SWEEP_FIELDS,
  FISHER_NORMS,
  WEIGHT_KINDS,
  type FisherLabState,
  type FisherNetworkParams,
} from '../../contract.ts';
import { shapeOf } from '../../params.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
const int = z.number().int();

const net = shapeOf(FISHER_NETWORK_FIELDS);
export const networkSchema = z
  .object({
    // The spec's order, with the dataset before the seed, as sessions have always stored it.
    activation: net.activation,
    depth: net.depth,
    width: net.width,
    inputDim: net.inputDim,
    outputs: net.outputs,
    samples: net.samples,
    sigmaW2: net.sigmaW2,
    sigmaB2: net.sigmaB2,
    weights: net.weights,
    norm: net.norm,
    loss: net.loss,
    inputs: net.inputs,
    source: datasetSourceSchema,
    seed: net.seed,
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.loss === 'ce' && p.outputs < 2)
      ctx.addIssue({ code: 'custom', path: ['outputs'], message: 'cross-entropy needs at least 2 outputs' });
    if (p.norm === 'bn-hidden' && p.samples < 2)
      ctx.addIssue({ code: 'custom', path: ['samples'], message: 'batch norm needs at least 2 samples' });
  });

const theory = z
  .object({
    kappa1: finite,
    kappa2: finite,
    mLambda: finite,
    sLambda: finite,
    lambdaMax: finite,
    bulk: finite,
    note: z.string().nullable(),
    layers: z.array(
      z
        .object({
          q1: finite.nullable(),
          q2: finite.nullable(),
          qh1: finite,
          qh2: finite,
          qt1: finite.nullable(),
          qt2: finite.nullable(),
        })
        .strict(),
    ),
  })
  .strict();
const stats = z.object({ P: int.min(1), mLambda: finite, sLambda: finite.nullable(), lambdaMax: finite }).strict();

const spectrum = z
  .object({
    network: networkSchema,
    stats,
    theory: theory.nullable(),
    method: z.enum(['dense', 'lanczos']),
    seconds: finite,
    tensors: z.object({ eigenvalues: z.string(), gram: z.string() }).strict(),
    comparison: z
      .array(
        z
          .object({
            norm: z.enum(FISHER_NORMS),
            lambdaMax: finite,
            mLambda: finite,
            theoryLambdaMax: finite.nullable(),
          })
          .strict(),
      )
      .nullable(),
  })
  .strict();

const sweepDraft = z.object(shapeOf(FISHER_SWEEP_FIELDS)).strict();
export const sweepSchema = sweepDraft.extend({ network: networkSchema }).strict();
const sweep = z
  .object({
    params: sweepSchema,
    points: z.array(
      z
        .object({
          value: int,
          mean: stats,
          sd: z.object({ mLambda: finite, sLambda: finite, lambdaMax: finite }).strict(),
          theory: theory.nullable(),
        })
        .strict(),
    ),
    partial: z.boolean(),
  })
  .strict();

const lrDraft = z.object(shapeOf(FISHER_LR_FIELDS)).strict();
export const lrSchema = lrDraft.extend({ network: networkSchema }).strict();
const lr = z
  .object({
    params: lrSchema,
    lambdaMax: finite,
    curves: z.array(z.object({ factor: finite, eta: finite, losses: z.array(z.number()), diverged: z.boolean() }).strict()),
    partial: z.boolean(),
  })
  .strict();

export const isometrySchema = z.object(shapeOf(FISHER_ISOMETRY_FIELDS)).strict();
const isometry = z
  .object({
    params: isometrySchema,
    runs: z.array(
      z
        .object({
          depth: int,
          weights: z.enum(WEIGHT_KINDS),
          eigenvalues: z.array(finite),
          theory: z
            .object({ lambdaMax: finite.nullable(), moments: z.array(finite) })
            .strict()
            .nullable(),
          histogram: z
            .object({ edges: z.array(finite), measured: z.array(finite), theory: z.array(finite) })
            .strict()
            .nullable(),
          lr: z
            .object({
              eta: finite,
              curves: z.array(z.object({ factor: finite, losses: z.array(finite), diverged: z.boolean() }).strict()),
            })
            .strict()
            .nullable(),
        })
        .strict(),
    ),
  })
  .strict();

const blocks = z
  .object({ network: networkSchema, units: int.min(1), layerOf: z.array(int.min(0)), tensor: z.string(), offOnRatio: finite })
  .strict();

export const signalSchema = z.object(shapeOf(FISHER_SIGNAL_FIELDS)).strict();
const orNull = finite.nullable();
const signal = z
  .object({
    params: signalSchema,
    layers: z.array(
      z.object({ l: int, q: finite, c: finite, qTheory: finite, cTheory: finite, qSd: finite, cSd: finite }).strict(),
    ),
    fixedPoint: z.object({ q: orNull, c: orNull, chi1: orNull, xiQ: orNull, xiC: orNull }).strict(),
    phase: z.object({ sigmaW2: z.array(finite), sigmaB2: z.array(finite), chi1: z.array(orNull) }).strict(),
  })
  .strict();
const inputMetric = z
  .object({
    network: networkSchema,
    stats: z.object({ mLambda: finite, sLambda: finite, lambdaMax: finite }).strict(),
    theory: z.object({ mLambda: finite, sLambda: finite, lambdaMax: finite, note: z.string().nullable() }).strict().nullable(),
    eigenvalues: z.array(finite).max(2000),
  })
  .strict();

// Sessions written before the contract named its statistics in camelCase (up to commit 02bd47b of
// 2026-12-01) hold m_lambda, s_lambda, lambda_max and theory_lambda_max: renamed on load.
const RENAMED = new Map([
  ['m_lambda', 'mLambda'],
  ['s_lambda', 'sLambda'],
  ['lambda_max', 'lambdaMax'],
  ['theory_lambda_max', 'theoryLambdaMax'],
]);
/**
 * Sessions from before the signal-propagation and input-metric experiments load with their defaults;
 * isometry settings from before the input length was settable had |x|²/M ≈ 1, and their runs no theory.
 */
function withNewParts(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = { signalDraft: defaultsOf(FISHER_SIGNAL_FIELDS), signal: null, inputMetric: null, ...v } as Record<string, unknown>;
  // Older settings: |x|²/M was about 1 and no training ran.
  const withQ = (d: unknown, lrSteps: number) =>
    d && typeof d === 'object' ? { inputQ: 1, lrFactors: defaultsOf(FISHER_ISOMETRY_FIELDS).lrFactors, lrSteps, ...d } : d;
  o.isometryDraft = withQ(o.isometryDraft, defaultsOf(FISHER_ISOMETRY_FIELDS).lrSteps);
  const iso = o.isometry as { params?: unknown; runs?: unknown[] } | null | undefined;
  if (iso && typeof iso === 'object')
    o.isometry = {
      ...iso,
      params: withQ(iso.params, 0),
      runs: Array.isArray(iso.runs)
        ? iso.runs.map((r) => ({ theory: null, histogram: null, lr: null, ...(r as object) }))
        : iso.runs,
    };
  return o;
}
function camelNames(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelNames);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [RENAMED.get(k) ?? k, camelNames(x)]));
}

export const fisherLabSchema = z.preprocess(
  (v) => withNewParts(camelNames(v)),
  z
    .object({
      network: networkSchema,
      spectrum: spectrum.nullable(),
      sweepDraft,
      sweep: sweep.nullable(),
      lrDraft,
      lr: lr.nullable(),
      isometryDraft: isometrySchema,
      isometry: isometry.nullable(),
      blocks: blocks.nullable(),
      signalDraft: signalSchema,
      signal: signal.nullable(),
      inputMetric: inputMetric.nullable(),
    })
    .strict(),
);

export const defaultNetwork = (): FisherNetworkParams => ({ ...defaultsOf(FISHER_NETWORK_FIELDS), source: { kind: 'mnist' } });

export const defaultFisherLab = (): FisherLabState => ({
  network: defaultNetwork(),
  spectrum: null,
  sweepDraft: defaultsOf(FISHER_SWEEP_FIELDS),
  sweep: null,
  lrDraft: defaultsOf(FISHER_LR_FIELDS),
  lr: null,
  isometryDraft: defaultsOf(FISHER_ISOMETRY_FIELDS),
  isometry: null,
  blocks: null,
  signalDraft: defaultsOf(FISHER_SIGNAL_FIELDS),
  signal: null,
  inputMetric: null,
});
