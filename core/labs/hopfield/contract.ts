// The contract of the Hopfield–Boltzmann lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray } from '../../contract/base.ts';
import type { DatasetSource } from '../data/contract.ts';
import { type QuickLook, defaultsOf, type ValuesOf } from '../../contract/params.ts';
import {
  HOPFIELD_MODELS,
  CORRUPTIONS,
  HOPFIELD_TRAIN_FIELDS,
  TOY_DATA_FIELDS,
  IMAGE_DATA_FIELDS,
  RETRIEVAL_FIELDS,
  COMPLETION_FIELDS,
  CAPACITY_FIELDS,
} from './contract/fields.ts';

export * from './contract/fields.ts';

export type HopfieldData =
  | ({ kind: 'toy' } & ValuesOf<typeof TOY_DATA_FIELDS>)
  | ({ kind: 'images'; source: DatasetSource } & ValuesOf<typeof IMAGE_DATA_FIELDS>);

export type HopfieldModelKind = (typeof HOPFIELD_MODELS)[number];

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

export type CompletionRequest = ValuesOf<typeof COMPLETION_FIELDS>;

export interface CompletionResult {
  /** uint8 [3, h, w]: original, observed (hidden pixels grey), completed. */
  images: EncodedArray;
  /** Mean squared error on the hidden pixels, in pixel units, for E[v_m|v_o] and for filling with the data mean. */
  mseCompleted: number;
  mseMean: number;
}

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
