// The random-neural-field lab's slice of a session: schemas and defaults.
import { z } from 'zod';
import { FIELD_KINDS, FIELD_PERTURBATIONS, type FieldLabState, type FieldTrainParams } from '../../contract.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
const int = z.number().int();
const seed = int.min(0).max(2 ** 31 - 1);
const length = finite.gt(0).max(10);

const initShape = {
  kind: z.enum(FIELD_KINDS),
  dims: z.union([z.literal(1), z.literal(2)]),
  rSigma: length,
  sSigma: length,
  mSigma: length,
};

export const exploreSchema = z
  .object({ ...initShape, neurons: int.min(1).max(4096), neuron: int.min(0), seed })
  .strict()
  .superRefine((p, ctx) => {
    if (p.neuron >= p.neurons) ctx.addIssue({ code: 'custom', path: ['neuron'], message: `neuron must be below ${p.neurons}` });
  });

export const trainSchema = z
  .object({
    ...initShape,
    source: datasetSourceSchema,
    maxpool: z.boolean(),
    width: int.min(1).max(8192),
    trainSize: int.min(2).max(5000),
    testSize: int.min(1).max(10000),
    steps: int.min(0).max(100000),
    lrFactor: finite.gt(0).max(10),
    sigmaW: finite.gt(0).max(100),
    sigmaB: finite.min(0).max(100),
    seed,
  })
  .strict();

const trainResult = z
  .object({
    params: trainSchema,
    lambdaMax: finite,
    eta: finite,
    trainLoss: z.array(z.number()),
    ntkLoss: z.array(z.number()),
    trainAccuracy: finite,
    testAccuracy: finite,
    laziness: finite,
    functionGap: finite.nullable(),
    kernel: z.enum(['full', 'output-averaged']),
    stepsDone: int.min(0),
    partial: z.boolean(),
    tensors: z.array(z.string()),
  })
  .strict();

const levels = z.array(finite.min(0).max(100)).max(12);
const robustnessDraft = z
  .object({
    seeds: int.min(1).max(10),
    noise: levels,
    shift: z.array(int.min(0).max(14)).max(12),
    elastic: levels,
    fgsm: z.array(finite.min(0).max(1)).max(12),
  })
  .strict();
export const robustnessSchema = robustnessDraft.extend({ train: trainSchema }).strict();

const robustness = z
  .object({
    params: robustnessSchema,
    curves: z.array(
      z
        .object({
          model: z.enum(['field', 'vanilla']),
          perturbation: z.enum(FIELD_PERTURBATIONS),
          levels: z.array(finite),
          mean: z.array(finite),
          sd: z.array(finite),
        })
        .strict(),
    ),
    partial: z.boolean(),
  })
  .strict();

export const fieldLabSchema = z
  .object({
    explore: exploreSchema,
    draft: trainSchema,
    result: trainResult.nullable(),
    robustnessDraft,
    robustness: robustness.nullable(),
  })
  .strict();

export const defaultFieldTrain = (): FieldTrainParams => ({
  kind: 'gaussian',
  dims: 1,
  rSigma: 0.1,
  sSigma: 0.02,
  mSigma: 0.1,
  source: { kind: 'mnist' },
  maxpool: false,
  width: 512,
  trainSize: 80,
  testSize: 1000,
  steps: 200,
  lrFactor: 0.9,
  sigmaW: Math.SQRT2,
  sigmaB: 0.1,
  seed: 1,
});

export const defaultFieldLab = (): FieldLabState => ({
  explore: { kind: 'gaussian', dims: 1, rSigma: 0.1, sSigma: 0.02, mSigma: 0.1, neurons: 128, neuron: 64, seed: 1 },
  draft: defaultFieldTrain(),
  result: null,
  robustnessDraft: {
    seeds: 3,
    noise: [0, 0.1, 0.2, 0.3, 0.4],
    shift: [0, 1, 2, 3],
    elastic: [0, 1, 2, 3],
    fgsm: [0, 0.01, 0.02, 0.03, 0.04, 0.05],
  },
  robustness: null,
});
