// The VAE lab's slice of a session: schemas (validated on load and on every job start, so
// nonsense hyper-parameters get a one-line error) and defaults.
import { z } from 'zod';
import {
  defaultsOf,
  RECALL_FIELDS,
  RECALL_NOISE_KINDS,
  RECALL_STARTS,
  VAE_SWEEP_FIELDS,
  VAE_TRAIN_FIELDS,
  type RecallParams,
  type VaeLabState,
  type VaeSweepParams,
  type VaeTrainParams,
} from '../../contract.ts';
import { shapeOf } from '../../params.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
export { RECALL_NOISE_KINDS, RECALL_STARTS };
const int = z.number().int();

// Sessions from before warm starts have no warmStart: they trained from fresh weights.
const train = { ...shapeOf(VAE_TRAIN_FIELDS), warmStart: z.boolean().default(false) };
// The dataset first, as sessions have always stored it.
export const vaeTrainSchema = z.object({ source: datasetSourceSchema, ...train }).strict();

const stepPoint = z.object({ step: int, epoch: finite, loss: finite, rec: finite, kl: finite }).strict();
const epochPoint = z
  .object({
    epoch: int,
    testNegElbo: finite.nullable(),
    testRec: finite.nullable(),
    testKl: finite.nullable(),
    trainLoss: finite,
  })
  .strict();

const trainResult = z
  .object({
    params: vaeTrainSchema,
    steps: z.array(stepPoint),
    epochs: z.array(epochPoint),
    testNegElbo: finite.nullable(),
    stepsDone: int.min(0),
    partial: z.boolean(),
    imageShape: z.array(int.min(1)),
    classes: int.min(1),
    conceptCounts: z.array(int.min(0)),
    conceptsProjected: z.array(z.array(finite).length(2)),
    // Sessions saved before the hierarchical data source lack these three.
    hierarchy: z
      .object({ roots: int.min(1), conceptsPerRoot: int.min(1) })
      .strict()
      .nullable()
      .default(null),
    rootsProjected: z.array(z.array(finite).length(2)).nullable().default(null),
    globalProjected: z.array(finite).length(2).nullable().default(null),
    tensors: z.array(z.string()),
  })
  .strict();

const LEGACY_NOISE_STARTS = new Set(['gaussian', 'saltpepper', 'pure']);

/** Sessions before the hierarchical data source named the noise kind `start` and always started from test images. */
function migrateRecallParams(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, 'noiseKind') || typeof o.start !== 'string' || !LEGACY_NOISE_STARTS.has(o.start)) return v;
  return { ...o, start: 'test', noiseKind: o.start, xMode: 'mean' };
}

export const recallSchema = z.preprocess(
  migrateRecallParams,
  z
    .object(shapeOf(RECALL_FIELDS))
    .strict()
    .superRefine((p, ctx) => {
      if ((p.noiseKind === 'saltpepper' || p.noiseKind === 'bitflip') && p.noise.some((n) => n > 1))
        ctx.addIssue({
          code: 'custom',
          path: ['noise'],
          message: `${p.noiseKind === 'bitflip' ? 'bit-flip' : 'salt-and-pepper'} levels are probabilities, in 0..1`,
        });
    }),
);

const nullableFinite = finite.nullable();
const fraction = finite.min(0).max(1);
const nearestLevel = z
  .object({ memory: fraction.nullable(), concept: fraction, root: fraction.nullable(), global: fraction })
  .strict()
  .nullable();
const recallPoint = z
  .object({
    t: int.min(0),
    meanDistOwn: nullableFinite,
    meanCosOwn: nullableFinite,
    fracNearestOwn: nullableFinite,
    spread: finite,
    nearestHistogram: z.array(int.min(0)),
    // Runs saved before the level metrics lack these.
    distMemory: nullableFinite.default(null),
    distConcept: nullableFinite.default(null),
    distRoot: nullableFinite.default(null),
    distGlobal: nullableFinite.default(null),
    nearestLevel: nearestLevel.default(null),
    withinConceptSpread: nullableFinite.default(null),
  })
  .strict();

const curveMin = z
  .object({ min: finite, step: int.min(0) })
  .strict()
  .nullable();
const noMinima = { memory: null, concept: null, root: null, global: null };

const recallRun = z
  .object({
    id: z.string().min(1),
    params: recallSchema,
    noise: finite,
    points: z.array(recallPoint),
    minima: z.object({ memory: curveMin, concept: curveMin, root: curveMin, global: curveMin }).strict().default(noMinima),
    tensors: z.object({ projection: z.string(), labels: z.string(), strips: z.string() }).strict(),
  })
  .strict();

const sweep = shapeOf(VAE_SWEEP_FIELDS);
const sweepFields = {
  ...sweep,
  // Drafts saved before these existed load with these defaults.
  seeds: sweep.seeds.default(VAE_SWEEP_FIELDS.seeds.default),
  batchSize: sweep.batchSize.default(VAE_SWEEP_FIELDS.batchSize.default),
  start: sweep.start.default(VAE_SWEEP_FIELDS.start.default),
  noiseKind: sweep.noiseKind.default(VAE_SWEEP_FIELDS.noiseKind.default),
  levelStep: sweep.levelStep.default(VAE_SWEEP_FIELDS.levelStep.default),
};
// Checked when a sweep starts, not on drafts: a draft saved with fewer iterations must still load.
const levelStepInRange = (
  p: { levelStep: number; iterations: number; noiseKind: string; noise: number[] },
  ctx: z.RefinementCtx,
) => {
  if (p.levelStep > p.iterations)
    ctx.addIssue({
      code: 'custom',
      path: ['levelStep'],
      message: `the step for the nearest level (${p.levelStep}) is past the last iteration (${p.iterations})`,
    });
  if ((p.noiseKind === 'saltpepper' || p.noiseKind === 'bitflip') && p.noise.some((n) => n > 1))
    ctx.addIssue({ code: 'custom', path: ['noise'], message: 'bit-flip and salt-and-pepper levels are probabilities, in 0..1' });
};
const sweepDraft = z.object(sweepFields).strict();

export const sweepSchema = z
  .object({ ...sweepFields, source: datasetSourceSchema })
  .strict()
  .superRefine(levelStepInRange);

const sweepResult = z
  .object({
    params: sweepSchema,
    cells: z.array(
      z
        .object({
          latent: int,
          noise: finite,
          distStart: finite,
          distEnd: finite,
          fracStart: finite,
          fracEnd: finite,
          minConcept: finite,
          minConceptSd: finite,
          minStep: finite,
          nearestLevel,
          t90: int.min(0).nullable(),
          testNegElbo: finite.nullable(),
        })
        .strict(),
    ),
    partial: z.boolean(),
    seconds: finite.min(0),
  })
  .strict();

/**
 * A sweep saved before the level metrics has cells without the normalised minimum, which cannot
 * be recomputed from what it kept; such a sweep loads as none (its draft stays).
 */
const legacySweep = (v: unknown): unknown => {
  const cells = v && typeof v === 'object' ? (v as { cells?: unknown }).cells : undefined;
  return Array.isArray(cells) && cells.some((c) => c && typeof c === 'object' && !Object.hasOwn(c, 'minConcept')) ? null : v;
};

export const vaeLabSchema = z
  .object({
    draft: vaeTrainSchema,
    result: trainResult.nullable(),
    recallDraft: recallSchema,
    runs: z.array(recallRun).max(16),
    sweepDraft,
    sweep: z.preprocess(legacySweep, sweepResult.nullable()),
  })
  .strict();

export const defaultVaeTrain = (): VaeTrainParams => ({ source: { kind: 'mnist' }, ...defaultsOf(VAE_TRAIN_FIELDS) });

export const defaultRecall = (): RecallParams => defaultsOf(RECALL_FIELDS);

export const defaultSweep = (): Omit<VaeSweepParams, 'source'> => defaultsOf(VAE_SWEEP_FIELDS);

export const defaultVaeLab = (): VaeLabState => ({
  draft: defaultVaeTrain(),
  result: null,
  recallDraft: defaultRecall(),
  runs: [],
  sweepDraft: defaultSweep(),
  sweep: null,
});
