// CLI flags from field specifications (core/contract/params.ts): which flags take values, their
// parsing (with the one-line errors of kit/args.ts) and their usage text.
import type { z } from 'zod';
import type { ParamSpec, ValuesOf } from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { fieldSchema } from '../../params.ts';
import { choiceFlag, listFlag, numFlag, setFlag, type Parsed } from './args.ts';

/** The flags of a parameter set: valued ones and switches. */
export function flagsOf(spec: ParamSpec): { valued: string[]; switches: string[] } {
  const fields = Object.values(spec);
  return {
    valued: fields.filter((f) => f.kind !== 'switch').map((f) => f.flag),
    switches: fields.filter((f) => f.kind === 'switch').map((f) => f.flag),
  };
}

/**
 * The values the flags give, each absent flag at `defaults`' value. A value the user typed is checked
 * against its field here, so the error names the flag (`--epochs: …`), not the job's schema path
 * (`vae.train.epochs: …`); rules between fields stay the job schema's.
 */
export function readFlags<S extends ParamSpec>(p: Parsed, spec: S, defaults: ValuesOf<S>): ValuesOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec)) {
    const d = (defaults as Record<string, unknown>)[k];
    if (f.kind === 'int' || f.kind === 'number') out[k] = numFlag(p, f.flag, d as number, f.kind === 'int');
    // A numeric choice reads as a number; the schema says which numbers.
    else if (f.kind === 'choice')
      out[k] =
        typeof f.choices[0] === 'number'
          ? numFlag(p, f.flag, d as number)
          : choiceFlag(p, f.flag, d as string, f.choices as readonly string[]);
    else if (f.kind === 'switch') out[k] = p.flags.has(f.flag) ? true : d;
    else if (f.kind === 'text') {
      const v = p.flags.get(f.flag);
      out[k] = typeof v === 'string' ? v : d;
    } else if (f.kind === 'set') out[k] = setFlag(p, f.flag, d as string[], f.choices);
    else out[k] = listFlag(p, f.flag, d as number[], f.kind === 'ints');
    if (p.flags.has(f.flag)) {
      const r = fieldSchema(f).safeParse(out[k]);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        const item = typeof issue.path[0] === 'number' ? `value ${issue.path[0] + 1}: ` : '';
        throw invalid(`--${f.flag}: ${item}${issue.message} (got ${p.flags.get(f.flag)})`);
      }
    }
  }
  return out as ValuesOf<S>;
}

/**
 * `--activation relu|tanh|erf|linear --depth L …` for the usage text, wrapped before 110
 * columns with continuation lines indented to `indent` (the column the first flag starts at).
 */
/** A set's choices, or the first ones and "…" where all would not fit a usage line (a bad value's error lists them all). */
const setUsage = (choices: readonly string[]) => {
  const all = choices.join(',');
  if (all.length <= 80) return all;
  let shown = '';
  for (const c of choices) {
    if (shown.length + c.length + 1 > 70) break;
    shown = shown ? `${shown},${c}` : c;
  }
  return `${shown},…`;
};

export function usageOf(spec: ParamSpec, indent = 0, skip: readonly string[] = []): string {
  const flags = Object.entries(spec)
    .filter(([k]) => !skip.includes(k))
    .map(([, f]) =>
      f.kind === 'switch'
        ? `[--${f.flag}]`
        : `--${f.flag} ${f.kind === 'choice' ? f.choices.join('|') : f.kind === 'set' ? setUsage(f.choices) : f.kind === 'ints' || f.kind === 'numbers' ? `${f.metavar ?? 'x'},…` : (f.metavar ?? 'x')}`,
    );
  const lines: string[] = [];
  for (const f of flags) {
    const last = lines.at(-1);
    if (last !== undefined && indent + last.length + 1 + f.length <= 110) lines[lines.length - 1] = `${last} ${f}`;
    else lines.push(f);
  }
  return lines.join(`\n${' '.repeat(indent)}`);
}

/**
 * Parses flag values with a job's schema, naming the flag when a rule between fields fails (`--weight-decay: weight
 * decay applies to SGD only; …`), not the schema path (`augment.weightDecay: …`): the innermost field key of the
 * failing path is looked up in the specs the flags came from; other paths keep `where.path`.
 */
export function parseFlagged<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  where: string,
  ...specs: ParamSpec[]
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = [...issue.path].reverse().find((k): k is string => typeof k === 'string');
  const field = key === undefined ? undefined : specs.find((s) => Object.hasOwn(s, key))?.[key];
  throw invalid(
    field ? `--${field.flag}: ${issue.message}` : `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`,
  );
}

/** Every flag name of these field specs (valued and switches), for a subcommand's declared flags. */
export function flagNames(...specs: ParamSpec[]): string[] {
  return specs.flatMap((s) => Object.values(s).map((f) => f.flag));
}
