// The Hopfield–Boltzmann lab's slice of a session: schemas (validated on load and on every
// request, so nonsense hyper-parameters get a one-line error) and defaults.
import { z } from 'zod';
import {
  CAPACITY_FIELDS,
  defaultsOf,
  COMPLETION_MASKS,
  CORRUPTIONS,
  HOPFIELD_INITS,
  HOPFIELD_MODELS,
  OPTIMIZERS,
  RETRIEVAL_MEMORIES,
  type CapacityParams,
  type HopfieldLabState,
  type HopfieldTrainParams,
  type RetrievalSettings,
} from '../../contract.ts';
import { datasetSourceSchema } from '../data/state.ts';
import { shapeOf } from '../../params.ts';

const finite = z.number().finite();
const int = z.number().int();
const seed = int.min(0).max(2 ** 31 - 1);

export const hopfieldDataSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('toy'),
      clusters: int.min(2).max(10),
      perCluster: int.min(5).max(5000),
      radius: finite.min(0).max(100),
      std: finite.gt(0).max(20),
    })
    .strict(),
  z
    .object({
      kind: z.literal('images'),
      source: datasetSourceSchema,
      patterns: int.min(2).max(10000),
      testPatterns: int.min(0).max(10000),
      zca: z.boolean(),
    })
    .strict(),
]);

export const hopfieldTrainSchema = z
  .object({
    data: hopfieldDataSchema,
    model: z.enum(HOPFIELD_MODELS),
    hidden: int.min(1).max(4096),
    init: z.enum(HOPFIELD_INITS),
    trainB: z.boolean(),
    trainC: z.boolean(),
    optimizer: z.enum(OPTIMIZERS),
    learningRate: finite.gt(0).max(10),
    batchSize: int.min(1).max(10000),
    epochs: int.min(1).max(100000),
    seed,
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.model === 'gbrbm' && p.hidden > 12) {
      ctx.addIssue({
        code: 'custom',
        path: ['hidden'],
        message: `an exact GB-RBM sums 2^K components: K must be at most 12, got ${p.hidden}`,
      });
    }
  });

const curvePoint = z.object({ epoch: finite, step: int, train: finite, test: finite.nullable() }).strict();

const trainResult = z
  .object({
    params: hopfieldTrainSchema,
    curve: z.array(curvePoint),
    trainNll: finite,
    testNll: finite.nullable(),
    stepsDone: int.min(0),
    partial: z.boolean(),
    nv: int.min(1),
    components: int.min(1),
    imageShape: z.array(int.min(1)).nullable(),
    trueCentres: z.array(z.array(finite)).nullable(),
    patterns: int.min(1),
    testPatterns: int.min(0),
    tensors: z.array(z.string()),
  })
  .strict();

const corruption = z.enum(CORRUPTIONS);

export const retrievalSchema = z
  .object({
    memory: z.enum(RETRIEVAL_MEMORIES),
    index: int.min(0),
    corruption,
    level: finite.min(0).max(10),
    beta: finite.gt(0).max(1000),
    steps: int.min(1).max(200),
    seed,
  })
  .strict();

const retrievalSummary = z
  .object({
    settings: retrievalSchema,
    overlapTarget: z.array(finite),
    overlapOther: z.array(finite),
    nearest: int.min(0),
    ownCluster: int.min(0).nullable(),
    success: z.boolean(),
  })
  .strict();

export const attentionInputsSchema = z
  .object({ split: z.enum(['train', 'test']), indices: z.array(int.min(0)).min(1).max(50) })
  .strict();

export const completionSchema = z
  .object({
    split: z.enum(['train', 'test']),
    index: int.min(0),
    mask: z.enum(COMPLETION_MASKS),
    fraction: finite.gt(0).lt(1),
    seed,
  })
  .strict();

const capacityDraft = z.object(shapeOf(CAPACITY_FIELDS)).strict();

export const capacitySchema = capacityDraft.extend({ source: datasetSourceSchema }).strict();

const capacityResult = z
  .object({
    params: capacitySchema,
    points: z.array(
      z.object({ beta: finite, patterns: int, level: finite, success: finite.min(0).max(1), meanOverlap: finite }).strict(),
    ),
    partial: z.boolean(),
  })
  .strict();

export const hopfieldLabSchema = z
  .object({
    draft: hopfieldTrainSchema,
    result: trainResult.nullable(),
    retrieval: retrievalSchema,
    lastRetrieval: retrievalSummary.nullable(),
    attention: attentionInputsSchema,
    completion: completionSchema,
    capacityDraft,
    capacity: capacityResult.nullable(),
  })
  .strict();

export const defaultHopfieldTrain = (): HopfieldTrainParams => ({
  data: { kind: 'toy', clusters: 5, perCluster: 200, radius: 6, std: 1 },
  model: 'attnbm',
  hidden: 5,
  init: 'data',
  trainB: false,
  trainC: true,
  optimizer: 'adam',
  learningRate: 0.05,
  batchSize: 50,
  epochs: 40,
  seed: 1,
});

export const defaultRetrieval = (): RetrievalSettings => ({
  memory: 'machine',
  index: 0,
  corruption: 'noise',
  level: 0.5,
  beta: 1,
  steps: 10,
  seed: 1,
});

export const defaultCapacity = (): Omit<CapacityParams, 'source'> => defaultsOf(CAPACITY_FIELDS);

export const defaultHopfieldLab = (): HopfieldLabState => ({
  draft: defaultHopfieldTrain(),
  result: null,
  retrieval: defaultRetrieval(),
  lastRetrieval: null,
  attention: { split: 'test', indices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  completion: { split: 'test', index: 0, mask: 'bottom', fraction: 0.4, seed: 1 },
  capacityDraft: defaultCapacity(),
  capacity: null,
});
