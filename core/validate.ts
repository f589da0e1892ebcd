import type { z } from 'zod';
import { invalid } from './errors.ts';

/** Parses with a zod schema and turns the first issue into a one-line error naming the field. */
export function parseOrThrow<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw invalid(`${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`);
}
