// The Runs ledger's slice of a session. Files saved before runs existed have no `runs` lab and load
// at these defaults (an empty ledger), like any lab missing from an older file.
import { z } from 'zod';
import { DEFAULT_KEEP_CHECKPOINTS, MAX_KEEP_CHECKPOINTS, RUN_OUTCOMES, type RunsLabState } from '../../contract.ts';
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

// A kept tensor's name is its run's prefix and the name its lab gave it, so every copy is the ledger's.
const checkpoint = z
  .object({
    result: jsonSchema,
    tensors: z.record(z.string().min(1).max(300)),
    bytes: z.number().int().min(0),
  })
  .strict();

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
    // Sessions saved before checkpoints have neither.
    checkpoint: checkpoint.nullable().default(null),
    pinned: z.boolean().default(false),
  })
  .strict()
  .refine(
    (r) => !r.checkpoint || Object.entries(r.checkpoint.tensors).every(([from, kept]) => kept === keptName(r.id, from)),
    (r) => ({ message: `run ${r.id}'s checkpoint names a tensor that is not runs.${r.id}.<its name>` }),
  );

/** The session's name for a run's copy of a tensor. */
export const keptName = (id: string, name: string): string => `runs.${id}.${name}`;

/** The lab tensor a kept copy was taken from, or null for a name that is not a kept copy. */
export function keptFrom(name: string): string | null {
  const m = /^runs\.r[0-9]+\.(.+)$/.exec(name);
  return m ? m[1]! : null;
}

export const runsLabSchema = z
  .object({
    runs: z.array(runRecordSchema).max(MAX_RUNS),
    keep: z.number().int().min(0).max(MAX_KEEP_CHECKPOINTS).default(DEFAULT_KEEP_CHECKPOINTS),
    next: z.number().int().min(1),
  })
  .strict()
  .refine((s) => new Set(s.runs.map((r) => r.id)).size === s.runs.length, 'run ids must be unique');

export const defaultRunsLab = (): RunsLabState => ({ runs: [], keep: DEFAULT_KEEP_CHECKPOINTS, next: 1 });
