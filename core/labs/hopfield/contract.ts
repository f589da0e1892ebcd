// The contract of the Hopfield–Boltzmann lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray } from '../../contract/base.ts';
import type { DatasetSource } from '../data/contract.ts';
import { type QuickLook, defaultsOf, seedField, type ParamSpec, type ValuesOf } from '../../contract/params.ts';

export type HopfieldData =
  | ({ kind: 'toy' } & ValuesOf<typeof TOY_DATA_FIELDS>)
  | ({ kind: 'images'; source: DatasetSource } & ValuesOf<typeof IMAGE_DATA_FIELDS>);

// The choices of the lab's parameters, listed once: the schemas, the CLI and the views read these.
export const HOPFIELD_MODELS = ['attnbm', 'gbrbm'] as const;
export const HOPFIELD_INITS = ['data', 'gaussian'] as const;
export const OPTIMIZERS = ['adam', 'sgd'] as const;
export const CORRUPTIONS = ['noise', 'occlude', 'missing'] as const;
export const RETRIEVAL_MEMORIES = ['machine', 'patterns'] as const;
export const COMPLETION_MASKS = ['random', 'bottom', 'right'] as const;

export type HopfieldModelKind = (typeof HOPFIELD_MODELS)[number];

/** The model and its training (the data, toy or images, is composed in as `data`). */
export const HOPFIELD_TRAIN_FIELDS = {
  model: {
    kind: 'choice',
    label: 'Model',
    flag: 'model',
    choices: HOPFIELD_MODELS,
    choiceLabels: { attnbm: 'AttnBM (attention)', gbrbm: 'GB-RBM (exact)' },
    default: 'attnbm',
    doc: 'the attentional Boltzmann machine, or a Gaussian–Bernoulli RBM summed exactly over its 2^K states',
  },
  hidden: {
    kind: 'int',
    label: 'Hidden N_h / K',
    flag: 'hidden',
    metavar: 'N',
    min: 1,
    max: 4096,
    default: 5,
    doc: 'AttnBM: hidden states N_h; GB-RBM: binary hidden units K (2^K components, K ≤ 12)',
  },
  init: {
    kind: 'choice',
    label: 'Init',
    flag: 'init',
    choices: HOPFIELD_INITS,
    choiceLabels: { data: 'random data points', gaussian: 'Gaussian N(0, 1/N_v)' },
    default: 'data',
    doc: 'keys start at random training points (minus b) or as N(0, 1/N_v)',
  },
  trainB: { kind: 'switch', label: 'train b', flag: 'train-b', default: false, doc: 'train the visible bias b' },
  // On by default: the CLI's switch turns it off.
  trainC: { kind: 'switch', label: 'train c', flag: 'fixed-c', default: true, doc: 'train the hidden biases c (off: --fixed-c)' },
  optimizer: {
    kind: 'choice',
    label: 'Optimizer',
    flag: 'optimizer',
    choices: OPTIMIZERS,
    default: 'adam',
    doc: 'Adam or plain SGD',
  },
  learningRate: {
    kind: 'number',
    label: 'Learning rate',
    flag: 'lr',
    metavar: 'X',
    min: 0,
    minExclusive: true,
    max: 10,
    default: 0.05,
    step: 0.005,
    doc: 'step size',
  },
  batchSize: {
    kind: 'int',
    label: 'Batch',
    flag: 'batch',
    metavar: 'N',
    min: 1,
    max: 10000,
    default: 50,
    doc: 'patterns per step',
  },
  epochs: {
    kind: 'int',
    label: 'Epochs',
    flag: 'epochs',
    metavar: 'N',
    min: 1,
    max: 100000,
    default: 40,
    doc: 'passes over the patterns',
  },
  seed: seedField('seed of the data, the initial keys and the batches'),
} as const satisfies ParamSpec;

/** The 2-D toy: Gaussian clusters on a ring. */
export const TOY_DATA_FIELDS = {
  clusters: {
    kind: 'int',
    label: 'Clusters K',
    flag: 'clusters',
    metavar: 'K',
    min: 2,
    max: 10,
    default: 5,
    doc: 'Gaussian clusters on a ring',
  },
  perCluster: {
    kind: 'int',
    label: 'Points per cluster',
    flag: 'per-cluster',
    metavar: 'N',
    min: 5,
    max: 5000,
    default: 200,
    doc: 'training points per cluster',
  },
  radius: {
    kind: 'number',
    label: 'Ring radius',
    flag: 'radius',
    metavar: 'R',
    min: 0,
    max: 100,
    default: 6,
    step: 0.5,
    doc: 'radius of the ring',
  },
  std: {
    kind: 'number',
    label: 'Cluster σ',
    flag: 'std',
    metavar: 'S',
    min: 0,
    minExclusive: true,
    max: 20,
    default: 1,
    step: 0.1,
    doc: 'standard deviation of each cluster (the model’s components have 1)',
  },
} as const satisfies ParamSpec;

/** Images of the Datasets lab's dataset as patterns. */
export const IMAGE_DATA_FIELDS = {
  patterns: {
    kind: 'int',
    label: 'Stored patterns P',
    flag: 'patterns',
    metavar: 'P',
    min: 2,
    max: 10000,
    default: 200,
    doc: 'the first P of a seeded shuffle of the training split',
  },
  testPatterns: {
    kind: 'int',
    label: 'Test patterns',
    flag: 'test-patterns',
    metavar: 'N',
    min: 0,
    max: 10000,
    default: 200,
    doc: 'held-out patterns (test split, or the rest of the training split) for the test NLL',
  },
  zca: {
    kind: 'switch',
    label: 'ZCA whitening',
    flag: 'zca',
    default: false,
    doc: 'ZCA-whiten and scale to unit variance; otherwise pixels in [0, 1]',
  },
} as const satisfies ParamSpec;

export type HopfieldTrainParams = { data: HopfieldData } & ValuesOf<typeof HOPFIELD_TRAIN_FIELDS>;

/**
 * The training settings that suit each kind of data, applied when the data kind changes: the
 * form's Data menu and `kairo hopfield train --data` both take them from here, so the app and the
 * CLI train the same model by default. Toy: one hidden state per cluster at the fields' defaults;
 * images (784 dimensions, far fewer patterns per key): more keys, a smaller step, smaller batches.
 */
export function hopfieldSettingFor(
  kind: 'toy' | 'images',
  clusters: number = TOY_DATA_FIELDS.clusters.default,
): Pick<HopfieldTrainParams, 'hidden' | 'learningRate' | 'epochs' | 'batchSize'> {
  const f = HOPFIELD_TRAIN_FIELDS;
  return kind === 'toy'
    ? { hidden: clusters, learningRate: f.learningRate.default, epochs: f.epochs.default, batchSize: f.batchSize.default }
    : { hidden: 200, learningRate: 0.01, epochs: 20, batchSize: 20 };
}

export interface HopfieldCurvePoint {
  epoch: number;
  step: number;
  /** Mean NLL per pattern in nats, the (N_v/2)·log 2π term included. */
  train: number;
  test: number | null;
}

export interface HopfieldTrainResult {
  params: HopfieldTrainParams;
  curve: HopfieldCurvePoint[];
  trainNll: number;
  testNll: number | null;
  stepsDone: number;
  partial: boolean;
  nv: number;
  /** Mixture components: N_h, or 2^K for the GB-RBM. */
  components: number;
  /** [h, w] for image data, null for the 2-D toy. */
  imageShape: number[] | null;
  /** Toy data only: the centres the data was drawn from. */
  trueCentres: number[][] | null;
  patterns: number;
  testPatterns: number;
  tensors: string[];
}

export type Corruption = (typeof CORRUPTIONS)[number];

/** Retrieval of one stored pattern from a corrupted version. */
export const RETRIEVAL_FIELDS = {
  memory: {
    kind: 'choice',
    label: 'Memory',
    flag: 'memory',
    choices: RETRIEVAL_MEMORIES,
    choiceLabels: { machine: 'trained keys W', patterns: 'the stored patterns (W = Ξ)' },
    default: 'machine',
    doc: 'keys: the trained W, or the stored patterns themselves (W = Ξ, b = c = 0)',
  },
  index: {
    kind: 'int',
    label: 'Pattern index',
    flag: 'index',
    metavar: 'I',
    min: 0,
    max: 1_000_000,
    default: 0,
    doc: 'the stored pattern to corrupt and retrieve',
  },
  corruption: {
    kind: 'choice',
    label: 'Corruption',
    flag: 'corruption',
    choices: CORRUPTIONS,
    choiceLabels: { noise: 'Gaussian noise σ', occlude: 'occlude bottom rows', missing: 'random missing pixels' },
    default: 'noise',
    doc: 'how the pattern is corrupted before retrieval',
  },
  level: {
    kind: 'number',
    label: 'Level',
    flag: 'level',
    metavar: 'L',
    min: 0,
    max: 10,
    default: 0.5,
    step: 0.05,
    doc: 'noise σ in pixel units, or the fraction of pixels occluded or missing',
  },
  beta: {
    kind: 'number',
    label: 'β',
    flag: 'beta',
    metavar: 'B',
    min: 0,
    minExclusive: true,
    max: 1000,
    default: 1,
    step: 0.1,
    doc: 'inverse temperature of the update v ← b + Wᵀ softmax(β(Wv + c))',
  },
  steps: { kind: 'int', label: 'Steps', flag: 'steps', metavar: 'K', min: 1, max: 200, default: 10, doc: 'retrieval updates' },
  seed: seedField('seed of the corruption'),
} as const satisfies ParamSpec;

export type RetrievalSettings = ValuesOf<typeof RETRIEVAL_FIELDS>;

export interface RetrievalSummary {
  settings: RetrievalSettings;
  /** Cosine overlap with the original pattern, per step 0..steps. */
  overlapTarget: number[];
  /** Largest overlap with any other stored pattern, per step. */
  overlapOther: number[];
  /**
   * Image data: the stored pattern nearest (by cosine) the final state; success when it is the
   * original with overlap ≥ 0.9. 2-D toy, where states converge to cluster centres rather than
   * to single points: the true cluster whose centre is nearest the final state; success when it
   * is the pattern's own cluster (`ownCluster`).
   */
  nearest: number;
  ownCluster: number | null;
  success: boolean;
}

export interface RetrievalRun {
  summary: RetrievalSummary;
  /** Image data: uint8 [steps+1, h, w], the states shown as images (un-whitened); null for the 2-D toy. */
  frames: EncodedArray | null;
  /** uint8 [2, h, w]: the original pattern and its corrupted version; null for the 2-D toy. */
  original: EncodedArray | null;
  /** 2-D toy: the states v_0..v_steps as points. */
  path: number[][] | null;
  /** float32 [steps+1, P]: overlap of each state with each stored pattern. */
  overlaps: EncodedArray;
  /** float32 [steps+1, components]: attention p(h|v) at each step. */
  attention: EncodedArray;
}

/** Completing an image from its observed pixels: E[v_m | v_o] under the machine. */
export const COMPLETION_FIELDS = {
  split: {
    kind: 'choice',
    label: 'Split',
    flag: 'split',
    choices: ['train', 'test'],
    choiceLabels: { train: 'stored (training)', test: 'held-out (test)' },
    default: 'test',
    doc: 'a stored pattern or a held-out one',
  },
  index: { ...RETRIEVAL_FIELDS.index, label: 'Image index', doc: 'the image of that split to complete' },
  mask: {
    kind: 'choice',
    label: 'Hidden pixels',
    flag: 'mask',
    choices: COMPLETION_MASKS,
    choiceLabels: { random: 'a random fraction', bottom: 'the bottom part', right: 'the right part' },
    default: 'bottom',
    doc: 'which pixels are hidden',
  },
  fraction: {
    kind: 'number',
    label: 'Fraction hidden',
    flag: 'fraction',
    metavar: 'F',
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
    default: 0.4,
    step: 0.05,
    doc: 'the fraction of pixels hidden',
  },
  seed: seedField('seed of the random mask'),
} as const satisfies ParamSpec;

export type CompletionRequest = ValuesOf<typeof COMPLETION_FIELDS>;

export interface CompletionResult {
  /** uint8 [3, h, w]: original, observed (hidden pixels grey), completed. */
  images: EncodedArray;
  /** Mean squared error on the hidden pixels, in pixel units, for E[v_m|v_o] and for filling with the data mean. */
  mseCompleted: number;
  mseMean: number;
}

/** The capacity experiment: retrieval success over β, the number of stored patterns and the corruption level. */
export const CAPACITY_FIELDS = {
  betas: {
    kind: 'numbers',
    label: 'β values',
    flag: 'betas',
    metavar: 'β',
    min: 0,
    minExclusive: true,
    max: 1000,
    minItems: 1,
    maxItems: 8,
    default: [0.05, 0.2, 1],
    doc: 'inverse temperatures of the update',
  },
  patternCounts: {
    kind: 'ints',
    label: 'Pattern counts P',
    flag: 'pattern-counts',
    metavar: 'P',
    min: 2,
    max: 10000,
    minItems: 1,
    maxItems: 12,
    default: [10, 50, 200, 1000],
    doc: 'numbers of stored patterns',
  },
  corruption: {
    kind: 'choice',
    label: 'Corruption',
    flag: 'corruption',
    choices: CORRUPTIONS,
    choiceLabels: { missing: 'missing pixels', occlude: 'occlusion', noise: 'Gaussian noise' },
    default: 'missing',
    doc: 'how a stored pattern is corrupted before retrieval',
  },
  levels: {
    kind: 'numbers',
    label: 'Levels',
    flag: 'levels',
    metavar: 'x',
    min: 0,
    max: 10,
    minItems: 1,
    maxItems: 12,
    default: [0.2, 0.5, 0.8],
    doc: 'corruption levels: a fraction of pixels, or the noise σ',
  },
  trials: {
    kind: 'int',
    label: 'Trials',
    flag: 'trials',
    metavar: 'K',
    min: 1,
    max: 200,
    default: 10,
    doc: 'retrievals per setting',
  },
  steps: {
    kind: 'int',
    label: 'Steps',
    flag: 'steps',
    metavar: 'K',
    min: 1,
    max: 100,
    default: 5,
    doc: 'update steps per retrieval',
  },
  seed: seedField('seed of the patterns and corruptions'),
} as const satisfies ParamSpec;

export type CapacityParams = ValuesOf<typeof CAPACITY_FIELDS> & { source: DatasetSource };

export interface CapacityPoint {
  beta: number;
  patterns: number;
  level: number;
  /** Fraction of trials whose final state is nearest its own pattern with overlap ≥ 0.9. */
  success: number;
  meanOverlap: number;
}

export interface CapacityResult {
  params: CapacityParams;
  points: CapacityPoint[];
  partial: boolean;
}

export interface HopfieldLabState {
  draft: HopfieldTrainParams;
  result: HopfieldTrainResult | null;
  retrieval: RetrievalSettings;
  lastRetrieval: RetrievalSummary | null;
  /** The inputs whose attention p(h|v) is shown. */
  attention: { split: 'train' | 'test'; indices: number[] };
  completion: CompletionRequest;
  capacityDraft: Omit<CapacityParams, 'source'>;
  capacity: CapacityResult | null;
}

export interface DensityGrid {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Grid points per axis. */
  n: number;
  /** log p(v) at grid point (i, j), row j (y) major: index j·n + i. */
  logDensity: number[];
  /** Training points: [x, y, cluster]. */
  points: number[][];
  /** Learned component centres b + w_μ and their weights π_μ. */
  centres: number[][];
  weights: number[];
  trueCentres: number[][] | null;
}

export interface MachineView {
  /** uint8 [rows, h, w]: rows of W, each scaled symmetrically around grey. */
  fields: EncodedArray;
  /** uint8 [n, h, w]: ancestral samples v ~ N(b + w_h, I) shown in pixel space, and their noise-free means b + w_h. */
  samples: EncodedArray;
  means: EncodedArray;
  /** Mixture weights π. */
  weights: number[];
}

export interface AttentionView {
  /** Posterior p(h|v), one row per input. */
  posterior: number[][];
  /** uint8 [n, h, w] inputs (null for toy data). */
  images: EncodedArray | null;
  labels: number[];
  nll: number[];
}

/** Hopfield jobs: parameters and result of each kind. */
export interface HopfieldJobs {
  'hopfield.train': { params: HopfieldTrainParams; result: HopfieldTrainResult };
  'hopfield.capacity': { params: CapacityParams; result: CapacityResult };
}

/** Hopfield methods answered in the core's process. */
export interface HopfieldMethods {
  'hopfield.density': { params: { n: number }; result: DensityGrid };
  'hopfield.machine': { params: { samples: number; seed: number }; result: MachineView };
  'hopfield.attention': { params: { split: 'train' | 'test'; indices: number[] }; result: AttentionView };
  /** Runs the retrieval and stores its summary in the session. */
  'hopfield.retrieve': { params: RetrievalSettings; result: RetrievalRun };
  'hopfield.complete': { params: CompletionRequest; result: CompletionResult };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface HopfieldContract {
  state: HopfieldLabState;
  jobs: HopfieldJobs;
  methods: HopfieldMethods;
}

/** The Hopfield–Boltzmann lab's quick look: the attention-BM on the 2-D toy mixture, its density drawn. */
export const HOPFIELD_QUICK_LOOK: QuickLook<HopfieldTrainParams> = {
  seconds: 3.7,
  shows:
    'an attention Boltzmann machine with 5 hidden units learns 5 Gaussian clusters in 2-D: 4.51 nats per point, its density over the data',
  params: { data: { kind: 'toy', ...defaultsOf(TOY_DATA_FIELDS) }, ...defaultsOf(HOPFIELD_TRAIN_FIELDS) },
};
