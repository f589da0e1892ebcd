// The augmentation lab's slice of a session: schemas (validated on load and at jobs.start) and defaults.
import { z } from 'zod';
import { AUGMENT_FIELDS, AUGMENT_POLICIES, defaultsOf, type AugmentFields, type AugmentLabState } from '../../contract.ts';
import { shapeOf } from '../../params.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
const int = z.number().int();
const meanSd = z.object({ mean: finite, sd: finite }).strict();

const fields = shapeOf(AUGMENT_FIELDS);

/** Fields added with the authors' protocol: sessions saved before it ran Kairo's quick setting, these values. */
const ADDED: (keyof AugmentFields)[] = [
  'protocol',
  'optimizer',
  'weightDecay',
  'lrSchedule',
  'warmupEpochs',
  'subset',
  'evalEvery',
];
const withAdded = (v: unknown) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const d = defaultsOf(AUGMENT_FIELDS);
  return { ...Object.fromEntries(ADDED.map((k) => [k, d[k]])), ...v };
};

export const draftSchema = z.preprocess(withAdded, z.object(fields).strict());

const MIXING = new Set(['mixup', 'ricap']);

/** Nonsense the bounds alone let through, refused before a worker starts. */
export const compareSchema = z.preprocess(
  withAdded,
  z
    .object({ ...fields, source: datasetSourceSchema })
    .strict()
    .superRefine((p, ctx) => {
      if (p.policies.includes('rand') && p.augment.some((a) => MIXING.has(a)))
        ctx.addIssue({
          code: 'custom',
          path: ['augment'],
          message: 'RandAugment draws image operations; untick mixup and RICAP or the RandAugment policy',
        });
      if (p.weightDecay > 0 && p.optimizer !== 'sgd-nesterov')
        ctx.addIssue({
          code: 'custom',
          path: ['weightDecay'],
          message: 'weight decay applies to SGD only; choose --optimizer sgd-nesterov or --weight-decay 0',
        });
      if (new Set(p.perClass).size !== p.perClass.length)
        ctx.addIssue({ code: 'custom', path: ['perClass'], message: 'each training-set size at most once' });
      if (p.schedule === 'linear' && p.thresholdKind === 'quantile' && p.thresholdEnd >= 1)
        ctx.addIssue({ code: 'custom', path: ['thresholdEnd'], message: 'a quantile’s end value must be below 1' });
      // The work: every run is epochs × (training set + test set + probe draws) passes (ten classes assumed).
      const runs = p.perClass.length * p.policies.length * p.seeds;
      const images =
        runs * p.epochs * (Math.max(...p.perClass) * 10 * 3 + p.testCount / p.evalEvery + p.probe * (p.probeDraws + 1));
      if (images > 2e8)
        ctx.addIssue({
          code: 'custom',
          path: ['epochs'],
          message: `${runs} runs of ${p.epochs} epochs is about ${(images / 1e6).toFixed(0)} million image passes, above the 200 million a job may take; use fewer seeds, sizes or epochs`,
        });
    }),
);

const epoch = z
  .object({
    epoch: int.min(1),
    trainLoss: finite,
    testLoss: finite.nullable(),
    testAccuracy: finite.nullable(),
    learningRate: finite.optional(),
    augmented: finite,
    threshold: finite.nullable(),
    instability: finite.nullable(),
    lossShift: finite.nullable(),
    stepNoise: finite,
  })
  .strict();

const policy = z.enum(AUGMENT_POLICIES);

const run = z.object({ policy, perClass: int.min(1), seed: int, curve: z.array(epoch), trainSeconds: finite }).strict();

const cell = z
  .object({
    policy,
    perClass: int.min(1),
    seeds: int.min(1),
    accuracy: meanSd,
    testLoss: meanSd,
    trainSeconds: meanSd,
    curve: z.array(
      z
        .object({
          epoch: int.min(1),
          accuracy: meanSd.nullable(),
          testLoss: finite.nullable(),
          learningRate: finite.optional(),
          trainLoss: finite,
          augmented: finite,
          instability: finite.nullable(),
          stepNoise: finite,
        })
        .strict(),
    ),
  })
  .strict();

const sample = z.object({ index: int.min(0), label: int.min(0), times: int.min(0), loss: finite }).strict();

const samples = z
  .object({
    perClass: int.min(1),
    seed: int,
    epochs: int.min(1),
    most: z.array(sample),
    least: z.array(sample),
    byClass: z.array(finite),
    lossCorrelation: finite.nullable(),
  })
  .strict();

export const resultSchema = z
  .object({
    params: compareSchema,
    datasetName: z.string(),
    classes: int.min(1),
    testFrom: z.enum(['test', 'held-out']),
    testCount: int.min(1).optional(),
    runs: z.array(run),
    cells: z.array(cell),
    samples: samples.nullable(),
    partial: z.boolean(),
  })
  .strict();

export const augmentLabSchema = z.object({ draft: draftSchema, result: resultSchema.nullable() }).strict();

export const defaultAugmentLab = (): AugmentLabState => ({ draft: defaultsOf(AUGMENT_FIELDS), result: null });
