// The contract of the natural-gradient lab: exact NGD and its approximations in the NTK regime
// (Karakida & Osawa, NeurIPS 2020) and the unit-wise Fisher (Amari, Karakida & Oizumi, AISTATS 2019).
// Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports nothing but
// other contract files.
import type { DatasetSource } from '../data/contract.ts';
import { ACTIVATIONS } from '../fisher/contract.ts';
import {
  type QuickLook,
  defaultsOf,
  seedField,
  type ParamSpec,
  type ValuesOf,
  widthField,
  lrField,
  sigmaW2Field,
  sigmaB2Field,
} from '../../contract/params.ts';

/** The update rules, in the order the views list them. Listed once: schemas, CLI and views read it. */
export const NGD_METHODS = ['gd', 'exact', 'block-diagonal', 'block-tridiagonal', 'kfac', 'unit-wise'] as const;
export type NgdMethodName = (typeof NGD_METHODS)[number];
export const NGD_METHOD_LABELS: { readonly [M in NgdMethodName]: string } = {
  gd: 'gradient descent',
  exact: 'exact NGD',
  'block-diagonal': 'block-diagonal',
  'block-tridiagonal': 'block-tri-diagonal',
  kfac: 'K-FAC',
  'unit-wise': 'unit-wise',
};
export const NGD_DATA = ['gaussian', 'mnist01', 'dataset'] as const;
export const NGD_PREPROCESS = ['unit', 'standardise'] as const;
export const NGD_ATS = ['best', 'common', 'both'] as const;

/** Which methods a comparison (or a sweep) trains, and at which learning rates: the form's and the CLI's one description. */
export const NGD_COMPARE_FIELDS = {
  methods: {
    kind: 'set',
    label: 'Methods',
    flag: 'methods',
    choices: NGD_METHODS,
    choiceLabels: NGD_METHOD_LABELS,
    minItems: 1,
    default: NGD_METHODS,
    doc: 'the update rules compared, from the same initial network on the same data',
  },
  at: {
    kind: 'choice',
    label: 'Learning rates',
    flag: 'at',
    choices: NGD_ATS,
    choiceLabels: { best: 'each method’s best η', common: 'the common η', both: 'both' },
    default: 'best',
    doc: 'each method at its best η = 1/α (gradient descent: 2/(λ_max + λ_min)), all at the common --lr, or both',
  },
} as const satisfies ParamSpec;
export const NGD_SWEEP_AXES = ['damping', 'width'] as const;
/** Unit-wise Fisher of one unit: activations with a closed form or quadrature (not linear: its Fisher is the input covariance). */
export const UNIT_ACTIVATIONS = ['relu', 'tanh', 'erf'] as const;

/** The network and its task. */
export const NGD_NETWORK_FIELDS = {
  activation: { kind: 'choice', label: 'Activation', flag: 'activation', choices: ACTIVATIONS, default: 'relu', doc: 'φ' },
  depth: { kind: 'int', label: 'Depth L', flag: 'depth', metavar: 'L', min: 2, max: 5, default: 3, doc: 'layers with weights' },
  width: widthField({ min: 2, max: 4096, default: 256, doc: 'hidden width (the NTK regime is M → ∞; the paper used 4,096)' }),
  inputDim: {
    kind: 'int',
    label: 'Inputs M₀',
    flag: 'input-dim',
    metavar: 'M0',
    min: 1,
    max: 4096,
    default: 64,
    doc: 'input dimension of Gaussian inputs (images fix their own: 784 for MNIST)',
  },
  samples: {
    kind: 'int',
    label: 'Train N',
    flag: 'samples',
    metavar: 'N',
    min: 2,
    max: 500,
    default: 48,
    doc: 'training samples (N·C ≤ 1,000: the dual systems are N·C × N·C)',
  },
  testSamples: {
    kind: 'int',
    label: 'Test N′',
    flag: 'test-samples',
    metavar: 'N2',
    min: 1,
    max: 2000,
    default: 48,
    doc: 'test samples',
  },
  outputs: {
    kind: 'int',
    label: 'Outputs C',
    flag: 'outputs',
    metavar: 'C',
    min: 1,
    max: 10,
    default: 1,
    doc: 'network outputs',
  },
  sigmaW2: sigmaW2Field({
    default: 2,
    doc: 'weight variance of the NTK parameterisation (2 with ReLU keeps the signal’s scale)',
  }),
  sigmaB2: sigmaB2Field({ default: 0, doc: 'bias variance (the paper’s networks have none)' }),
  data: {
    kind: 'choice',
    label: 'Data',
    flag: 'data',
    choices: NGD_DATA,
    choiceLabels: { gaussian: 'Gaussian, |x| = 1', mnist01: 'MNIST 0 vs 1', dataset: 'loaded dataset, 2 classes' },
    default: 'gaussian',
    doc: 'inputs normalised to |x| = 1; targets ±0.5 (random for Gaussian inputs, by class for images)',
  },
  preprocess: {
    kind: 'choice',
    label: 'Input preparation',
    flag: 'preprocess',
    choices: NGD_PREPROCESS,
    choiceLabels: { unit: '|x| = 1', standardise: 'standardise, then |x| = 1 (the authors’)' },
    default: 'unit',
    doc: 'unit: each input scaled to |x| = 1; standardise: first subtract the set’s global mean and divide by its standard deviation (train and test sets each by their own, as the authors’ code does)',
  },
  forster: {
    kind: 'switch',
    label: 'Forster transform',
    flag: 'forster',
    default: false,
    doc: 'make the training inputs isotropic (XᵀX = (N/M₀)I, unit rows): K-FAC’s condition when N > M₀',
  },
  seed: seedField('seed of the weights and the data'),
} as const satisfies ParamSpec;

/** How each method is trained. */
export const NGD_TRAIN_FIELDS = {
  damping: {
    kind: 'number',
    label: 'Damping ρ',
    flag: 'damping',
    metavar: 'ρ',
    min: 0,
    max: 1e6,
    default: 0,
    step: 1e-4,
    doc: 'Δθ = −η(G̃ + ρI)⁻¹Jᵀ(f − y), G̃ the method’s approximation of JᵀJ; 0: pseudo-inverse',
  },
  steps: { kind: 'int', label: 'Steps', flag: 'steps', metavar: 'K', min: 0, max: 1000, default: 8, doc: 'full-batch steps' },
  lr: lrField({
    label: 'Common η',
    max: 1e4,
    default: 0.02,
    step: 0.01,
    doc: 'the learning rate every method also runs at, beside its own best η = 1/α',
  }),
} as const satisfies ParamSpec;

export const NGD_SWEEP_FIELDS = {
  axis: {
    kind: 'choice',
    label: 'Vary',
    flag: 'axis',
    choices: NGD_SWEEP_AXES,
    default: 'width',
    doc: 'damping ρ, or the hidden width M',
  },
  values: {
    kind: 'numbers',
    label: 'Values',
    flag: 'values',
    metavar: 'x',
    min: 0,
    max: 1e6,
    minItems: 1,
    maxItems: 12,
    default: [32, 64, 128, 256, 512],
    doc: 'ρ values, or widths (integers 2 … 4,096)',
  },
  etaFactor: {
    kind: 'number',
    label: 'η ÷ best η',
    flag: 'eta-factor',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 2,
    default: 0.5,
    step: 0.05,
    doc: 'each method runs at η = c/α (gradient descent at c·2/(λ_max + λ_min) of Θ/N)',
  },
} as const satisfies ParamSpec;

export const UNIT_FISHER_FIELDS = {
  activation: {
    kind: 'choice',
    label: 'Activation',
    flag: 'activation',
    choices: UNIT_ACTIVATIONS,
    default: 'relu',
    doc: 'φ of the unit u = w·x + b',
  },
  inputs: { kind: 'int', label: 'Inputs n', flag: 'inputs', metavar: 'n', min: 2, max: 64, default: 8, doc: 'x ~ N(0, I_n)' },
  biasRatio: {
    kind: 'number',
    label: 'β = b/|w|',
    flag: 'bias-ratio',
    metavar: 'β',
    min: -10,
    max: 10,
    default: 0.5,
    step: 0.1,
    doc: 'the bias relative to the weights’ norm',
  },
  weightNorm: {
    kind: 'number',
    label: '|w|',
    flag: 'weight-norm',
    metavar: 'W',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 1,
    step: 0.1,
    doc: 'the weights’ norm (ReLU’s Fisher does not depend on it)',
  },
  samples: {
    kind: 'int',
    label: 'Monte-Carlo S',
    flag: 'samples',
    metavar: 'S',
    min: 100,
    max: 1_000_000,
    default: 100_000,
    doc: 'inputs averaged for the Monte-Carlo estimate',
  },
  seed: seedField('seed of the weight direction and the inputs'),
} as const satisfies ParamSpec;

export type NgdNetworkParams = ValuesOf<typeof NGD_NETWORK_FIELDS> & { source: DatasetSource };
export type NgdTrainParams = ValuesOf<typeof NGD_TRAIN_FIELDS>;
export type NgdCompareParams = NgdTrainParams & {
  network: NgdNetworkParams;
  methods: NgdMethodName[];
  /** Which learning rates each method runs at. */
  at: (typeof NGD_ATS)[number];
};
export type NgdSweepParams = ValuesOf<typeof NGD_SWEEP_FIELDS> &
  Omit<NgdTrainParams, 'lr'> & { network: NgdNetworkParams; methods: NgdMethodName[] };
export type UnitFisherParams = ValuesOf<typeof UNIT_FISHER_FIELDS>;

export interface NgdTheory {
  /** f_{t+1} − y = (1 − αη)(f_t − y); null for gradient descent and where the formula gives none. */
  alpha: number | null;
  /** Where α's assumptions fail or hold only on average. */
  note: string | null;
  losses: number[];
  /** Test loss predicted with the network's own (finite-width, empirical) NTK. */
  testLosses: number[];
  /** Test loss predicted with the infinite-width (analytic) NTK, as the authors' code predicts; null with the reason in analyticNote. */
  testLossesAnalytic: number[] | null;
  analyticNote: string | null;
}

export interface NgdRunResult {
  method: NgdMethodName;
  /** 'best': η = 1/α (gradient descent: 2/(λ_max + λ_min) of Θ/N); 'common': the shared η. */
  at: 'best' | 'common';
  eta: number;
  /** ½·mean|f − y|² before each step and after the last (10³⁰⁰ where a diverged run overflowed). */
  losses: number[];
  testLosses: number[];
  theory: NgdTheory;
  /** Eigenvalues (ascending) of the preconditioned kernel J(G̃ + ρI)⁻¹Jᵀ at initialisation. */
  spectrum: number[] | null;
  spectrumNote: string | null;
  /** Per step taken: η‖Δθ‖ ÷ ‖θ₀‖, the linearisation error ‖Δf − JΔθ‖ ÷ ‖JΔθ‖ on the training outputs, the fraction of hidden pre-activations changing sign. */
  stepSizes: number[];
  linearErrors: number[];
  signChanges: number[];
  diverged: boolean;
  /** The method could not run in this setting (a singular system without damping), in one line; its curves are empty. */
  error: string | null;
  stepsDone: number;
  secondsPerStep: number;
}

export interface NgdCompareResult {
  params: NgdCompareParams;
  /** Parameters P, input dimension used, λ_max and λ_min of Θ/N = JJᵀ/N at initialisation. */
  parameters: number;
  inputDim: number;
  lambdaMax: number;
  lambdaMin: number;
  /** Forster transform: iterations and the final ‖XᵀX − (N/M₀)I‖_F/(N/M₀); null when off. */
  forster: { iterations: number; residual: number } | null;
  runs: NgdRunResult[];
  /** Cancelled before every run finished. */
  partial: boolean;
  /** When it finished (ISO time), to tell kept runs apart. */
  finishedAt: string;
}

export interface NgdSweepPoint {
  value: number;
  method: NgdMethodName;
  eta: number;
  alpha: number | null;
  losses: number[];
  theoryLosses: number[];
  /** max_t |loss_t − theory_t| / loss₀ over the run: how far the measured curve is from the prediction. */
  gap: number;
  diverged: boolean;
}

export interface NgdSweepResult {
  params: NgdSweepParams;
  points: NgdSweepPoint[];
  partial: boolean;
}

export interface UnitFisherResult {
  params: UnitFisherParams;
  moments: { a11: number; az1: number; azz: number };
  /** Eigenvalues, ascending: closed form and of the Monte-Carlo matrix. */
  closedForm: number[];
  monteCarlo: number[];
  /** (n+1) × (n+1), row-major, bias last: closed-form G, Monte-Carlo G, and the explicit G⁻¹. */
  matrix: number[];
  matrixMc: number[];
  inverse: number[];
  /** max |G·G⁻¹ − I| of the explicit inverse. */
  inverseError: number;
}

export interface NgdLabState {
  draft: NgdCompareParams;
  compare: NgdCompareResult | null;
  /** Earlier comparisons, newest first (at most NGD_KEPT_RUNS), to revisit and compare. */
  history: NgdCompareResult[];
  sweepDraft: Omit<NgdSweepParams, 'network' | 'methods' | 'damping' | 'steps'>;
  sweep: NgdSweepResult | null;
  unitDraft: UnitFisherParams;
  unit: UnitFisherResult | null;
}

export const NGD_KEPT_RUNS = 12;

/** Natural-gradient jobs: parameters and result of each kind. */
export interface NgdJobs {
  'ngd.compare': { params: NgdCompareParams; result: NgdCompareResult };
  'ngd.sweep': { params: NgdSweepParams; result: NgdSweepResult };
  'ngd.unitFisher': { params: UnitFisherParams; result: UnitFisherResult };
}

/** Natural-gradient methods answered in the core's process: the theory's α for a setting, instantly. */
export interface NgdMethods {
  'ngd.alpha': {
    params: { network: NgdNetworkParams; method: NgdMethodName };
    result: { alpha: number | null; note: string | null };
  };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface NgdContract {
  state: NgdLabState;
  jobs: NgdJobs;
  methods: NgdMethods;
}

/** The natural-gradient lab's quick look: every method at its best learning rate on the default network. */
export const NGD_QUICK_LOOK: QuickLook<Omit<NgdCompareParams, 'network'> & { network: Omit<NgdNetworkParams, 'source'> }> = {
  seconds: 1.4,
  shows:
    'at their best learning rates, exact, block-diagonal, block-tri-diagonal and K-FAC NGD drive the training loss from 0.15 to below 10⁻³¹ in 8 steps, where gradient descent reaches 0.034; ReLU unit-wise NGD does not follow its prediction at this width (its loss rose)',
  params: { ...defaultsOf(NGD_TRAIN_FIELDS), network: defaultsOf(NGD_NETWORK_FIELDS), methods: [...NGD_METHODS], at: 'best' },
};
