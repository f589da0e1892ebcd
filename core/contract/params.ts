// Parameters described once: a field specification (label, CLI flag, bounds, default, unit,
// one-line doc) from which the zod schema (core/params.ts), the CLI's flags and usage text
// (core/cli/params.ts) and the renderer's form inputs (components/ParamForm.svelte) are derived.
// Cross-field rules stay hand-written beside the schema. Part of the contract: imports nothing.

interface FieldBase {
  /** What the form calls it, with its symbol: "Width M". */
  label: string;
  /** The CLI flag, without dashes. */
  flag: string;
  /** The value's name in the CLI's usage text: `--width M`. */
  metavar?: string;
  unit?: string;
  /** One line: what it is, for tooltips and `--help`. */
  doc: string;
}

export interface IntField extends FieldBase {
  kind: 'int';
  min: number;
  max: number;
  default: number;
}

export interface NumberField extends FieldBase {
  kind: 'number';
  min: number;
  max: number;
  /** The minimum itself is not allowed (σ_w² > 0). */
  minExclusive?: boolean;
  /** The maximum itself is not allowed (a fraction < 1). */
  maxExclusive?: boolean;
  default: number;
  /** The form's spin step. */
  step?: number;
}

/** One of a few values: names, or numbers (1-D or 2-D positions, say). */
export interface ChoiceField<C extends string | number = string | number> extends FieldBase {
  kind: 'choice';
  choices: readonly C[];
  /** Longer names for the form's menu; the value itself where absent. */
  choiceLabels?: { readonly [K in C]?: string };
  default: C;
}

export interface SwitchField extends FieldBase {
  kind: 'switch';
  default: boolean;
}

export interface ListField extends FieldBase {
  kind: 'ints' | 'numbers';
  min: number;
  max: number;
  minExclusive?: boolean;
  minItems: number;
  maxItems: number;
  default: readonly number[];
}

export type FieldSpec = IntField | NumberField | ChoiceField | SwitchField | ListField;
export type ParamSpec = { readonly [key: string]: FieldSpec };

export type ValueOf<F> = F extends { kind: 'int' | 'number' }
  ? number
  : F extends { kind: 'choice'; choices: readonly (infer C)[] }
    ? C
    : F extends { kind: 'switch' }
      ? boolean
      : number[];

/** The values a parameter set holds. */
export type ValuesOf<S extends ParamSpec> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** The seed every parameter set has: any 31-bit non-negative integer, 1 by default. */
export const seedField = (doc: string) =>
  ({ kind: 'int', label: 'Seed', flag: 'seed', metavar: 'S', min: 0, max: 2 ** 31 - 1, default: 1, doc }) as const;

/** Each field's default. */
export function defaultsOf<S extends ParamSpec>(spec: S): ValuesOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) out[k] = Array.isArray(f.default) ? [...(f.default as number[])] : f.default;
  return out as ValuesOf<S>;
}
