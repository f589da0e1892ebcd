// The contract of the continual-learning lab: sequential kernel regression in the NTK regime and its
// learning curves (Karakida & Akaho, ICLR 2022), theory beside Monte Carlo, and the same protocol with
// a wide network. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import { type QuickLook, defaultsOf, seedField, type ParamSpec, type ValuesOf, widthField } from '../../contract/params.ts';
import type { ClCompareResultOf, ClCorrectionParams, ClTwoTask } from './contract/corrections.ts';
import { CL_COMPARE_FIELDS, similarityField } from './contract/corrections.ts';

export * from './contract/corrections.ts';

export type ClCompareParams = ClModelParams & ValuesOf<typeof CL_COMPARE_FIELDS>;
export type ClCompareResult = ClCompareResultOf<ClCompareParams>;

/** Dot-product kernels on the sphere. Listed once: schemas, CLI and views read it. */
export const CONTINUAL_KERNELS = ['ntk-relu', 'arccos0', 'arccos1', 'rbf', 'custom'] as const;
export const CONTINUAL_SWEEP_AXES = ['ratio', 'similarity', 'replay', 'anchor-weight', 'step'] as const;

export const CONTINUAL_PARAMETERISATIONS = ['ntk', 'mean-field'] as const;
export const CONTINUAL_NETWORK_DATA = ['teacher', 'mnist'] as const;

/** The kernel model: inputs, kernel, teachers, noise, and how it is measured. */
export const CL_MODEL_FIELDS = {
  kernel: {
    kind: 'choice',
    label: 'Kernel',
    flag: 'kernel',
    choices: CONTINUAL_KERNELS,
    choiceLabels: {
      'ntk-relu': 'NTK, 2-layer ReLU',
      arccos0: 'arc-cosine, degree 0',
      arccos1: 'arc-cosine, degree 1',
      rbf: 'Gaussian exp(t − 1)',
      custom: 'k(t) typed below',
    },
    default: 'ntk-relu',
    doc: 'k(x·z) on the unit sphere; also the teachers’ kernel',
  },
  kernelExpr: {
    kind: 'text',
    label: 'k(t) =',
    flag: 'kernel-expr',
    metavar: 'EXPR',
    maxLength: 400,
    default: '(sqrt(1 - t^2) + 2*t*(pi - acos(t)))/(2*pi)',
    doc: 'the custom kernel of t = x·z: numbers, t, + − * / ^ ( ), pi, e, sqrt exp log acos asin abs cos sin tanh; it must be positive definite on the sphere',
  },
  dim: {
    kind: 'int',
    label: 'Dimension d',
    flag: 'dim',
    metavar: 'd',
    min: 3,
    max: 100,
    default: 10,
    doc: 'inputs uniform on S^(d−1)',
  },
  targetTerms: {
    kind: 'int',
    label: 'Teacher terms K',
    flag: 'target-terms',
    metavar: 'K',
    min: 1,
    max: 1000,
    default: 20,
    doc: 'f*(x) = Σ_(j≤K) a_j k(x·z_j), a_j ~ N(0, 1/K), z_j uniform',
  },
  noise: {
    kind: 'number',
    label: 'Noise σ',
    flag: 'noise',
    metavar: 'σ',
    min: 0,
    max: 10,
    // The teachers' power is E f*² ≈ 0.066 for every K: σ = 0.1 (σ² = 0.01) drowns the transfer (equal sizes already
    // forget, no ρ gives forward transfer); at σ = 0.005 all four effects of the paper show at once (CONTINUAL_DEFAULTS_WHY).
    default: 0.005,
    step: 0.005,
    doc: 'label noise',
  },
  ridge: {
    kind: 'number',
    label: 'Ridge λ',
    flag: 'ridge',
    metavar: 'λ',
    min: 0,
    max: 1000,
    default: 0,
    step: 0.001,
    doc: '(Θ(X) + λI)⁻¹; 0: ridgeless, as in the paper',
  },
  draws: {
    kind: 'int',
    label: 'Draws',
    flag: 'draws',
    metavar: 'D',
    min: 1,
    max: 500,
    default: 30,
    doc: 'Monte-Carlo draws (mean ± sd)',
  },
  testPoints: {
    kind: 'int',
    label: 'Test points',
    flag: 'test-points',
    metavar: 'T',
    min: 10,
    max: 10000,
    default: 1000,
    doc: 'held-out points the errors are measured on',
  },
  seed: seedField('seed of the teachers, the samples and the noise'),
} as const satisfies ParamSpec;

/**
 * Why the model's defaults are what they are, as the view says it: the theory at the defaults (d = 10, N₁ = 200; `kairo
 * continual sweep --ratios 0.05,1` and `--axis similarity`), test/unit/continual-lab.test.ts checks each number.
 */
export const CONTINUAL_DEFAULTS_WHY =
  'Defaults: σ = 0.005 against a teacher power E f*² ≈ 0.066, so that every effect of the paper shows at once (theory, d = 10, N₁ = 200): relearning the same target from N₂ = 0.05·N₁ raises its error 1.33× (self-knowledge forgetting), from N₂ = N₁ lowers it to 0.37× (transfer); forward transfer turns positive at ρ = 0.49, backward only at ρ = 0.9998. At σ = 0.1 equal sizes already forget (1.09×) and no ρ gives forward transfer.';

/** A chain of tasks, each learned on fresh samples. */
export const CL_CHAIN_FIELDS = {
  sizes: {
    kind: 'ints',
    label: 'Samples per stage',
    flag: 'sizes',
    metavar: 'N',
    min: 0,
    max: 2000,
    minItems: 1,
    maxItems: 8,
    default: [200, 200],
    doc: 'N₁, N₂, …: one stage per entry',
  },
  similarity: similarityField('f*_t = ρ f*_(t−1) + √(1−ρ²) g_t; 1: every task has the same target'),
} as const satisfies ParamSpec;

/** Two tasks, one setting varied: N₂/N₁ (self-knowledge transfer and forgetting) or ρ (forward and backward transfer). */
export const CL_SWEEP_FIELDS = {
  axis: {
    kind: 'choice',
    label: 'Vary',
    flag: 'axis',
    choices: CONTINUAL_SWEEP_AXES,
    choiceLabels: {
      ratio: 'N₂/N₁',
      similarity: 'similarity ρ',
      replay: 'replayed samples R',
      'anchor-weight': 'anchor weight λ_a',
      step: 'step c',
    },
    default: 'ratio',
    doc: 'the sample ratio at a fixed ρ, the similarity at fixed N₁, N₂, or a correction’s setting at fixed N₁, N₂, ρ',
  },
  n1: { kind: 'int', label: 'N₁', flag: 'n1', metavar: 'N1', min: 1, max: 2000, default: 200, doc: 'samples of stage 1' },
  n2: {
    kind: 'int',
    label: 'N₂',
    flag: 'n2',
    metavar: 'N2',
    min: 0,
    max: 2000,
    default: 200,
    doc: 'samples of stage 2 (similarity sweep)',
  },
  ratios: {
    kind: 'numbers',
    label: 'N₂/N₁ values',
    flag: 'ratios',
    metavar: 'r',
    min: 0,
    max: 10,
    minItems: 1,
    maxItems: 16,
    default: [0.05, 0.1, 0.2, 0.5, 1, 2],
    doc: 'ratios of the ratio sweep (N₂ = round(r·N₁) ≤ 2,000)',
  },
  similarity: { ...CL_CHAIN_FIELDS.similarity, doc: 'ρ of the ratio sweep (1: the same target, the self-knowledge experiment)' },
  rhos: {
    kind: 'numbers',
    label: 'ρ values',
    flag: 'rhos',
    metavar: 'ρ',
    min: 0,
    max: 1,
    minItems: 1,
    maxItems: 21,
    default: [0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1],
    doc: 'similarities of the similarity sweep',
  },
  replays: {
    kind: 'ints',
    label: 'R values',
    flag: 'replays',
    metavar: 'R',
    min: 0,
    max: 2000,
    minItems: 1,
    maxItems: 16,
    default: [0, 5, 10, 20, 50, 100, 200],
    doc: 'replayed samples per earlier stage, for the replay sweep',
  },
  anchorWeights: {
    kind: 'numbers',
    label: 'λ_a values',
    flag: 'anchor-weights',
    metavar: 'λa',
    min: 0,
    max: 1e6,
    minItems: 1,
    maxItems: 16,
    default: [0, 0.01, 0.1, 1, 10, 100],
    doc: 'anchor weights, for the anchor sweep (set a ridge λ > 0 to see a trade-off)',
  },
  steps: {
    kind: 'numbers',
    label: 'c values',
    flag: 'steps',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 1,
    minItems: 1,
    maxItems: 16,
    default: [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1],
    doc: 'balanced steps, for the step sweep',
  },
} as const satisfies ParamSpec;

/** The network version: a wide MLP in the NTK parameterisation (or mean-field, as a contrast) trained by GD per stage. */
export const CL_NETWORK_FIELDS = {
  data: {
    kind: 'choice',
    label: 'Tasks',
    flag: 'data',
    choices: CONTINUAL_NETWORK_DATA,
    choiceLabels: { teacher: 'kernel teachers on the sphere', mnist: 'MNIST: random digit dichotomies' },
    default: 'teacher',
    doc: 'the kernel model’s teachers, or MNIST images (|x|² = 784) with targets ±1 by a random split of the ten digits, chained by ρ',
  },
  parameterisation: {
    kind: 'choice',
    label: 'Parameterisation',
    flag: 'parameterisation',
    choices: CONTINUAL_PARAMETERISATIONS,
    choiceLabels: { ntk: 'NTK (lazy)', 'mean-field': 'mean-field (features move)' },
    default: 'ntk',
    doc: 'NTK: f = (σ_w/√M) ω h; mean-field: the readout ÷ √M more, learning rate × M',
  },
  width: widthField({ min: 2, max: 4096, default: 512 }),
  depth: { kind: 'int', label: 'Depth L', flag: 'depth', metavar: 'L', min: 2, max: 4, default: 2, doc: 'layers with weights' },
  steps: {
    kind: 'int',
    label: 'GD steps per stage',
    flag: 'steps',
    metavar: 'K',
    min: 1,
    max: 100000,
    default: 2000,
    doc: 'full-batch gradient descent on the stage’s samples',
  },
  lrFactor: {
    kind: 'number',
    label: 'η ÷ (2N/λ_max)',
    flag: 'lr-factor',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 1,
    default: 0.9,
    step: 0.05,
    doc: 'η = c·2N/λ_max(Θ) per stage, below the linear-stability bound',
  },
} as const satisfies ParamSpec;

export type ClModelParams = ValuesOf<typeof CL_MODEL_FIELDS>;
export type ClChainParams = ClModelParams & ValuesOf<typeof CL_CHAIN_FIELDS> & ClCorrectionParams;
export type ClSweepParams = ClModelParams & ValuesOf<typeof CL_SWEEP_FIELDS> & ClCorrectionParams;
export type ClNetworkParams = ClChainParams & ValuesOf<typeof CL_NETWORK_FIELDS>;

export interface ClChainResult {
  params: ClChainParams;
  /** errors[t][m]: task t+1's error E_x(f − f*_t)² after stage m+1; null where no formula covers the correction. */
  theory: number[][] | null;
  /** Why there is no theory (null when there is). */
  theoryNote: string | null;
  /** What the correction keeps after the last stage: labelled samples (replay), inputs (anchor). */
  memory: { samples: number; inputs: number };
  mean: number[][];
  sd: number[][];
  draws: number;
  /** κ of each stage (the replica theory's effective ridge). */
  kappa: number[];
  /** The kernel's first Mercer eigenvalues η_l with their multiplicities, and the trace beyond. */
  spectrum: { eta: number[]; mult: number[]; tail: number };
  partial: boolean;
}

export interface ClSweepPoint {
  /** N₂/N₁ or ρ. */
  value: number;
  n2: number;
  rho: number;
  mean: ClTwoTask;
  sd: ClTwoTask;
  /** Null where no formula covers the correction (see the result's theoryNote). */
  theory: ClTwoTask | null;
}

export interface ClSweepResult {
  params: ClSweepParams;
  points: ClSweepPoint[];
  /** Why some points have no theory (null when every point has one). */
  theoryNote: string | null;
  draws: number;
  /**
   * Similarity sweep: the ρ above which the theory predicts positive forward transfer (E₂₂ < E₂ alone) and
   * positive backward transfer (E₁₂ < E₁₁); null where the sign does not change on [0, 1].
   */
  critical: { forward: number | null; backward: number | null } | null;
  partial: boolean;
}

export interface ClNetworkResult {
  params: ClNetworkParams;
  /** errors[t][m] of the trained network, and of the linearised model with its empirical NTK at initialisation. */
  measured: number[][];
  predicted: number[][] | null;
  /** Why there is no linearised prediction (null when there is one). */
  predictedNote: string | null;
  /** ‖Θ_end − Θ_0‖_F/‖Θ_0‖_F on the training points: how far from lazy the training went. */
  kernelChange: number;
  /** Final train loss of each stage. */
  stageLoss: number[];
  partial: boolean;
}

export interface ContinualLabState {
  model: ClModelParams;
  chainDraft: ValuesOf<typeof CL_CHAIN_FIELDS>;
  /** The correction of the chain and of the ratio and similarity sweeps. */
  correctionDraft: ClCorrectionParams;
  chain: ClChainResult | null;
  sweepDraft: ValuesOf<typeof CL_SWEEP_FIELDS>;
  sweep: ClSweepResult | null;
  networkDraft: ValuesOf<typeof CL_NETWORK_FIELDS>;
  network: ClNetworkResult | null;
  compareDraft: ValuesOf<typeof CL_COMPARE_FIELDS>;
  compare: ClCompareResult | null;
}

export interface ContinualJobs {
  'continual.chain': { params: ClChainParams; result: ClChainResult };
  'continual.sweep': { params: ClSweepParams; result: ClSweepResult };
  'continual.network': { params: ClNetworkParams; result: ClNetworkResult };
  'continual.compare': { params: ClCompareParams; result: ClCompareResult };
}

export interface ContinualMethods {}

export interface ContinualContract {
  state: ContinualLabState;
  jobs: ContinualJobs;
  methods: ContinualMethods;
}

/**
 * The continual-learning lab's quick look: self-knowledge forgetting and its correction side by side, as a sweep of the
 * balanced step c at N₂/N₁ = 0.05 (c = 1 is no correction).
 */
export const CL_QUICK_LOOK: QuickLook<{ model: ClModelParams; sweep: ValuesOf<typeof CL_SWEEP_FIELDS> }> = {
  seconds: 3,
  shows:
    'self-knowledge forgetting and a correction: after 200 noisy samples, learning the same task again from 10 doubles its error (0.0040 → 0.0080); moving only c = 0.05 ≈ N₂/(N₁ + N₂) of the way keeps it at 0.0040 (balanced step; NTK of a 2-layer ReLU net, σ = 0.1, 30 draws)',
  params: {
    // A noisy case, where forgetting is strongest (the defaults' σ is 0.005).
    model: { ...defaultsOf(CL_MODEL_FIELDS), noise: 0.1 },
    sweep: { ...defaultsOf(CL_SWEEP_FIELDS), axis: 'step', n1: 200, n2: 10, steps: [1, 0.5, 0.2, 0.1, 0.05] },
  },
};
