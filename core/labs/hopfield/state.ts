// The Hopfield–Boltzmann lab's slice of a session: schemas (validated on load and on every
// request, so nonsense hyper-parameters get a one-line error) and defaults.
import { z } from 'zod';
import {
  CAPACITY_FIELDS,
  COMPLETION_FIELDS,
  defaultsOf,
  HOPFIELD_TRAIN_FIELDS,
  IMAGE_DATA_FIELDS,
  RETRIEVAL_FIELDS,
  TOY_DATA_FIELDS,
  type CapacityParams,
  type HopfieldLabState,
  type HopfieldTrainParams,
  type RetrievalSettings,
} from '../../contract.ts';
import { datasetSourceSchema } from '../data/state.ts';
import { shapeOf } from '../../params.ts';

const finite = z.number().finite();
const int = z.number().int();

export const hopfieldDataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('toy'), ...shapeOf(TOY_DATA_FIELDS) }).strict(),
  z
    .object({
      kind: z.literal('images'),
      source: datasetSourceSchema,
      ...shapeOf(IMAGE_DATA_FIELDS),
    })
    .strict(),
]);

export const hopfieldTrainSchema = z
  // Files from before warm starts trained from the initialisation.
  .object({ data: hopfieldDataSchema, ...shapeOf(HOPFIELD_TRAIN_FIELDS), warmStart: z.boolean().default(false) })
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

export const retrievalSchema = z.object(shapeOf(RETRIEVAL_FIELDS)).strict();

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

export const completionSchema = z.object(shapeOf(COMPLETION_FIELDS)).strict();

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
  data: { kind: 'toy', ...defaultsOf(TOY_DATA_FIELDS) },
  ...defaultsOf(HOPFIELD_TRAIN_FIELDS),
});

export const defaultRetrieval = (): RetrievalSettings => defaultsOf(RETRIEVAL_FIELDS);

export const defaultCapacity = (): Omit<CapacityParams, 'source'> => defaultsOf(CAPACITY_FIELDS);

export const defaultHopfieldLab = (): HopfieldLabState => ({
  draft: defaultHopfieldTrain(),
  result: null,
  retrieval: defaultRetrieval(),
  lastRetrieval: null,
  attention: { split: 'test', indices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  completion: defaultsOf(COMPLETION_FIELDS),
  capacityDraft: defaultCapacity(),
  capacity: null,
});
