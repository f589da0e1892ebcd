// The contract of the Datasets lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray } from '../../contract/base.ts';
import { seedField, type ParamSpec, type ValuesOf } from '../../contract/params.ts';

/**
 * Binary patterns with a hierarchical cluster structure (roots → concepts → memories), generated
 * from the seed; see models/vae/hierarchical.ts. Sessions keep these settings, not the patterns.
 */
export interface HierarchicalSource {
  kind: 'hierarchical';
  /** N, bits per pattern. */
  patternDim: number;
  /** G, root clusters. */
  roots: number;
  /** C, concepts per root. */
  concepts: number;
  /** S, training memories per concept. */
  memories: number;
  /** Held-out memories per concept (the test split). */
  testMemories: number;
  /** b₁: a concept bit equals its root's with probability (1 + b₁)/2. */
  biasConcept: number;
  /** b₂: a memory bit equals its concept's with probability (1 + b₂)/2. */
  biasMemory: number;
  seed: number;
}

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
  learningRate: {
    kind: 'number',
    label: 'Learning rate',
    flag: 'lr',
    metavar: 'η',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 0.5,
    step: 0.05,
    doc: 'SGD step size',
  },
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
}

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
