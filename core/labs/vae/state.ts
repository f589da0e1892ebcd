// The VAE lab's slice of a session: schemas (validated on load and on every job start, so
// nonsense hyper-parameters get a one-line error) and defaults.
import { z } from 'zod';
import {
  RECALL_MODES,
  RECALL_NOISE_KINDS,
  RECALL_STARTS,
  VAE_ARCHS,
  VAE_DECODERS,
  type RecallParams,
  type VaeLabState,
  type VaeSweepParams,
  type VaeTrainParams,
} from '../../contract.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
export { RECALL_NOISE_KINDS, RECALL_STARTS };
const int = z.number().int();
const seed = int.min(0).max(2 ** 31 - 1);
const hidden = z.array(int.min(1).max(4096)).min(1).max(6);

export const vaeTrainSchema = z
  .object({
    source: datasetSourceSchema,
    arch: z.enum(VAE_ARCHS),
    hidden,
    latent: int.min(1).max(256),
    decoder: z.enum(VAE_DECODERS),
    gaussianSigma: finite.gt(0).max(10),
    beta: finite.min(0).max(1000),
    learningRate: finite.gt(0).max(1),
    batchSize: int.min(1).max(10000),
    epochs: int.min(1).max(1000),
    trainSize: int.min(0),
    seed,
  })
  .strict();

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
    .object({
      start: z.enum(RECALL_STARTS),
      noiseKind: z.enum(RECALL_NOISE_KINDS),
      noise: z.array(finite.min(0).max(10)).min(1).max(8),
      samples: int.min(2).max(10000),
      iterations: int.min(1).max(500),
      mode: z.enum(RECALL_MODES),
      xMode: z.enum(RECALL_MODES),
      strips: int.min(0).max(32),
      seed,
    })
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

const sweepFields = {
  latents: z.array(int.min(1).max(256)).min(1).max(6),
  noise: z.array(finite.min(0).max(10)).min(1).max(6),
  hidden,
  epochs: int.min(1).max(1000),
  trainSize: int.min(0),
  samples: int.min(2).max(5000),
  iterations: int.min(1).max(200),
  seed,
  // Drafts saved before these existed load with these defaults.
  seeds: int.min(1).max(10).default(1),
  batchSize: int.min(1).max(10000).default(128),
  start: z.enum(RECALL_STARTS).default('test'),
  noiseKind: z.enum(RECALL_NOISE_KINDS).default('gaussian'),
  levelStep: int.min(0).max(200).default(5),
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
  if (p.noiseKind === 'pure')
    ctx.addIssue({
      code: 'custom',
      path: ['noiseKind'],
      message: "the sweep measures the approach to each state's own concept; pure noise has none",
    });
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

export const defaultVaeTrain = (): VaeTrainParams => ({
  source: { kind: 'mnist' },
  arch: 'mlp',
  hidden: [400],
  latent: 20,
  decoder: 'bernoulli',
  gaussianSigma: 0.1,
  beta: 1,
  learningRate: 1e-3,
  batchSize: 128,
  epochs: 5,
  trainSize: 0,
  seed: 1,
});

export const defaultRecall = (): RecallParams => ({
  start: 'test',
  noiseKind: 'gaussian',
  noise: [0, 0.3, 0.6],
  samples: 1000,
  iterations: 20,
  mode: 'mean',
  xMode: 'mean',
  strips: 8,
  seed: 1,
});

export const defaultSweep = (): Omit<VaeSweepParams, 'source'> => ({
  latents: [2, 8, 32],
  noise: [0, 0.3, 0.6],
  seeds: 1,
  hidden: [400],
  epochs: 2,
  batchSize: 128,
  trainSize: 20000,
  start: 'test',
  noiseKind: 'gaussian',
  samples: 500,
  iterations: 20,
  levelStep: 5,
  seed: 1,
});

export const defaultVaeLab = (): VaeLabState => ({
  draft: defaultVaeTrain(),
  result: null,
  recallDraft: defaultRecall(),
  runs: [],
  sweepDraft: defaultSweep(),
  sweep: null,
});
