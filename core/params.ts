// zod schemas from field specifications (core/contract/params.ts): the bounds written once in the
// contract are what the session, jobs.start and the CLI check.
import { z } from 'zod';
import type { FieldSpec, ParamSpec, ValueOf } from './contract.ts';

function numberSchema(f: {
  kind: 'int' | 'number' | 'ints' | 'numbers';
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}) {
  let n = f.kind === 'int' || f.kind === 'ints' ? z.number().int() : z.number().finite();
  n = f.minExclusive ? n.gt(f.min) : n.min(f.min);
  return f.maxExclusive ? n.lt(f.max) : n.max(f.max);
}

export function fieldSchema<F extends FieldSpec>(f: F): z.ZodType<ValueOf<F>> {
  switch (f.kind) {
    case 'int':
    case 'number':
      return numberSchema(f) as unknown as z.ZodType<ValueOf<F>>;
    case 'choice':
      if (typeof f.choices[0] === 'number') {
        const [a, b, ...rest] = (f.choices as readonly number[]).map((c) => z.literal(c));
        return z.union([a!, b!, ...rest]) as unknown as z.ZodType<ValueOf<F>>;
      }
      return z.enum(f.choices as unknown as [string, ...string[]]) as unknown as z.ZodType<ValueOf<F>>;
    case 'switch':
      return z.boolean() as unknown as z.ZodType<ValueOf<F>>;
    case 'text':
      return z.string().max(f.maxLength) as unknown as z.ZodType<ValueOf<F>>;
    case 'set':
      return z
        .array(z.enum(f.choices as unknown as [string, ...string[]]))
        .min(f.minItems)
        .refine((xs) => new Set(xs).size === xs.length, { message: 'each value at most once' }) as unknown as z.ZodType<
        ValueOf<F>
      >;
    case 'ints':
    case 'numbers':
      return z.array(numberSchema(f)).min(f.minItems).max(f.maxItems) as unknown as z.ZodType<ValueOf<F>>;
  }
}

/** One schema per field, in the spec's order: compose them into the parameter set's object schema. */
export function shapeOf<S extends ParamSpec>(spec: S): { [K in keyof S]: z.ZodType<ValueOf<S[K]>> } {
  return Object.fromEntries(Object.entries(spec).map(([k, f]) => [k, fieldSchema(f)])) as {
    [K in keyof S]: z.ZodType<ValueOf<S[K]>>;
  };
}

/** As `shapeOf`, each field defaulting to its spec's default: fields added after sessions were saved load as before. */
export function defaultedShapeOf<S extends ParamSpec>(spec: S): { [K in keyof S]: z.ZodDefault<z.ZodType<ValueOf<S[K]>>> } {
  return Object.fromEntries(
    Object.entries(spec).map(([k, f]) => [k, fieldSchema(f).default(f.default as ValueOf<typeof f>)]),
  ) as { [K in keyof S]: z.ZodDefault<z.ZodType<ValueOf<S[K]>>> };
}
