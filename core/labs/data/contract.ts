// The contract of the Datasets lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray, SharpnessCurve } from '../../contract/base.ts';
import {
  type QuickLook,
  defaultsOf,
  seedField,
  SHARPNESS_FIELDS,
  type ParamSpec,
  type ValuesOf,
  lrField,
  warmStartField,
} from '../../contract/params.ts';

/**
 * Binary patterns with a hierarchical cluster structure (roots → concepts → memories), generated
 * from the seed; see models/vae/hierarchical.ts. Sessions keep these settings, not the patterns.
 */
const count = (label: string, flag: string, metavar: string, min: number, max: number, dflt: number, doc: string) =>
  ({ kind: 'int', label, flag, metavar, min, max, default: dflt, doc }) as const;
const bias = (label: string, flag: string, doc: string) =>
  ({ kind: 'number', label, flag, metavar: 'b', min: -1, max: 1, default: 0.4, step: 0.05, doc }) as const;

/**
 * Generated hierarchical binary patterns (roots → concepts → memories). The defaults are the VAE
 * lab's paper setting (VAE_PAPER_PRESET.data).
 */
export const HIERARCHICAL_FIELDS = {
  patternDim: count('Bits N', 'pattern-dim', 'N', 4, 4096, 100, 'bits per pattern'),
  roots: count('Roots G', 'roots', 'G', 1, 64, 2, 'root clusters of fair bits'),
  concepts: count('Concepts per root C', 'concepts', 'C', 1, 255, 4, 'concepts under each root (classes: G·C ≤ 255)'),
  memories: count('Memories per concept S', 'memories', 'S', 1, 10000, 100, 'training memories per concept'),
  testMemories: count(
    'Held-out per concept S′',
    'test-memories',
    "S'",
    0,
    10000,
    100,
    'held-out memories per concept: the test split',
  ),
  biasConcept: bias('b₁ (concept ↔ root)', 'bias-concept', 'a concept bit equals its root’s with probability (1 + b₁)/2'),
  biasMemory: bias('b₂ (memory ↔ concept)', 'bias-memory', 'a memory bit equals its concept’s with probability (1 + b₂)/2'),
  seed: { ...seedField('seed of the generated patterns'), flag: 'data-seed' },
} as const satisfies ParamSpec;

export type HierarchicalSource = { kind: 'hierarchical' } & ValuesOf<typeof HIERARCHICAL_FIELDS>;

export type DatasetSource =
  | { kind: 'mnist' }
  | HierarchicalSource
  | {
      kind: 'idx';
      name: string;
      trainImages: string;
      trainLabels: string;
      testImages?: string | null;
      testLabels?: string | null;
    };

/**
 * Fashion-MNIST as Debian's package `dataset-fashion-mnist` installs it (`dpkg -L dataset-fashion-mnist` lists these
 * files): one click in the Data lab, `--dataset fashion-mnist` in the CLI.
 */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_SOURCE: Extract<DatasetSource, { kind: 'idx' }> = {
  kind: 'idx',
  name: 'Fashion-MNIST',
  trainImages: `${FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`,
  trainLabels: `${FASHION_MNIST_DIR}/train-labels-idx1-ubyte.gz`,
  testImages: `${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz`,
  testLabels: `${FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz`,
};
export const FASHION_MNIST_MISSING = `Fashion-MNIST is not installed: \`sudo apt-get install dataset-fashion-mnist\` puts it in ${FASHION_MNIST_DIR} (elsewhere, download its four IDX files from github.com/zalandoresearch/fashion-mnist and load them as IDX files)`;

export type SplitName = 'train' | 'test';

export interface SplitSummary {
  count: number;
  /** Shape of one image, e.g. [28, 28]. */
  shape: number[];
  /** Number of classes (max label + 1). */
  classes: number;
  classCounts: number[];
}

export interface DatasetSummary {
  name: string;
  source: DatasetSource;
  train: SplitSummary;
  test: SplitSummary | null;
}

export interface DataPage {
  split: SplitName;
  /** Number of items matching the filter. */
  total: number;
  offset: number;
  /** Indices into the split of the items returned. */
  indices: number[];
  labels: number[];
  /** uint8, shape [n, h, w]. */
  images: EncodedArray;
}

/** The softmax-regression baseline, trained on the lab's dataset. */
export const BASELINE_FIELDS = {
  epochs: {
    kind: 'int',
    label: 'Epochs',
    flag: 'epochs',
    metavar: 'E',
    min: 1,
    max: 1000,
    default: 1,
    doc: 'passes over the training images',
  },
  batchSize: {
    kind: 'int',
    label: 'Batch',
    flag: 'batch',
    metavar: 'N',
    min: 1,
    max: 60000,
    default: 128,
    doc: 'images per SGD step',
  },
  learningRate: lrField({ max: 100, default: 0.5, step: 0.05, doc: 'SGD step size' }),
  trainSize: {
    kind: 'int',
    label: 'Train size (0 = all)',
    flag: 'train-size',
    metavar: 'N',
    min: 0,
    max: 1e9,
    default: 0,
    doc: 'use only the first N training images (0 = all)',
  },
  seed: seedField('seed of the initialisation and the batch order'),
  warmStart: warmStartField(
    "start from the lab's current W and b (the last baseline, or a run opened from the runs table) instead of zeros; same image size and classes needed. The batch order is the seed's",
  ),
  ...SHARPNESS_FIELDS,
} as const satisfies ParamSpec;

export type BaselineParams = ValuesOf<typeof BASELINE_FIELDS> & { source: DatasetSource };

export interface CurvePoint {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
}

export interface BaselineResult {
  params: BaselineParams;
  curve: CurvePoint[];
  testAccuracy: number | null;
  testLoss: number | null;
  stepsDone: number;
  /** True when the run was cancelled and this is the model as trained so far. */
  partial: boolean;
  /** Names of session tensors holding the trained weights. */
  tensors: string[];
  /** The cross-entropy Hessian's λ_max on a fixed batch (the first BASELINE_TRACK_SAMPLES training images) every K steps. */
  sharpness: SharpnessCurve | null;
}

/** The fixed batch sharpness is measured on: the first this many training images (fewer if the run uses fewer). */
export const BASELINE_TRACK_SAMPLES = 1000;

export interface DataLabState {
  source: DatasetSource;
  split: SplitName;
  offset: number;
  classFilter: number | null;
  baseline: BaselineResult | null;
  baselineDraft: Omit<BaselineParams, 'source'>;
}

/** Data jobs: parameters and result of each kind. */
export interface DataJobs {
  'data.baseline': { params: BaselineParams; result: BaselineResult };
}

/** Data methods answered in the core's process. */
export interface DataMethods {
  'data.summary': { params: { source: DatasetSource }; result: DatasetSummary };
  'data.page': {
    params: { source: DatasetSource; split: SplitName; offset: number; count: number; classFilter: number | null };
    result: DataPage;
  };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface DataContract {
  state: DataLabState;
  jobs: DataJobs;
  methods: DataMethods;
}

/** The dataset lab's quick look: the softmax baseline on 10,000 training images. */
export const BASELINE_QUICK_LOOK: QuickLook<Omit<BaselineParams, 'source'>> = {
  seconds: 3.9,
  shows: 'softmax regression, one pass over 10,000 MNIST digits: 0.87 test accuracy',
  params: { ...defaultsOf(BASELINE_FIELDS), trainSize: 10000 },
};
