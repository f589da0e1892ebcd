// The contract of the Fisher/NTK lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { DatasetSource } from '../data/contract.ts';
import { type QuickLook, defaultsOf, seedField, type ParamSpec, type ValuesOf } from '../../contract/params.ts';

export const ACTIVATIONS = ['relu', 'tanh', 'erf', 'linear'] as const;
export type FisherActivation = (typeof ACTIVATIONS)[number];
export const FISHER_NORMS = ['none', 'bn-last', 'bn-hidden', 'ln'] as const;
export type FisherNormKind = (typeof FISHER_NORMS)[number];
export const FISHER_LOSSES = ['mse', 'ce'] as const;
export const WEIGHT_KINDS = ['gaussian', 'orthogonal'] as const;

/** The random network every Fisher job and the theory read (plus the dataset its image inputs come from). */
export const FISHER_NETWORK_FIELDS = {
  activation: {
    kind: 'choice',
    label: 'Activation',
    flag: 'activation',
    choices: ACTIVATIONS,
    default: 'relu',
    doc: 'φ in every hidden layer',
  },
  depth: {
    kind: 'int',
    label: 'Depth L (weight layers)',
    flag: 'depth',
    metavar: 'L',
    min: 2,
    max: 64,
    default: 3,
    doc: 'weight layers including the readout: depth 3 = two hidden layers',
  },
  // Theory works at any width; jobs that build the network check their own limits.
  width: {
    kind: 'int',
    label: 'Width M',
    flag: 'width',
    metavar: 'M',
    min: 1,
    max: 1e9,
    default: 256,
    doc: 'hidden width (every hidden layer)',
  },
  inputDim: {
    kind: 'int',
    label: 'Input dim M₀',
    flag: 'input-dim',
    metavar: 'M0',
    min: 1,
    max: 1e9,
    default: 256,
    doc: 'M₀ for Gaussian inputs (images fix it to their pixel count)',
  },
  outputs: {
    kind: 'int',
    label: 'Outputs C',
    flag: 'outputs',
    metavar: 'C',
    min: 1,
    max: 1000,
    default: 2,
    doc: 'outputs C of the linear readout',
  },
  samples: {
    kind: 'int',
    label: 'Samples T',
    flag: 'samples',
    metavar: 'T',
    min: 1,
    max: 1e9,
    default: 100,
    doc: 'inputs T the Fisher information averages over',
  },
  sigmaW2: {
    kind: 'number',
    label: 'σ_w²',
    flag: 'sigma-w2',
    metavar: 'S',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 2,
    step: 0.1,
    doc: 'weight variance × fan-in: W_ij ~ N(0, σ_w²/M_(l−1))',
  },
  sigmaB2: {
    kind: 'number',
    label: 'σ_b²',
    flag: 'sigma-b2',
    metavar: 'S',
    min: 0,
    max: 100,
    default: 0.05,
    step: 0.05,
    doc: 'bias variance: b_i ~ N(0, σ_b²)',
  },
  weights: {
    kind: 'choice',
    label: 'Weights',
    flag: 'weights',
    choices: WEIGHT_KINDS,
    choiceLabels: { gaussian: 'Gaussian' },
    default: 'gaussian',
    doc: 'i.i.d. Gaussian or scaled Haar-orthogonal weight matrices',
  },
  norm: {
    kind: 'choice',
    label: 'Normalisation',
    flag: 'norm',
    choices: FISHER_NORMS,
    choiceLabels: {
      'bn-last': 'batch-mean centring of the last layer',
      'bn-hidden': 'batch norm in hidden layers',
      ln: 'layer norm in hidden layers',
    },
    default: 'none',
    doc: 'normalisation of the hidden layers or of the last layer',
  },
  loss: {
    kind: 'choice',
    label: 'Loss',
    flag: 'loss',
    choices: FISHER_LOSSES,
    choiceLabels: { mse: 'MSE (Gaussian output)', ce: 'softmax cross-entropy' },
    default: 'mse',
    doc: 'the output distribution whose Fisher information is taken',
  },
  inputs: {
    kind: 'choice',
    label: 'Inputs',
    flag: 'inputs',
    choices: ['gaussian', 'images'],
    choiceLabels: { gaussian: 'N(0, I)', images: 'images' },
    default: 'gaussian',
    doc: "N(0, I) vectors, or images (pixels/255) of the Datasets lab's dataset",
  },
  seed: seedField('seed of the weights and inputs'),
} as const satisfies ParamSpec;

export type FisherNetworkParams = ValuesOf<typeof FISHER_NETWORK_FIELDS> & { source: DatasetSource };

export interface FisherTheoryValues {
  kappa1: number;
  kappa2: number;
  mLambda: number;
  sLambda: number;
  lambdaMax: number;
  bulk: number;
  /** An approximation beyond the mean-field theorem, when one is used. */
  note: string | null;
  /**
   * Order parameters per layer l = 0..L−1: q₁, q₂ (pre-activation variance and cross-input
   * covariance; null for the inputs), q̂₁, q̂₂ (of h^l), q̃₁, q̃₂ (back-propagated, summed over units; null for the inputs).
   */
  layers: { q1: number | null; q2: number | null; qh1: number; qh2: number; qt1: number | null; qt2: number | null }[];
}

export interface FisherStats {
  P: number;
  mLambda: number;
  /** null from the Lanczos path, which never forms the dual. */
  sLambda: number | null;
  lambdaMax: number;
}

export interface FisherSpectrumResult {
  network: FisherNetworkParams;
  stats: FisherStats;
  /** null where the theory makes no prediction (batch norm in hidden layers). */
  theory: FisherTheoryValues | null;
  /** 'dense': every eigenvalue of the TC × TC dual; 'lanczos': the top ones only. */
  method: 'dense' | 'lanczos';
  seconds: number;
  /** Session tensors: the eigenvalues (ascending) and the dual as a heat map (at most 256 × 256, block-averaged). */
  tensors: { eigenvalues: string; gram: string };
  /** λ_max and m_λ of the same weights and inputs under every normalisation, when asked. */
  comparison: { norm: FisherNormKind; lambdaMax: number; mLambda: number; theoryLambdaMax: number | null }[] | null;
}

/** What the sweep varies, on the network above. */
export const FISHER_SWEEP_FIELDS = {
  axis: {
    kind: 'choice',
    label: 'Vary',
    flag: 'axis',
    choices: ['width', 'depth', 'samples', 'outputs'],
    choiceLabels: { width: 'width M', depth: 'depth L', samples: 'samples T', outputs: 'outputs C' },
    default: 'width',
    doc: 'the network setting the sweep varies',
  },
  values: {
    kind: 'ints',
    label: 'Values',
    flag: 'values',
    metavar: 'v',
    min: 1,
    max: 8192,
    minItems: 1,
    maxItems: 16,
    default: [32, 64, 128, 256, 512],
    doc: 'its values',
  },
  seeds: {
    kind: 'int',
    label: 'Seeds',
    flag: 'seeds',
    metavar: 'K',
    min: 1,
    max: 20,
    default: 3,
    doc: 'networks per value (mean ± sd)',
  },
} as const satisfies ParamSpec;

export type FisherSweepParams = ValuesOf<typeof FISHER_SWEEP_FIELDS> & { network: FisherNetworkParams };
export type FisherSweepAxis = FisherSweepParams['axis'];

export interface FisherSweepPoint {
  value: number;
  /** Mean and standard deviation over seeds. */
  mean: FisherStats;
  sd: { mLambda: number; sLambda: number; lambdaMax: number };
  theory: FisherTheoryValues | null;
}

export interface FisherSweepResult {
  params: FisherSweepParams;
  points: FisherSweepPoint[];
  partial: boolean;
}

/** The learning-rate experiment on the network above. */
export const FISHER_LR_FIELDS = {
  factors: {
    kind: 'numbers',
    label: 'Factors c',
    flag: 'factors',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 100,
    minItems: 1,
    maxItems: 10,
    default: [0.5, 0.9, 1.1, 2],
    doc: 'learning rates as multiples of 2/λ_max',
  },
  steps: {
    kind: 'int',
    label: 'Steps',
    flag: 'steps',
    metavar: 'N',
    min: 1,
    max: 10000,
    default: 50,
    doc: 'full-batch gradient-descent steps',
  },
} as const satisfies ParamSpec;

export type FisherLrParams = ValuesOf<typeof FISHER_LR_FIELDS> & { network: FisherNetworkParams };

export interface FisherLrResult {
  params: FisherLrParams;
  lambdaMax: number;
  /** Training loss E = (1/2T) Σ|y − f|² (random targets y ~ N(0, 1)) before each step, per factor. */
  curves: { factor: number; eta: number; losses: number[]; diverged: boolean }[];
  partial: boolean;
}

/** The conditional Fisher information of one input through square networks of several depths. */
export const FISHER_ISOMETRY_FIELDS = {
  activation: { ...FISHER_NETWORK_FIELDS.activation, default: 'linear' },
  width: {
    kind: 'int',
    label: 'Width M',
    flag: 'width',
    metavar: 'M',
    min: 2,
    max: 1024,
    default: 128,
    doc: 'width of every layer',
  },
  depths: {
    kind: 'ints',
    label: 'Depths',
    flag: 'depths',
    metavar: 'L',
    min: 1,
    max: 128,
    minItems: 1,
    maxItems: 8,
    default: [2, 4, 8, 16],
    doc: 'the depths compared',
  },
  sigmaW2: { ...FISHER_NETWORK_FIELDS.sigmaW2, default: 1 },
  sigmaB2: { ...FISHER_NETWORK_FIELDS.sigmaB2, default: 0 },
  inputQ: {
    kind: 'number',
    label: 'Input length q₀',
    flag: 'input-q',
    metavar: 'q',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 1,
    step: 0.1,
    doc: '|x|²/M of the one input (the fixed point q* matters for tanh)',
  },
  lrFactors: {
    kind: 'numbers',
    label: 'Learning rates c',
    flag: 'lr-factors',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 100,
    minItems: 1,
    maxItems: 8,
    default: [0.5, 0.9, 1.1, 2],
    doc: 'gradient descent on the one input at η = c · 2/λ_max(theory)',
  },
  lrSteps: {
    kind: 'int',
    label: 'Steps',
    flag: 'lr-steps',
    metavar: 'n',
    min: 0,
    max: 2000,
    default: 30,
    doc: 'gradient-descent steps per learning rate (0: no training)',
  },
  seed: FISHER_NETWORK_FIELDS.seed,
} as const satisfies ParamSpec;

export type FisherIsometryParams = ValuesOf<typeof FISHER_ISOMETRY_FIELDS>;

export interface FisherIsometryResult {
  params: FisherIsometryParams;
  /** Conditional FIM of one input, J Jᵀ (output width = M): eigenvalues per depth and weight kind. */
  runs: {
    depth: number;
    weights: 'gaussian' | 'orthogonal';
    eigenvalues: number[];
    /** Free probability (models/fisher/free.ts): λ_max from the limiting law, its first three moments exactly. */
    theory: { lambdaMax: number | null; moments: number[] } | null;
    /** The measured eigenvalues' histogram (fractions) and the limiting law's mass in the same bins. */
    histogram: { edges: number[]; measured: number[]; theory: number[] } | null;
    /**
     * Gradient descent on ½|f(x) − y|² (y ~ N(0, I)) at η = c · 2/λ_max(theory), from this run's initial network:
     * the loss before each step (10³⁰⁰ where it overflowed); `diverged` when the last loss is not below the first.
     * Null without a theoretical λ_max or with no steps asked.
     */
    lr: { eta: number; curves: { factor: number; losses: number[]; diverged: boolean }[] } | null;
  }[];
}

export interface FisherBlocksResult {
  network: FisherNetworkParams;
  units: number;
  /** Layer of each unit (0 = first hidden layer). */
  layerOf: number[];
  /** Session tensor: U × U block norms. */
  tensor: string;
  /** Mean off-diagonal block norm ÷ mean diagonal block norm. */
  offOnRatio: number;
}

/** Two inputs through a random network: the length and correlation maps beside sampled networks. */
export const FISHER_SIGNAL_FIELDS = {
  activation: { ...FISHER_NETWORK_FIELDS.activation, default: 'tanh' },
  sigmaW2: { ...FISHER_NETWORK_FIELDS.sigmaW2, default: 1.5 },
  sigmaB2: { ...FISHER_NETWORK_FIELDS.sigmaB2, default: 0.05 },
  depth: { kind: 'int', label: 'Depth L', flag: 'depth', metavar: 'L', min: 1, max: 200, default: 30, doc: 'layers followed' },
  q0: {
    kind: 'number',
    label: 'Input length q₀',
    flag: 'q0',
    metavar: 'q',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 1,
    step: 0.1,
    doc: '|x|²/M₀ of both inputs',
  },
  c0: {
    kind: 'number',
    label: 'Input correlation c₀',
    flag: 'c0',
    metavar: 'c',
    min: -1,
    max: 1,
    default: 0.5,
    step: 0.05,
    doc: "x·x'/(|x||x'|), the cosine of the inputs' angle",
  },
  width: {
    kind: 'int',
    label: 'Width M',
    flag: 'width',
    metavar: 'M',
    min: 2,
    max: 4000,
    default: 1000,
    doc: 'width of the sampled networks (and of the inputs)',
  },
  networks: {
    kind: 'int',
    label: 'Networks',
    flag: 'networks',
    metavar: 'n',
    min: 1,
    max: 20,
    default: 4,
    doc: 'sampled networks averaged (mean ± sd)',
  },
  seed: seedField('seed of the sampled networks and inputs'),
} as const satisfies ParamSpec;

export type FisherSignalParams = ValuesOf<typeof FISHER_SIGNAL_FIELDS>;

export interface FisherSignalResult {
  params: FisherSignalParams;
  /** Per layer: the recursion's q and c, and the sampled networks' mean and sd. */
  layers: { l: number; q: number; c: number; qTheory: number; cTheory: number; qSd: number; cSd: number }[];
  /** The maps' fixed point at these σ's; null fields where it does not exist (the length grows without bound). */
  fixedPoint: { q: number | null; c: number | null; chi1: number | null; xiQ: number | null; xiC: number | null };
  /** χ₁ at the fixed point over a (σ_w², σ_b²) grid, row-major by σ_b²; null where q* does not exist. */
  phase: { sigmaW2: number[]; sigmaB2: number[]; chi1: (number | null)[] };
}

/** The metric of input space, G_x = (1/T) Σ_t J_x(t)ᵀ Q_t J_x(t), on the network above. */
export interface FisherInputMetricResult {
  network: FisherNetworkParams;
  /** Over the M₀ eigenvalues of G_x (M₀ × M₀), measured exactly through its TC × TC dual. */
  stats: { mLambda: number; sLambda: number; lambdaMax: number };
  theory: { mLambda: number; sLambda: number; lambdaMax: number; note: string | null } | null;
  /** The dual's eigenvalues, descending, at most 2,000. */
  eigenvalues: number[];
}

export interface FisherLabState {
  network: FisherNetworkParams;
  spectrum: FisherSpectrumResult | null;
  sweepDraft: Omit<FisherSweepParams, 'network'>;
  sweep: FisherSweepResult | null;
  lrDraft: Omit<FisherLrParams, 'network'>;
  lr: FisherLrResult | null;
  isometryDraft: FisherIsometryParams;
  isometry: FisherIsometryResult | null;
  blocks: FisherBlocksResult | null;
  signalDraft: FisherSignalParams;
  signal: FisherSignalResult | null;
  inputMetric: FisherInputMetricResult | null;
}

/** Fisher jobs: parameters and result of each kind. */
export interface FisherJobs {
  'fisher.spectrum': { params: { network: FisherNetworkParams; compare: boolean }; result: FisherSpectrumResult };
  'fisher.sweep': { params: FisherSweepParams; result: FisherSweepResult };
  'fisher.lrsweep': { params: FisherLrParams; result: FisherLrResult };
  'fisher.isometry': { params: FisherIsometryParams; result: FisherIsometryResult };
  'fisher.blocks': { params: { network: FisherNetworkParams }; result: FisherBlocksResult };
  'fisher.signal': { params: FisherSignalParams; result: FisherSignalResult };
  'fisher.inputMetric': { params: { network: FisherNetworkParams }; result: FisherInputMetricResult };
}

/** Fisher methods answered in the core's process. */
export interface FisherMethods {
  /** Mean-field predictions for a network, instantly, at any width. */
  'fisher.theory': { params: { network: FisherNetworkParams }; result: FisherTheoryValues | null };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface FisherContract {
  state: FisherLabState;
  jobs: FisherJobs;
  methods: FisherMethods;
}

/** The Fisher lab's quick look: the spectrum of the default network, every normalisation compared. */
export const FISHER_QUICK_LOOK: QuickLook<Omit<FisherNetworkParams, 'source'>> = {
  seconds: 13.6,
  shows:
    'the pathological spectrum of a random ReLU net (width 256, depth 3, 100 inputs): λ_max is 1.7·10⁴ × the mean eigenvalue m_λ; λ_max 221 beside the mean-field 198',
  params: defaultsOf(FISHER_NETWORK_FIELDS),
};
