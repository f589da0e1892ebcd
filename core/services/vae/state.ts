// The VAE lab's slice of a session: schemas (validated on load and on every job start, so
// nonsense hyper-parameters get a one-line error) and defaults.
import { z } from 'zod';
import type { RecallParams, VaeLabState, VaeSweepParams, VaeTrainParams } from '../../contract.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
const int = z.number().int();
const seed = int.min(0).max(2 ** 31 - 1);
const hidden = z.array(int.min(1).max(4096)).min(1).max(6);

export const vaeTrainSchema = z
  .object({
    source: datasetSourceSchema,
    arch: z.enum(['mlp', 'conv']),
    hidden,
    latent: int.min(1).max(256),
    decoder: z.enum(['bernoulli', 'gaussian']),
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
  .object({ epoch: int, testNegElbo: finite.nullable(), testRec: finite.nullable(), testKl: finite.nullable(), trainLoss: finite })
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
    tensors: z.array(z.string()),
  })
  .strict();

export const recallSchema = z
  .object({
    start: z.enum(['gaussian', 'saltpepper', 'pure']),
    noise: z.array(finite.min(0).max(10)).min(1).max(8),
    samples: int.min(2).max(10000),
    iterations: int.min(1).max(500),
    mode: z.enum(['mean', 'sample']),
    strips: int.min(0).max(32),
    seed,
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.start === 'saltpepper' && p.noise.some((n) => n > 1)) ctx.addIssue({ code: 'custom', path: ['noise'], message: 'salt-and-pepper levels are fractions of pixels, in 0..1' });
  });

const nullableFinite = finite.nullable();
const recallPoint = z
  .object({ t: int.min(0), meanDistOwn: nullableFinite, meanCosOwn: nullableFinite, fracNearestOwn: nullableFinite, spread: finite, nearestHistogram: z.array(int.min(0)) })
  .strict();

const recallRun = z
  .object({
    id: z.string().min(1),
    params: recallSchema,
    noise: finite,
    points: z.array(recallPoint),
    tensors: z.object({ projection: z.string(), labels: z.string(), strips: z.string() }).strict(),
  })
  .strict();

const sweepDraft = z
  .object({
    latents: z.array(int.min(1).max(256)).min(1).max(6),
    noise: z.array(finite.min(0).max(10)).min(1).max(6),
    hidden,
    epochs: int.min(1).max(100),
    trainSize: int.min(0),
    samples: int.min(2).max(5000),
    iterations: int.min(1).max(200),
    seed,
  })
  .strict();

export const sweepSchema = sweepDraft.extend({ source: datasetSourceSchema }).strict();

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
          t90: int.min(0),
          testNegElbo: finite.nullable(),
        })
        .strict(),
    ),
    partial: z.boolean(),
  })
  .strict();

export const vaeLabSchema = z
  .object({
    draft: vaeTrainSchema,
    result: trainResult.nullable(),
    recallDraft: recallSchema,
    runs: z.array(recallRun).max(16),
    sweepDraft,
    sweep: sweepResult.nullable(),
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
  start: 'gaussian',
  noise: [0, 0.3, 0.6],
  samples: 1000,
  iterations: 20,
  mode: 'mean',
  strips: 8,
  seed: 1,
});

export const defaultSweep = (): Omit<VaeSweepParams, 'source'> => ({
  latents: [2, 8, 32],
  noise: [0, 0.3, 0.6],
  hidden: [400],
  epochs: 2,
  trainSize: 20000,
  samples: 500,
  iterations: 20,
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
