// The contract of the VAE recall lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { DatasetSource, HierarchicalSource } from '../data/contract.ts';
import { type ValuesOf } from '../../contract/params.ts';
import { RECALL_STARTS, RECALL_NOISE_KINDS, VAE_TRAIN_FIELDS, RECALL_FIELDS, VAE_SWEEP_FIELDS } from './contract/fields.ts';

export * from './contract/fields.ts';

export type VaeTrainParams = { source: DatasetSource } & ValuesOf<typeof VAE_TRAIN_FIELDS>;

export interface VaeStepPoint {
  step: number;
  epoch: number;
  /** Batch means in nats per image: the β-weighted loss, reconstruction −log p(x|z) and KL. */
  loss: number;
  rec: number;
  kl: number;
}

export interface VaeEpochPoint {
  epoch: number;
  /** Test negative ELBO (β = 1, one sample per image), nats per image; null without a test split. */
  testNegElbo: number | null;
  testRec: number | null;
  testKl: number | null;
  trainLoss: number;
}

export interface VaeTrainResult {
  params: VaeTrainParams;
  steps: VaeStepPoint[];
  epochs: VaeEpochPoint[];
  testNegElbo: number | null;
  stepsDone: number;
  partial: boolean;
  imageShape: number[];
  classes: number;
  /** Training images behind the concept vectors. */
  conceptCounts: number[];
  /** The concept vectors on the scatter's axes (d = 2: as they are; otherwise the training latents' top two principal components). */
  conceptsProjected: number[][];
  /** Hierarchical data: G roots of `conceptsPerRoot` concepts each (concept k under root ⌊k / C⌋); null for image datasets. */
  hierarchy: { roots: number; conceptsPerRoot: number } | null;
  /** Root centres on the scatter's axes (hierarchical data), else null. */
  rootsProjected: number[][] | null;
  /** The global centre (mean code of all training patterns) on the scatter's axes. */
  globalProjected: number[] | null;
  tensors: string[];
}

/** Where recall starts: training patterns (memories) or held-out/test ones. */
export type RecallStart = (typeof RECALL_STARTS)[number];

/** bitflip: x → 1 − x with probability p; gaussian: x + σε clipped to [0, 1]; saltpepper: a fraction p of pixels set to 0 or 1; pure: uniform noise, no start pattern. */
export type RecallNoiseKind = (typeof RECALL_NOISE_KINDS)[number];

export type RecallParams = ValuesOf<typeof RECALL_FIELDS>;

/** Over states with a concept: the fraction nearest each level among own memory code, concept, root and global centre. */
export interface NearestLevel {
  memory: number | null;
  concept: number;
  root: number | null;
  global: number;
}

export interface RecallPoint {
  t: number;
  /** Mean ‖z − own concept centre‖ (= distConcept; kept under its first name). */
  meanDistOwn: number | null;
  meanCosOwn: number | null;
  /** Fraction of states whose nearest concept centre is their own. */
  fracNearestOwn: number | null;
  /** Mean pairwise distance over the whole population (all concepts mixed). */
  spread: number;
  nearestHistogram: number[];
  /** Mean distance to each state's own memory code (encoder mean of its clean start); null for pure noise. */
  distMemory: number | null;
  distConcept: number | null;
  /** Hierarchical data only. */
  distRoot: number | null;
  distGlobal: number | null;
  nearestLevel: NearestLevel | null;
  /** Mean pairwise distance between states of the same concept. */
  withinConceptSpread: number | null;
}

export type RecallLevel = 'memory' | 'concept' | 'root' | 'global';

/** The minimum of a normalised distance curve d(t)/d(0) and the first step where it occurs. */
export type CurveMinimum = { min: number; step: number } | null;

export interface RecallRunResult {
  id: string;
  params: RecallParams;
  noise: number;
  points: RecallPoint[];
  /** Per level, the minimum of the normalised distance curve and its step. */
  minima: Record<RecallLevel, CurveMinimum>;
  /** Session tensors: projected states [K+1, N, 2], labels [N] (−1 = none), strips uint8 [strips, K+1, h, w]. */
  tensors: { projection: string; labels: string; strips: string };
}

export type VaeSweepParams = { source: DatasetSource } & ValuesOf<typeof VAE_SWEEP_FIELDS>;

/** One noise × latent cell; distances and fractions are means over the seeds, `Sd` their standard deviations. */
export interface VaeSweepCell {
  latent: number;
  noise: number;
  /** Concept distance and fraction nearest the own concept at t = 0 and t = K. */
  distStart: number;
  distEnd: number;
  fracStart: number;
  fracEnd: number;
  /** Minimum over t of the normalised concept distance d(t)/d(0), and the step where it occurs (means over seeds). */
  minConcept: number;
  minConceptSd: number;
  minStep: number;
  /** Fractions nearest each level at `levelStep` (means over seeds). */
  nearestLevel: NearestLevel | null;
  /** First t at which the concept distance has closed 90 % of its fall to its minimum; null when it never falls (legacy sessions: of its change to t = K). */
  t90: number | null;
  testNegElbo: number | null;
}

export interface VaeSweepResult {
  params: VaeSweepParams;
  cells: VaeSweepCell[];
  partial: boolean;
  /** Wall time of the sweep. */
  seconds: number;
}

/**
 * The paper setting of the VAE lab (Nagano, Karakida & Okada, arXiv:1712.04195, reconstructed:
 * the preprint's architecture, sizes and training details could not be read here, so these are
 * Kairo's choices, measured to show the approach; see the README). The view's "Paper setting"
 * button and `defaultHierarchicalSource` read it.
 */
export const VAE_PAPER_PRESET = {
  /** Training, then recall, as the app runs them: `npm run bench:quick-looks -- settings` on 2 cores. */
  seconds: 13.1,
  data: {
    kind: 'hierarchical',
    patternDim: 100,
    roots: 2,
    concepts: 4,
    memories: 100,
    testMemories: 100,
    biasConcept: 0.4,
    biasMemory: 0.4,
    seed: 1,
  },
  train: {
    arch: 'mlp',
    hidden: [64],
    latent: 10,
    decoder: 'bernoulli',
    beta: 1,
    learningRate: 1e-3,
    batchSize: 32,
    epochs: 100,
    trainSize: 0,
    // A preset is its protocol from fresh weights, whatever the form had ticked.
    warmStart: false,
  },
  recall: {
    start: 'test',
    noiseKind: 'bitflip',
    noise: [0, 0.1, 0.2, 0.4],
    samples: 800,
    iterations: 20,
    mode: 'mean',
    xMode: 'mean',
  },
  sweep: {
    latents: [2, 10, 20],
    noise: [0, 0.1, 0.2, 0.4],
    seeds: 3,
    hidden: [64],
    epochs: 100,
    batchSize: 32,
    trainSize: 0,
    start: 'test',
    noiseKind: 'bitflip',
    samples: 800,
    iterations: 20,
    levelStep: 3,
  },
} as const satisfies {
  seconds: number;
  data: HierarchicalSource;
  train: Partial<VaeTrainParams>;
  recall: Partial<RecallParams>;
  sweep: Partial<VaeSweepParams>;
};

/**
 * The MNIST setting, as measured for the README: a 784-400-20 VAE for 5 epochs, recall from test
 * images under Gaussian pixel noise. On MNIST the class means are not attractors (see README).
 */
export const VAE_MNIST_PRESET = {
  /** Training, then recall, as the app runs them: `npm run bench:quick-looks -- settings` on 2 cores. */
  seconds: 83.7,
  data: { kind: 'mnist' },
  train: {
    arch: 'mlp',
    hidden: [400],
    latent: 20,
    decoder: 'bernoulli',
    beta: 1,
    learningRate: 1e-3,
    batchSize: 128,
    epochs: 5,
    trainSize: 0,
    warmStart: false,
  },
  recall: {
    start: 'test',
    noiseKind: 'gaussian',
    noise: [0, 0.3, 0.6],
    samples: 1000,
    iterations: 30,
    mode: 'mean',
    xMode: 'mean',
  },
} as const satisfies {
  seconds: number;
  data: DatasetSource;
  train: Partial<VaeTrainParams>;
  recall: Partial<RecallParams>;
};

export interface VaeLabState {
  draft: VaeTrainParams;
  result: VaeTrainResult | null;
  recallDraft: RecallParams;
  /** Recall runs of the current model, newest last. */
  runs: RecallRunResult[];
  sweepDraft: Omit<VaeSweepParams, 'source'>;
  sweep: VaeSweepResult | null;
}

/** Vae jobs: parameters and result of each kind. */
export interface VaeJobs {
  'vae.train': { params: VaeTrainParams; result: VaeTrainResult };
  'vae.recall': { params: RecallParams; result: RecallRunResult[] };
  'vae.sweep': { params: VaeSweepParams; result: VaeSweepResult };
}

/** Vae methods answered in the core's process. */
export interface VaeMethods {}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface VaeContract {
  state: VaeLabState;
  jobs: VaeJobs;
  methods: VaeMethods;
}

/** The VAE lab's quick look: the paper setting with 60 epochs, recall at two noise levels. */
export const VAE_QUICK_LOOK = {
  seconds: 8.3,
  shows:
    'hierarchical binary patterns, a 100-64-10 VAE trained 60 epochs: from held-out memories the concept distance falls to 0.60 of its start within 2 steps at p = 0 (0.93 at p = 0.4)',
  data: VAE_PAPER_PRESET.data,
  train: { ...VAE_PAPER_PRESET.train, epochs: 60 },
  recall: { ...VAE_PAPER_PRESET.recall, noise: [0, 0.4], samples: 800, iterations: 10 },
} as const;
