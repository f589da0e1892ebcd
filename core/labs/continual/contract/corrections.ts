// The continual-learning lab's corrections against forgetting (the open question of Karakida & Akaho's report):
// the fields of one correction, and the comparison of every correction at its best setting. Part of the
// one contract (re-exported by ../contract.ts): JSON-safe, importing nothing but contract files.
import type { ParamSpec, ValuesOf } from '../../../contract/params.ts';

/** The target similarity ρ, with the doc of the form it is in (contract.ts's chain uses it too: it imports this file). */
export const similarityField = (doc: string) =>
  ({
    kind: 'number',
    label: 'Similarity ρ',
    flag: 'similarity',
    metavar: 'ρ',
    min: 0,
    max: 1,
    default: 1,
    step: 0.05,
    doc,
  }) as const;

/** Corrections against forgetting, applied at every stage after the first (models/continual/corrections.ts). */
export const CONTINUAL_CORRECTIONS = ['none', 'replay', 'anchor', 'balanced', 'ewc'] as const;
/** The corrections the kernel model takes: EWC anchors parameters, which only the network has. */
export const KERNEL_CORRECTIONS = ['none', 'replay', 'anchor', 'balanced'] as const;
export const CONTINUAL_STEP_RULES = ['fixed', 'auto'] as const;
/** The Fisher EWC weighs parameters with: the NGD lab's approximations, block-diagonal per layer but the exact one. */
export const CONTINUAL_FISHERS = ['exact', 'diagonal', 'kfac', 'unit-wise'] as const;

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
      ewc: 'EWC (network only)',
    },
    default: 'none',
    doc: 'replay: fit R stored samples of each earlier stage again with their labels; anchor: penalise λ_a Σ (f − f_prev)² over every earlier input; balanced: move only c of the way; ewc (network): penalise (λ_e/2)(θ − θ_prev)ᵀF(θ − θ_prev), F the exact Fisher on every earlier input',
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
  ewcWeight: {
    kind: 'number',
    label: 'EWC weight λ_e',
    flag: 'ewc-weight',
    metavar: 'λe',
    min: 0,
    max: 1e6,
    default: 1,
    step: 0.1,
    doc: 'λ_e of (λ_e/2)(θ − θ_prev)ᵀF(θ − θ_prev) beside the mean squared error, F = J_Aᵀ J_A/|A| at θ_prev on the earlier inputs A',
  },
  fisher: {
    kind: 'choice',
    label: 'EWC Fisher',
    flag: 'fisher',
    choices: CONTINUAL_FISHERS,
    choiceLabels: {
      exact: 'exact J_AᵀJ_A/|A|',
      diagonal: 'diagonal',
      kfac: 'K-FAC (per layer)',
      'unit-wise': 'unit-wise (per unit)',
    },
    default: 'exact',
    doc: 'the Fisher of the EWC penalty, at the parameters after the previous stage on every earlier input; the approximations have no linearised prediction',
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

/** Two-task errors: task 1 after stage 1 and after stage 2; task 2 after stage 2; task 2 learned alone from N₂ samples. */
export interface ClTwoTask {
  e11: number;
  e12: number;
  e22: number;
  e2alone: number;
}

/** What the comparison sets side by side: each correction at its best setting, and the balanced step's rule. */
export const CONTINUAL_COMPARED = ['none', 'replay', 'anchor', 'balanced', 'balanced-auto'] as const;
export type ClCompared = (typeof CONTINUAL_COMPARED)[number];

/** Two tasks over N₂/N₁, with and without label noise: every correction at its best setting of a grid. */
export const CL_COMPARE_FIELDS = {
  n1: { kind: 'int', label: 'N₁', flag: 'n1', metavar: 'N1', min: 1, max: 1000, default: 500, doc: 'samples of stage 1' },
  ratios: {
    kind: 'numbers',
    label: 'N₂/N₁ values',
    flag: 'ratios',
    metavar: 'r',
    min: 0,
    minExclusive: true,
    max: 2,
    minItems: 1,
    maxItems: 16,
    default: [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1],
    doc: 'sample ratios (N₂ = round(r·N₁), at least 1)',
  },
  similarity: similarityField(
    'task 2’s target ρ f*₁ + √(1−ρ²) g; 1: the same task (self-knowledge); below 1 the table shows what each correction costs task 2',
  ),
  replays: {
    kind: 'ints',
    label: 'R grid',
    flag: 'replays',
    metavar: 'R',
    min: 1,
    max: 1000,
    minItems: 1,
    maxItems: 8,
    default: [5, 20, 100, 500],
    doc: 'replayed samples the best is chosen among',
  },
  anchorWeights: {
    kind: 'numbers',
    label: 'λ_a grid',
    flag: 'anchor-weights',
    metavar: 'λa',
    min: 0,
    minExclusive: true,
    max: 1e6,
    minItems: 1,
    maxItems: 8,
    default: [0.1, 1, 10, 100],
    doc: 'anchor weights the best is chosen among (ridgeless, all pin f alike: set λ > 0 for a trade-off)',
  },
  steps: {
    kind: 'numbers',
    label: 'c grid',
    flag: 'steps',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 1,
    minItems: 1,
    maxItems: 8,
    default: [0.02, 0.05, 0.1, 0.2, 0.5],
    doc: 'balanced steps the best is chosen among (the rule N₂/(N₁ + N₂) is its own row)',
  },
  levels: {
    kind: 'choice',
    label: 'Noise levels',
    flag: 'levels',
    choices: ['both', 'sigma'],
    choiceLabels: { both: 'σ and σ = 0 (same draws)', sigma: 'σ only' },
    default: 'both',
    doc: 'both: every ratio at the model’s σ and again without noise, on the same draws',
  },
} as const satisfies ParamSpec;

export interface ClCompareRow {
  correction: ClCompared;
  /** The best setting of the grid: R, λ_a or c; null for none and the rule. */
  setting: number | null;
  mean: ClTwoTask;
  sd: ClTwoTask;
  /** At the best setting; null where no formula covers it. */
  theory: ClTwoTask | null;
  /** Kept after stage 1: labelled samples (replay), inputs (anchor). */
  memory: { samples: number; inputs: number };
}

export interface ClComparePoint {
  noise: number;
  ratio: number;
  n2: number;
  /** One row per compared correction, in CONTINUAL_COMPARED's order. */
  rows: ClCompareRow[];
  /** The row with the lowest (E₁₂ + E₂₂)/2, Monte Carlo. */
  best: ClCompared;
}

/** The comparison's result; `params` is ClCompareParams (contract.ts, which holds the model's fields). */
export interface ClCompareResultOf<P> {
  params: P;
  points: ClComparePoint[];
  draws: number;
  partial: boolean;
}

const COMPARED_NAMES: Record<ClCompared, string> = {
  none: 'no correction',
  replay: 'replay',
  anchor: 'the anchor',
  balanced: 'the balanced step',
  'balanced-auto': 'the step rule c = N₂/(N₁ + N₂)',
};

/**
 * The comparison's answer in plain sentences, one per noise level: which corrections keep task 1's error after stage 2
 * at or below its error after stage 1 (Monte Carlo means) at every ratio, what they keep in memory, and what they cost
 * task 2 against no correction. The view and `kairo continual compare` print the same sentences.
 */
export function compareVerdict(r: ClCompareResultOf<{ similarity: number }>): string[] {
  const noises = [...new Set(r.points.map((q) => q.noise))];
  return noises.map((noise) => {
    const pts = r.points.filter((q) => q.noise === noise);
    const parts = CONTINUAL_COMPARED.map((c, k) => {
      const rows = pts.map((q) => q.rows[k]!);
      const failing = pts.filter((q) => q.rows[k]!.mean.e12 > q.rows[k]!.mean.e11).map((q) => q.ratio);
      const samples = Math.max(...rows.map((x) => x.memory.samples));
      const inputs = Math.max(...rows.map((x) => x.memory.inputs));
      const memory = samples ? `keeps up to ${samples} samples` : inputs ? `keeps ${inputs} inputs` : 'keeps nothing';
      // Task 2's error against no correction's, geometric mean over the ratios.
      const ratio2 = Math.exp(
        pts.reduce((s, q) => s + Math.log(q.rows[k]!.mean.e22 / q.rows[0]!.mean.e22), 0) / Math.max(1, pts.length),
      );
      const cost = c === 'none' || r.params.similarity === 1 ? '' : `, task 2's error ×${ratio2.toFixed(2)} of no correction's`;
      const holds = failing.length ? `not at N₂/N₁ = ${failing.join(', ')}` : 'at every ratio';
      return `${COMPARED_NAMES[c]}: ${holds} (${memory}${cost})`;
    });
    return `σ = ${noise}: E₂ ≤ E₁ — ${parts.join('; ')}.`;
  });
}
