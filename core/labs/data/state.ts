// The dataset lab's slice of a session: its schema (validated on load) and defaults.
import { z } from 'zod';
import { sharpnessSchema } from '../kit/sharpness.ts';
import {
  BASELINE_FIELDS,
  defaultsOf,
  HIERARCHICAL_FIELDS,
  type BaselineParams,
  type DataLabState,
  type HierarchicalSource,
} from '../../contract.ts';
import { shapeOf } from '../../params.ts';

// Labels are bytes, so at most 255 concepts; the bit budget keeps a generated set under ~40 MB.
export const hierarchicalSourceSchema = z
  .object({ kind: z.literal('hierarchical'), ...shapeOf(HIERARCHICAL_FIELDS) })
  .strict()
  .superRefine((s, ctx) => {
    if (s.roots * s.concepts > 255)
      ctx.addIssue({
        code: 'custom',
        path: ['concepts'],
        message: `roots × concepts is ${s.roots * s.concepts}; at most 255 concepts in all`,
      });
    const bits = s.roots * s.concepts * (s.memories + s.testMemories) * s.patternDim;
    if (bits > 40e6)
      ctx.addIssue({ code: 'custom', path: ['memories'], message: `${bits.toExponential(2)} bits in all; at most 4e7` });
  });

/** The paper setting's data (arXiv:1712.04195 as reconstructed here: see README, VAE lab). */
export const defaultHierarchicalSource = (): HierarchicalSource => ({ kind: 'hierarchical', ...defaultsOf(HIERARCHICAL_FIELDS) });

export const datasetSourceSchema = z.union([
  z.object({ kind: z.literal('mnist') }).strict(),
  hierarchicalSourceSchema,
  z
    .object({
      kind: z.literal('idx'),
      name: z.string(),
      trainImages: z.string().min(1),
      trainLabels: z.string().min(1),
      testImages: z.string().min(1).nullable().optional(),
      testLabels: z.string().min(1).nullable().optional(),
    })
    .strict(),
]);

const finite = z.number().finite();

const baselineShape = shapeOf(BASELINE_FIELDS);
// Files from before sharpness tracking load with it off.
export const baselineDraftSchema = z
  .object({
    ...baselineShape,
    trackEvery: baselineShape.trackEvery.default(0),
    trackTrace: baselineShape.trackTrace.default(false),
    // Files from before warm starts trained from zeros.
    warmStart: baselineShape.warmStart.default(false),
  })
  .strict();

export const baselineParamsSchema = baselineDraftSchema.extend({ source: datasetSourceSchema }).strict();

const curvePoint = z.object({ step: z.number().int(), epoch: finite, loss: finite, accuracy: finite }).strict();

const baselineResult = z
  .object({
    params: baselineParamsSchema,
    curve: z.array(curvePoint),
    testAccuracy: finite.nullable(),
    testLoss: finite.nullable(),
    stepsDone: z.number().int().min(0),
    partial: z.boolean(),
    tensors: z.array(z.string()),
    sharpness: sharpnessSchema.nullable().default(null),
  })
  .strict();

export const dataLabSchema = z
  .object({
    source: datasetSourceSchema,
    split: z.enum(['train', 'test']),
    offset: z.number().int().min(0),
    classFilter: z.number().int().min(0).max(255).nullable(),
    baseline: baselineResult.nullable(),
    baselineDraft: baselineDraftSchema,
  })
  .strict();

export const defaultBaselineDraft = (): Omit<BaselineParams, 'source'> => defaultsOf(BASELINE_FIELDS);

export const defaultDataLab = (): DataLabState => ({
  source: { kind: 'mnist' },
  split: 'train',
  offset: 0,
  classFilter: null,
  baseline: null,
  baselineDraft: defaultBaselineDraft(),
});

// Compile-time check that the schema and the contract describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _check: Same<z.infer<typeof dataLabSchema>['split'], DataLabState['split']> = true;
void _check;
