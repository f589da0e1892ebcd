// The Sweeps lab's slice of a session: the sweep file being edited and the collected runs.
import { z } from 'zod';
import type { SweepLabState } from '../../contract.ts';
import { jsonSchema } from '../../validate.ts';

const value = z.union([z.number().finite(), z.string(), z.boolean(), z.array(z.number().finite())]);
const params = z.record(value);
const specSchema = z
  .object({
    command: z.tuple([z.string(), z.string()]),
    fixed: params.optional(),
    grid: z.record(z.array(value)).optional(),
    zip: z.record(z.array(value)).optional(),
    random: z
      .object({
        count: z.number().int(),
        seed: z.number().int(),
        params: z.record(
          z.union([
            z.object({ min: z.number(), max: z.number(), log: z.boolean().optional(), int: z.boolean().optional() }).strict(),
            z.object({ choice: z.array(value) }).strict(),
          ]),
        ),
      })
      .strict()
      .optional(),
  })
  .strict();

// Results are whatever JSON the command printed; they are stored as they came.
const json = jsonSchema;

export const sweepResultSchema = z
  .object({
    spec: specSchema,
    source: z.string().nullable(),
    count: z.number().int().min(0),
    runs: z.array(
      z.object({ index: z.number().int().min(0), params, result: json, seconds: z.number().finite().min(0) }).strict(),
    ),
    missing: z.array(z.number().int().min(0)),
    failed: z.array(z.object({ index: z.number().int().min(0), params, error: z.string() }).strict()),
    partial: z.boolean(),
  })
  .strict();

export const sweepLabSchema = z.object({ specText: z.string().max(1_000_000), result: sweepResultSchema.nullable() }).strict();

export const EXAMPLE_SWEEP = {
  command: ['fisher', 'spectrum'],
  fixed: { activation: 'relu', depth: 3, 'input-dim': 100, outputs: 2, samples: 50 },
  grid: { width: [32, 64, 128, 256], seed: [1, 2, 3] },
};

export const defaultSweepLab = (): SweepLabState => ({ specText: JSON.stringify(EXAMPLE_SWEEP, null, 2), result: null });
