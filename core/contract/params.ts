// Parameters described once: a field specification (label, CLI flag, bounds, default, unit,
// one-line doc) from which the zod schema (core/params.ts), the CLI's flags and usage text
// (core/labs/kit/flags.ts) and the renderer's form inputs (components/ParamForm.svelte) are derived.
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
  /**
   * Where a logarithmic control (a slider over decades) starts, for a field whose minimum is 0
   * excluded: smaller values stay allowed, typed in the CLI or an API call.
   */
  logMin?: number;
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

/** Several of a few named values, each at most once (the augmentations composed, the policies compared). */
export interface SetField<C extends string = string> extends FieldBase {
  kind: 'set';
  choices: readonly C[];
  choiceLabels?: { readonly [K in C]?: string };
  minItems: number;
  default: readonly C[];
}

/** A short text (a formula, say); what it must parse as is the schema's cross-field rule. */
export interface TextField extends FieldBase {
  kind: 'text';
  maxLength: number;
  default: string;
}

export type FieldSpec = IntField | NumberField | ChoiceField | SwitchField | ListField | TextField | SetField;
export type ParamSpec = { readonly [key: string]: FieldSpec };

export type ValueOf<F> = F extends { kind: 'int' | 'number' }
  ? number
  : F extends { kind: 'choice'; choices: readonly (infer C)[] }
    ? C
    : F extends { kind: 'switch' }
      ? boolean
      : F extends { kind: 'text' }
        ? string
        : F extends { kind: 'set'; choices: readonly (infer C)[] }
          ? C[]
          : number[];

/** The values a parameter set holds. */
export type ValuesOf<S extends ParamSpec> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** The seed every parameter set has: any 31-bit non-negative integer, 1 by default. */
export const seedField = (doc: string) =>
  ({ kind: 'int', label: 'Seed', flag: 'seed', metavar: 'S', min: 0, max: 2 ** 31 - 1, default: 1, doc }) as const;

/**
 * A training that continues from the lab's current model (the last training, or a run opened from
 * the runs table) instead of fresh weights; `doc` says what else stays the seed's.
 */
export const warmStartField = (doc: string) =>
  ({ kind: 'switch', label: 'Continue from the current model', flag: 'warm-start', default: false, doc }) as const;

/**
 * Parameters several labs share a meaning for, described once: the label, flag and units are
 * fixed here; each lab gives the bounds and default its model needs and says what it means there.
 */
export const widthField = (o: { min: number; max: number; default: number; doc?: string }) =>
  ({ kind: 'int', label: 'Width M', flag: 'width', metavar: 'M', doc: 'hidden width', ...o }) as const;

/** A learning rate η > 0 (its label says which, where a lab has several). */
export const lrField = (o: { max: number; default: number; step: number; doc: string; label?: string }) =>
  ({ kind: 'number', label: 'Learning rate', flag: 'lr', metavar: 'η', min: 0, minExclusive: true, ...o }) as const;

/** Weight variance × fan-in of a random network's layers. */
export const sigmaW2Field = (o: { default: number; doc: string }) =>
  ({
    kind: 'number',
    label: 'σ_w²',
    flag: 'sigma-w2',
    metavar: 'S',
    min: 0,
    minExclusive: true,
    max: 100,
    step: 0.1,
    ...o,
  }) as const;

/** Bias variance of a random network's layers. */
export const sigmaB2Field = (o: { default: number; doc: string }) =>
  ({ kind: 'number', label: 'σ_b²', flag: 'sigma-b2', metavar: 'S', min: 0, max: 100, step: 0.05, ...o }) as const;

/** Each field's default. */
export function defaultsOf<S extends ParamSpec>(spec: S): ValuesOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) out[k] = Array.isArray(f.default) ? [...(f.default as unknown[])] : f.default;
  return out as ValuesOf<S>;
}

const bound = (f: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }) =>
  `${f.minExclusive ? `> ${f.min}` : `≥ ${f.min}`} and ${f.maxExclusive ? `< ${f.max}` : `≤ ${f.max}`}`;

function numberProblem(
  f: { kind: 'int' | 'number' | 'ints' | 'numbers'; min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean },
  v: unknown,
): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'a number is needed';
  if ((f.kind === 'int' || f.kind === 'ints') && !Number.isInteger(v)) return `a whole number is needed, ${bound(f)}`;
  const low = f.minExclusive ? v <= f.min : v < f.min;
  const high = f.maxExclusive ? v >= f.max : v > f.max;
  return low || high ? `must be ${bound(f)}` : null;
}

/**
 * What is wrong with a value for a field, in words for the form (null: nothing). The same bounds as
 * the schema core/params.ts derives (test/unit/params.test.ts checks they agree).
 */
export function fieldProblem(f: FieldSpec, v: unknown): string | null {
  switch (f.kind) {
    case 'int':
    case 'number':
      return numberProblem(f, v);
    case 'choice':
      return (f.choices as readonly unknown[]).includes(v) ? null : `one of ${f.choices.join(', ')}`;
    case 'switch':
      return typeof v === 'boolean' ? null : 'on or off';
    case 'text':
      return typeof v !== 'string' ? 'a text is needed' : v.length > f.maxLength ? `at most ${f.maxLength} characters` : null;
    case 'set': {
      if (!Array.isArray(v)) return `some of ${f.choices.join(', ')}`;
      if (v.length < f.minItems) return `tick at least ${f.minItems}`;
      const bad = v.find((x) => !(f.choices as readonly unknown[]).includes(x));
      if (bad !== undefined) return `${String(bad)} is not one of ${f.choices.join(', ')}`;
      return new Set(v).size === v.length ? null : 'each at most once';
    }
    case 'ints':
    case 'numbers': {
      if (!Array.isArray(v)) return 'a list of numbers, separated by commas';
      if (v.length < f.minItems) return `at least ${f.minItems} value${f.minItems === 1 ? '' : 's'}`;
      if (v.length > f.maxItems) return `at most ${f.maxItems} values`;
      for (const x of v) {
        const p = numberProblem(f, x);
        if (p) return `each value ${p === 'a number is needed' ? 'must be a number' : p.replace(/^must be /, 'must be ')}`;
      }
      return null;
    }
  }
}

/**
 * A lab's quick look: one click that shows the lab's phenomenon in seconds, beside its full setting.
 * `npm run bench:quick-looks` re-measures `seconds` and every number `shows` quotes (this 2-core
 * machine, WebAssembly backend, MNIST or the generated data named).
 */
export interface QuickLook<P> {
  seconds: number;
  shows: string;
  params: P;
}

/**
 * Sharpness during a lab's own training: the loss Hessian's λ_max on the training batch every K
 * steps (0: off), beside 2/η. Shared by the training jobs that offer it; the curvature lab's own
 * `track` experiment has its required `--track-every`.
 */
export const SHARPNESS_FIELDS = {
  trackEvery: {
    kind: 'int',
    label: 'λ_max every K steps',
    flag: 'track-every',
    metavar: 'K',
    min: 0,
    max: 100000,
    default: 0,
    doc: 'the loss Hessian’s λ_max (Lanczos, warm-started) on the training batch every K steps, beside 2/η; 0: off',
  },
  trackTrace: {
    kind: 'switch',
    label: 'and the trace',
    flag: 'track-trace',
    default: false,
    doc: 'also the Hessian’s trace (Hutchinson, 10 probes) at each point',
  },
} as const satisfies ParamSpec;
