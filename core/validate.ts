import { z } from 'zod';
import type { JsonValue } from './contract.ts';
import { invalid } from './errors.ts';

/** Parses with a zod schema and turns the first issue into a one-line error naming the field. */
export function parseOrThrow<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw invalid(`${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`);
}

/** Any JSON value (results stored as they came: a sweep's command output, a run's parameters). */
export const jsonSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(jsonSchema), z.record(jsonSchema)]),
);
