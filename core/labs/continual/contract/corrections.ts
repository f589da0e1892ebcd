// The continual-learning lab's corrections against forgetting (the open question of Karakida & Akaho's report):
// the fields of one correction, and the comparison of every correction at its best setting. Part of the
// one contract (re-exported by ../contract.ts): JSON-safe, importing nothing but contract files.
import type { ParamSpec, ValuesOf } from '../../../contract/params.ts';

/** Corrections against forgetting, applied at every stage after the first (models/continual/corrections.ts). */
export const CONTINUAL_CORRECTIONS = ['none', 'replay', 'anchor', 'balanced'] as const;
export const CONTINUAL_STEP_RULES = ['fixed', 'auto'] as const;

/** A correction against forgetting, used by every stage after the first; λ of the model stays the fourth knob. */
export const CL_CORRECTION_FIELDS = {
  correction: {
    kind: 'choice',
    label: 'Correction',
    flag: 'correction',
    choices: CONTINUAL_CORRECTIONS,
    choiceLabels: {
      none: 'none (plain sequential fit)',
      replay: 'replay R samples per earlier stage',
      anchor: 'functional anchor on earlier inputs',
      balanced: 'balanced step c',
    },
    default: 'none',
    doc: 'replay: fit R stored samples of each earlier stage again with their labels; anchor: penalise λ_a Σ (f − f_prev)² over every earlier input; balanced: move only c of the way',
  },
  replay: {
    kind: 'int',
    label: 'Replayed per stage R',
    flag: 'replay',
    metavar: 'R',
    min: 0,
    max: 2000,
    default: 20,
    doc: 'samples of each earlier stage kept (with their labels) and fitted again; 0: no replay',
  },
  anchorWeight: {
    kind: 'number',
    label: 'Anchor weight λ_a',
    flag: 'anchor-weight',
    metavar: 'λa',
    min: 0,
    max: 1e6,
    default: 1,
    step: 0.1,
    doc: 'λ_a of λ_a Σ_(earlier x)(f(x) − f_prev(x))²; ridgeless (λ = 0) every λ_a > 0 pins f on those inputs',
  },
  step: {
    kind: 'number',
    label: 'Step c',
    flag: 'step',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 1,
    default: 0.5,
    step: 0.05,
    doc: 'f_m = f_(m−1) + c·(the stage’s kernel regression of the residual); 1: no correction. The CLI takes --step auto for the rule',
  },
  stepRule: {
    kind: 'choice',
    label: 'Step rule',
    flag: 'step-rule',
    choices: CONTINUAL_STEP_RULES,
    choiceLabels: { fixed: 'c as set', auto: 'c = N_m / Σ_(k≤m) N_k' },
    default: 'fixed',
    doc: 'the balanced step’s c: the number set, or each stage’s share of the samples so far',
  },
} as const satisfies ParamSpec;

export type ClCorrectionParams = ValuesOf<typeof CL_CORRECTION_FIELDS>;
