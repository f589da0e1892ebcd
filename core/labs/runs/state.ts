// The Runs ledger's slice of a session. Files saved before runs existed have no `runs` lab and load
// at these defaults (an empty ledger), like any lab missing from an older file.
import { z } from 'zod';
import { RUN_OUTCOMES, type RunsLabState } from '../../contract.ts';
import { MAX_CURVE_POINTS, MAX_RUNS } from '../kit/runs.ts';
import { jsonSchema } from '../../validate.ts';

const finite = z.number().finite();
const curve = z
  .object({
    name: z.string().min(1).max(200),
    xLabel: z.string().max(200),
    x: z.array(finite).max(MAX_CURVE_POINTS),
    y: z.array(finite.nullable()).max(MAX_CURVE_POINTS),
  })
  .strict()
  .refine((c) => c.x.length === c.y.length, 'x and y must have the same length');

export const runRecordSchema = z
  .object({
    id: z.string().regex(/^r[0-9]+$/),
    lab: z.string().min(1).max(64),
    kind: z.string().min(1).max(64),
    label: z.string().max(200),
    name: z.string().max(200),
    note: z.string().max(10_000),
    startedAt: finite.min(0),
    finishedAt: finite.min(0),
    outcome: z.enum(RUN_OUTCOMES),
    error: z.string().max(2_000).nullable(),
    params: jsonSchema,
    seed: finite.nullable(),
    metrics: z.record(finite.nullable()),
    curves: z.array(curve).max(24),
  })
  .strict();

export const runsLabSchema = z
  .object({ runs: z.array(runRecordSchema).max(MAX_RUNS), next: z.number().int().min(1) })
  .strict()
  .refine((s) => new Set(s.runs.map((r) => r.id)).size === s.runs.length, 'run ids must be unique');

export const defaultRunsLab = (): RunsLabState => ({ runs: [], next: 1 });
