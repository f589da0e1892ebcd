// The contract of the Hopfield–Boltzmann lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray } from '../../contract/base.ts';
import type { DatasetSource } from '../data/contract.ts';
import { seedField, type ParamSpec, type ValuesOf } from '../../contract/params.ts';

export type HopfieldData =
  | {
      kind: 'toy';
      /** Number of Gaussian clusters on a ring. */
      clusters: number;
      perCluster: number;
      radius: number;
      /** Standard deviation of each cluster (the model's components have 1). */
      std: number;
    }
  | {
      kind: 'images';
      source: DatasetSource;
      /** Stored/training patterns P, the first P of a seeded shuffle of the training split. */
      patterns: number;
      /** Held-out patterns from the test split (or the rest of the training split) for test NLL. */
      testPatterns: number;
      /** ZCA-whiten and scale to unit variance; otherwise pixels in [0, 1]. */
      zca: boolean;
    };

// The choices of the lab's parameters, listed once: the schemas, the CLI and the views read these.
export const HOPFIELD_MODELS = ['attnbm', 'gbrbm'] as const;
export const HOPFIELD_INITS = ['data', 'gaussian'] as const;
export const OPTIMIZERS = ['adam', 'sgd'] as const;
export const CORRUPTIONS = ['noise', 'occlude', 'missing'] as const;
export const RETRIEVAL_MEMORIES = ['machine', 'patterns'] as const;
export const COMPLETION_MASKS = ['random', 'bottom', 'right'] as const;

export type HopfieldModelKind = (typeof HOPFIELD_MODELS)[number];

export interface HopfieldTrainParams {
  data: HopfieldData;
  model: HopfieldModelKind;
  /** AttnBM: hidden states N_h. GB-RBM: binary hidden units K (2^K mixture components). */
  hidden: number;
  /** Keys start at random training points (minus b) or as N(0, 1/N_v). */
  init: (typeof HOPFIELD_INITS)[number];
  trainB: boolean;
  trainC: boolean;
  optimizer: (typeof OPTIMIZERS)[number];
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
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

export interface RetrievalSettings {
  /** 'machine': keys are the trained W. 'patterns': keys are the stored patterns themselves (W = Ξ, b = c = 0). */
  memory: (typeof RETRIEVAL_MEMORIES)[number];
  /** Index of the stored pattern to corrupt and retrieve. */
  index: number;
  corruption: Corruption;
  /** Noise σ in pixel units, or the fraction of pixels occluded (bottom rows) or missing (random). */
  level: number;
  beta: number;
  steps: number;
  seed: number;
}

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

export interface CompletionRequest {
  split: 'train' | 'test';
  index: number;
  /** Which pixels are hidden: a random fraction, or the bottom / right part of the image. */
  mask: (typeof COMPLETION_MASKS)[number];
  fraction: number;
  seed: number;
}

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
