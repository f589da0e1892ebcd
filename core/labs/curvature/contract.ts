// The contract of the curvature lab: the Hessian, generalised Gauss–Newton and Fisher spectra of
// a network Kairo holds (a fresh random network of the Fisher lab, or a PyTorch nn.Sequential of
// the user's own) by Lanczos, Hutchinson and stochastic Lanczos quadrature on exact products, and
// the sharpness λ_max of the Hessian during full-batch gradient descent beside 2/η.
// Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports nothing but
// other contract files.
import type { DatasetSource } from '../data/contract.ts';
import type { FisherNetworkParams } from '../fisher/contract.ts';
import { lrField, seedField, type ParamSpec, type QuickLook, type ValuesOf } from '../../contract/params.ts';

/** Where the network comes from. */
export const CURVATURE_MODELS = ['fresh', 'import', 'session'] as const;
export const CURVATURE_MODEL_LABELS = {
  fresh: "a fresh random network (the Fisher lab's)",
  import: 'a PyTorch nn.Sequential (safetensors + layer JSON)',
  session: 'a model trained in this session',
} as const;
/** The labs whose trained model the curvature lab reads from the session. */
export const CURVATURE_SESSION_MODELS = ['vae', 'data', 'field', 'hopfield'] as const;
export type CurvatureSessionModel = (typeof CURVATURE_SESSION_MODELS)[number];
export const CURVATURE_SESSION_MODEL_LABELS: { readonly [M in CurvatureSessionModel]: string } = {
  vae: "the VAE lab's VAE: its negative ELBO at one draw of ε",
  data: "the Datasets lab's softmax-regression baseline: cross-entropy",
  field: "the field lab's network: its MSE, in the NTK parameterisation it trains",
  hopfield: "the Hopfield–Boltzmann lab's machine: its exact NLL (Hessian or empirical Fisher)",
};
export const CURVATURE_MATRICES = ['hessian', 'ggn', 'fisher', 'empirical-fisher'] as const;
export type CurvatureMatrixName = (typeof CURVATURE_MATRICES)[number];
export const CURVATURE_MATRIX_LABELS: { readonly [M in CurvatureMatrixName]: string } = {
  hessian: 'loss Hessian',
  ggn: 'generalised Gauss–Newton',
  fisher: 'Fisher (true)',
  'empirical-fisher': 'empirical Fisher',
};

/** What is computed from the matrix. */
export const CURVATURE_FIELDS = {
  matrix: {
    kind: 'choice',
    label: 'Matrix',
    flag: 'matrix',
    choices: CURVATURE_MATRICES,
    choiceLabels: CURVATURE_MATRIX_LABELS,
    default: 'fisher',
    doc: 'the Hessian of the mean loss, Jᵀ H_out J, the model’s Fisher (equal to the GGN for cross-entropy and MSE; the GGN for the VAE), or (1/N) Σ gᵢgᵢᵀ',
  },
  top: {
    kind: 'int',
    label: 'Top k',
    flag: 'top',
    metavar: 'K',
    min: 1,
    max: 50,
    default: 5,
    doc: 'eigenvalues found by Lanczos',
  },
  lanczosSteps: {
    kind: 'int',
    label: 'Lanczos steps',
    flag: 'lanczos-steps',
    metavar: 'M',
    min: 2,
    max: 400,
    default: 40,
    doc: 'most matrix–vector products for the top eigenvalues (fewer when they converge), and per probe of the density',
  },
  trace: {
    kind: 'switch',
    label: 'Trace',
    flag: 'trace',
    default: false,
    doc: "Hutchinson's estimate of the trace, with its standard error",
  },
  density: {
    kind: 'switch',
    label: 'Density',
    flag: 'density',
    default: false,
    doc: 'the spectral density by stochastic Lanczos quadrature (Gaussian-broadened)',
  },
  probes: {
    kind: 'int',
    label: 'Probes',
    flag: 'probes',
    metavar: 'P',
    min: 2,
    max: 200,
    default: 10,
    doc: 'random vectors for the trace and the density',
  },
} as const satisfies ParamSpec;
export type CurvatureAnalysis = ValuesOf<typeof CURVATURE_FIELDS>;

/** The N images a loss averages over (`--samples`). */
const imagesField = (doc: string) =>
  ({ kind: 'int', label: 'Images N', flag: 'samples', metavar: 'N', min: 1, max: 60000, default: 256, doc }) as const;

/** A network of the user's own, on a dataset Kairo reads. */
export const CURVATURE_IMPORT_FIELDS = {
  loss: {
    kind: 'choice',
    label: 'Loss',
    flag: 'loss',
    choices: ['ce', 'mse'],
    choiceLabels: { ce: 'cross-entropy on the labels', mse: '½‖f − one-hot‖², mean over images' },
    default: 'ce',
    doc: 'mean over the images: cross-entropy on integer labels, or ½‖f(x) − onehot(y)‖²',
  },
  samples: imagesField('the first N training images (pixels/255) the loss averages over'),
  seed: seedField('seed of the probe vectors'),
} as const satisfies ParamSpec;

/** A model the session holds, on the first N images of its own training set. */
export const CURVATURE_SESSION_FIELDS = {
  lab: {
    kind: 'choice',
    label: 'Model',
    flag: 'model',
    choices: CURVATURE_SESSION_MODELS,
    choiceLabels: CURVATURE_SESSION_MODEL_LABELS,
    default: 'vae',
    doc: 'which lab’s trained model, with the loss that lab trains',
  },
  samples: imagesField('the first N images (or patterns) of the training set the model was trained on, in its own order'),
  seed: seedField('seed of the probe vectors and of the VAE’s ε'),
} as const satisfies ParamSpec;

/** The two files of an imported network: paths the platform's policy checks like IDX files. */
export interface CurvatureModelFiles {
  kind: 'pytorch';
  weights: string;
  layers: string;
}

export interface CurvatureParams {
  model: (typeof CURVATURE_MODELS)[number];
  /** The fresh network (the Fisher lab's flags and seed: the same network). */
  network: FisherNetworkParams;
  /** The imported network: its files (null until chosen), its data and loss. */
  imported: ValuesOf<typeof CURVATURE_IMPORT_FIELDS> & { files: CurvatureModelFiles | null; source: DatasetSource };
  /** A model trained in the open session (read from it when the job starts). */
  session: ValuesOf<typeof CURVATURE_SESSION_FIELDS>;
  analysis: CurvatureAnalysis;
}

export interface CurvatureLayer {
  name: string;
  parameters: number;
  /** ‖v₁ on the layer‖²: the shares of all layers sum to 1. */
  share: number;
  /** λ_max of the layer's diagonal block. */
  blockLambdaMax: number;
}

export interface CurvatureResult {
  params: CurvatureParams;
  /** What was analysed, in words ("fresh tanh MLP 256-256-2 on 100 Gaussian inputs"). */
  model: string;
  parameters: number;
  samples: number;
  /** The mean loss at the weights; null where there are no targets (a fresh network on Gaussian inputs). */
  loss: number | null;
  /** Largest first. */
  top: number[];
  /** ‖Av − λv‖ of each, from the recurrence. */
  residuals: number[];
  trace: { mean: number; se: number; probes: number } | null;
  /**
   * The SLQ density on a linear λ axis, and of log₁₀ λ (per decade) over the eigenvalues above
   * 10⁻⁶ λ_max, with the weight below that (zero and negative eigenvalues) not drawn.
   */
  density: {
    x: number[];
    y: number[];
    sigma: number;
    log: { x: number[]; y: number[]; sigma: number; below: number } | null;
  } | null;
  layers: CurvatureLayer[];
  matvecs: number;
  seconds: number;
  /** Fresh networks: the Fisher lab's λ_max of the same network (dual Gram) and its mean-field prediction. */
  fisherLab: { lambdaMax: number; method: string; theoryLambdaMax: number | null } | null;
  /** Cancelled before every part was computed. */
  partial: boolean;
}

/** Sharpness during training: full-batch gradient descent on a fresh MLP, λ_max every K steps. */
export const CURVATURE_TRACK_FIELDS = {
  lr: lrField({ max: 10, default: 0.05, step: 0.01, doc: 'the step size η of full-batch gradient descent' }),
  steps: {
    kind: 'int',
    label: 'Steps',
    flag: 'steps',
    metavar: 'S',
    min: 1,
    max: 100000,
    default: 1000,
    doc: 'gradient-descent steps',
  },
  every: {
    kind: 'int',
    label: 'Every K steps',
    flag: 'track-every',
    metavar: 'K',
    min: 1,
    max: 10000,
    default: 50,
    doc: 'λ_max of the Hessian (warm-started Lanczos) every K steps',
  },
  trace: {
    kind: 'switch',
    label: 'Trace too',
    flag: 'trace',
    default: false,
    doc: 'also the Hessian trace (Hutchinson, 10 probes) at each point',
  },
} as const satisfies ParamSpec;

export type CurvatureTrackParams = ValuesOf<typeof CURVATURE_TRACK_FIELDS> & { network: FisherNetworkParams };

export interface CurvatureTrackResult {
  params: CurvatureTrackParams;
  model: string;
  parameters: number;
  /** The steps at which λ_max was measured, and the values. */
  steps: number[];
  lambdaMax: number[];
  trace: number[] | null;
  /** The training loss at every step (before the step). */
  losses: number[];
  twoOverLr: number;
  /** Seconds in gradient-descent steps, and in the measurements between them: the tracking's cost. */
  gdSeconds: number;
  trackSeconds: number;
  partial: boolean;
}

export interface CurvatureLabState {
  draft: CurvatureParams;
  result: CurvatureResult | null;
  trackDraft: CurvatureTrackParams;
  track: CurvatureTrackResult | null;
}

export interface CurvatureJobs {
  'curvature.spectrum': { params: CurvatureParams; result: CurvatureResult };
  'curvature.track': { params: CurvatureTrackParams; result: CurvatureTrackResult };
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CurvatureMethods {}

export interface CurvatureContract {
  state: CurvatureLabState;
  jobs: CurvatureJobs;
  methods: CurvatureMethods;
}

/**
 * The curvature lab's quick look: the Fisher of a fresh ReLU network 256-128-128-2 on 100 Gaussian
 * inputs (the Fisher lab's default but width 128), its top eigenvalues, trace and density.
 */
export const CURVATURE_QUICK_LOOK: QuickLook<CurvatureParams> = {
  seconds: 2.7,
  shows:
    "the Fisher's λ_max by Lanczos on 49,666 × 49,666 products, 117.33, equals the Fisher lab's dual-Gram λ_max to 10⁻¹⁰ (mean-field theory: 101.43); two outliers (117.33, 109.08) stand far above λ₃ = 11.80 and the bulk, and the readout layer holds 66 % of the top eigenvector",
  params: {
    model: 'fresh',
    network: {
      activation: 'relu',
      depth: 3,
      width: 128,
      inputDim: 256,
      outputs: 2,
      samples: 100,
      sigmaW2: 2,
      sigmaB2: 0.05,
      weights: 'gaussian',
      norm: 'none',
      loss: 'mse',
      inputs: 'gaussian',
      source: { kind: 'mnist' },
      seed: 1,
    },
    imported: { loss: 'ce', samples: 256, seed: 1, files: null, source: { kind: 'mnist' } },
    session: { lab: 'vae', samples: 256, seed: 1 },
    analysis: { matrix: 'fisher', top: 3, lanczosSteps: 30, trace: true, density: true, probes: 4 },
  },
};
