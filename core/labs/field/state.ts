// The random-neural-field lab's slice of a session: schemas and defaults.
import { z } from 'zod';
import {
  defaultsOf,
  FIELD_PERTURBATIONS,
  FIELD_ROBUSTNESS_FIELDS,
  FIELD_TRAIN_FIELDS,
  type FieldLabState,
  type FieldTrainParams,
} from '../../contract.ts';
import { shapeOf } from '../../params.ts';
import { datasetSourceSchema } from '../data/state.ts';
import { sharpnessSchema } from '../kit/sharpness.ts';

const finite = z.number().finite();
const int = z.number().int();
const seed = int.min(0).max(2 ** 31 - 1);
const train = shapeOf(FIELD_TRAIN_FIELDS);
// The first layer's settings, shared by the explorer and training.
const initShape = {
  kind: train.kind,
  dims: train.dims,
  rSigma: train.rSigma,
  sSigma: train.sSigma,
  mSigma: train.mSigma,
};

export const exploreSchema = z
  .object({ ...initShape, neurons: int.min(1).max(4096), neuron: int.min(0), seed })
  .strict()
  .superRefine((p, ctx) => {
    if (p.neuron >= p.neurons) ctx.addIssue({ code: 'custom', path: ['neuron'], message: `neuron must be below ${p.neurons}` });
  });

export const trainSchema = z
  .object({
    // The spec's order, with the dataset after the first layer, as sessions have always stored it.
    ...initShape,
    source: datasetSourceSchema,
    maxpool: train.maxpool,
    width: train.width,
    trainSize: train.trainSize,
    testSize: train.testSize,
    steps: train.steps,
    lrFactor: train.lrFactor,
    sigmaW: train.sigmaW,
    sigmaB: train.sigmaB,
    seed: train.seed,
    // Files from before sharpness tracking load with it off.
    trackEvery: train.trackEvery.default(0),
    trackTrace: train.trackTrace.default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.trackEvery > p.steps)
      ctx.addIssue({ code: 'custom', path: ['trackEvery'], message: `at most the ${p.steps} steps (0: off)` });
  });

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
    sharpness: sharpnessSchema.nullable().default(null),
  })
  .strict();

const robustnessDraft = z.object(shapeOf(FIELD_ROBUSTNESS_FIELDS)).strict();
export const robustnessSchema = robustnessDraft
  .extend({ train: trainSchema })
  .strict()
  .superRefine((p, ctx) => {
    if (p.train.trackEvery > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['train', 'trackEvery'],
        message: 'sharpness is tracked by field train, not in the robustness comparison (0 here)',
      });
  });

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

export const defaultFieldTrain = (): FieldTrainParams => ({ ...defaultsOf(FIELD_TRAIN_FIELDS), source: { kind: 'mnist' } });

export const defaultFieldLab = (): FieldLabState => ({
  explore: { kind: 'gaussian', dims: 1, rSigma: 0.1, sSigma: 0.02, mSigma: 0.1, neurons: 128, neuron: 64, seed: 1 },
  draft: defaultFieldTrain(),
  result: null,
  robustnessDraft: defaultsOf(FIELD_ROBUSTNESS_FIELDS),
  robustness: null,
});
