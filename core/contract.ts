// The one contract between the renderer and the core. Both carriers (Electron IPC and the
// WebSocket host) move exactly these JSON envelopes, so everything here must stay JSON-safe:
// no typed arrays, Maps, Dates or undefined values. Binary payloads travel as EncodedArray.
// This file is imported by the renderer, so it must not import anything.

export const CONTRACT_VERSION = 1;

// ---------- errors ----------

export type ErrorCode =
  | 'bad_request' // malformed envelope, unknown method, wrong parameter types
  | 'invalid_input' // well-formed request whose content is unusable (bad file, nonsense value)
  | 'not_found'
  | 'io'
  | 'cancelled'
  | 'crashed'
  | 'unauthorized'
  | 'diverged' // a job's numbers went NaN or infinite: the message says what, and at which step
  | 'internal';

export interface KairoErrorValue {
  code: ErrorCode;
  /** One line, readable by a person, naming the first problem found. */
  message: string;
}

// ---------- binary payloads ----------

export interface EncodedArray {
  dtype: 'uint8' | 'float32' | 'int32';
  shape: number[];
  /** Little-endian bytes, base64. */
  base64: string;
}

// ---------- data ----------

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

// ---------- compute backend ----------

export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason: string;
}

export interface BackendInfo {
  name: string;
  threads: number;
  simd: boolean;
  tried: BackendAttempt[];
}

export interface AppInfo {
  version: string;
  contractVersion: number;
  sessionSchemaVersion: number;
  carrier: 'electron' | 'web';
  backend: BackendInfo;
  labs: LabId[];
}

// ---------- labs and sessions ----------

export type LabId = 'data' | 'vae' | 'hopfield' | 'fisher' | 'field' | 'sweep';

export interface BaselineParams {
  source: DatasetSource;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Use only the first N training images (0 = all). */
  trainSize: number;
  seed: number;
}

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

// ---------- Hopfield–Boltzmann lab ----------

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

export type HopfieldModelKind = 'attnbm' | 'gbrbm';

export interface HopfieldTrainParams {
  data: HopfieldData;
  model: HopfieldModelKind;
  /** AttnBM: hidden states N_h. GB-RBM: binary hidden units K (2^K mixture components). */
  hidden: number;
  /** Keys start at random training points (minus b) or as N(0, 1/N_v). */
  init: 'data' | 'gaussian';
  trainB: boolean;
  trainC: boolean;
  optimizer: 'adam' | 'sgd';
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

export type Corruption = 'noise' | 'occlude' | 'missing';

export interface RetrievalSettings {
  /** 'machine': keys are the trained W. 'patterns': keys are the stored patterns themselves (W = Ξ, b = c = 0). */
  memory: 'machine' | 'patterns';
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
  mask: 'random' | 'bottom' | 'right';
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

export interface CapacityParams {
  source: DatasetSource;
  betas: number[];
  patternCounts: number[];
  corruption: Corruption;
  levels: number[];
  trials: number;
  steps: number;
  seed: number;
}

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

// ---------- VAE lab ----------

export interface VaeTrainParams {
  source: DatasetSource;
  arch: 'mlp' | 'conv';
  /** Encoder hidden sizes (the decoder mirrors them); the conv variant uses the first for its dense layer. */
  hidden: number[];
  latent: number;
  decoder: 'bernoulli' | 'gaussian';
  /** σ of the Gaussian decoder, in pixel units. */
  gaussianSigma: number;
  beta: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Use only the first N training images of a seeded shuffle (0 = all). */
  trainSize: number;
  seed: number;
}

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
export type RecallStart = 'train' | 'test';
/** bitflip: x → 1 − x with probability p; gaussian: x + σε clipped to [0, 1]; saltpepper: a fraction p of pixels set to 0 or 1; pure: uniform noise, no start pattern. */
export type RecallNoiseKind = 'bitflip' | 'gaussian' | 'saltpepper' | 'pure';

export interface RecallParams {
  start: RecallStart;
  noiseKind: RecallNoiseKind;
  /** One run per level; their curves are overlaid. */
  noise: number[];
  samples: number;
  iterations: number;
  /** z_t: encoder mean or a draw from q(z|x). */
  mode: 'mean' | 'sample';
  /** x_t: decoder mean or a draw from p(x|z) (Bernoulli bits for the Bernoulli decoder). */
  xMode: 'mean' | 'sample';
  /** Image strips kept for this many samples. */
  strips: number;
  seed: number;
}

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

export interface VaeSweepParams {
  source: DatasetSource;
  latents: number[];
  noise: number[];
  /** Seeds per cell: seed, seed + 1, …; a model is trained per latent size and seed. */
  seeds: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  trainSize: number;
  start: RecallStart;
  noiseKind: RecallNoiseKind;
  samples: number;
  iterations: number;
  /** The step at which the nearest level is reported. */
  levelStep: number;
  seed: number;
}

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
} as const satisfies { data: DatasetSource; train: Partial<VaeTrainParams>; recall: Partial<RecallParams> };

export interface VaeLabState {
  draft: VaeTrainParams;
  result: VaeTrainResult | null;
  recallDraft: RecallParams;
  /** Recall runs of the current model, newest last. */
  runs: RecallRunResult[];
  sweepDraft: Omit<VaeSweepParams, 'source'>;
  sweep: VaeSweepResult | null;
}

// ---------- Fisher/NTK lab ----------

export type FisherActivation = 'relu' | 'tanh' | 'erf' | 'linear';
export type FisherNormKind = 'none' | 'bn-last' | 'bn-hidden' | 'ln';

export interface FisherNetworkParams {
  activation: FisherActivation;
  /** Weight layers including the readout: depth 3 = two hidden layers. */
  depth: number;
  /** Hidden width M (every hidden layer). */
  width: number;
  /** M₀ for Gaussian inputs (images fix it to their pixel count). */
  inputDim: number;
  /** Outputs C. */
  outputs: number;
  /** Samples T. */
  samples: number;
  sigmaW2: number;
  sigmaB2: number;
  weights: 'gaussian' | 'orthogonal';
  norm: FisherNormKind;
  loss: 'mse' | 'ce';
  /** N(0, I) vectors, or images (pixels/255) of the Datasets lab's dataset. */
  inputs: 'gaussian' | 'images';
  source: DatasetSource;
  seed: number;
}

export interface FisherTheoryValues {
  kappa1: number;
  kappa2: number;
  m_lambda: number;
  s_lambda: number;
  lambda_max: number;
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
  m_lambda: number;
  /** null from the Lanczos path, which never forms the dual. */
  s_lambda: number | null;
  lambda_max: number;
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
  comparison: { norm: FisherNormKind; lambda_max: number; m_lambda: number; theory_lambda_max: number | null }[] | null;
}

export type FisherSweepAxis = 'width' | 'depth' | 'samples' | 'outputs';

export interface FisherSweepParams {
  network: FisherNetworkParams;
  axis: FisherSweepAxis;
  values: number[];
  seeds: number;
}

export interface FisherSweepPoint {
  value: number;
  /** Mean and standard deviation over seeds. */
  mean: FisherStats;
  sd: { m_lambda: number; s_lambda: number; lambda_max: number };
  theory: FisherTheoryValues | null;
}

export interface FisherSweepResult {
  params: FisherSweepParams;
  points: FisherSweepPoint[];
  partial: boolean;
}

export interface FisherLrParams {
  network: FisherNetworkParams;
  /** Learning rates as multiples of 2/λ_max. */
  factors: number[];
  steps: number;
}

export interface FisherLrResult {
  params: FisherLrParams;
  lambdaMax: number;
  /** Training loss E = (1/2T) Σ|y − f|² (random targets y ~ N(0, 1)) before each step, per factor. */
  curves: { factor: number; eta: number; losses: number[]; diverged: boolean }[];
  partial: boolean;
}

export interface FisherIsometryParams {
  activation: FisherActivation;
  width: number;
  depths: number[];
  sigmaW2: number;
  sigmaB2: number;
  seed: number;
}

export interface FisherIsometryResult {
  params: FisherIsometryParams;
  /** Conditional FIM of one input, J Jᵀ (output width = M): eigenvalues per depth and weight kind. */
  runs: { depth: number; weights: 'gaussian' | 'orthogonal'; eigenvalues: number[] }[];
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
}

// ---------- random-neural-field lab ----------

export type FieldLayerKind = 'vanilla' | 'gaussian' | 'mexican' | 'matern';

export interface FieldInitParams {
  kind: FieldLayerKind;
  /** 1: positions along the flattened pixels (as published); 2: over the image grid. */
  dims: 1 | 2;
  /** Envelope width r_σ, noise correlation length s_σ, Mexican-hat width m_σ; normalised units (the input spans (0, 1]). */
  rSigma: number;
  sSigma: number;
  mSigma: number;
}

export interface FieldTrainParams extends FieldInitParams {
  source: DatasetSource;
  /** Replace the second hidden layer by max-pooling over neighbouring units (3, stride 1). */
  maxpool: boolean;
  width: number;
  trainSize: number;
  testSize: number;
  steps: number;
  /** η = lrFactor · 2NC/λ_max(Θ̄₀), the linear-stability bound of the NTK dynamics. */
  lrFactor: number;
  sigmaW: number;
  sigmaB: number;
  seed: number;
}

export interface FieldTrainResult {
  params: FieldTrainParams;
  lambdaMax: number;
  eta: number;
  /** Training loss (1/(2NC)) Σ(f − y)² before each step and after the last. */
  trainLoss: number[];
  /** The NTK prediction of the same loss from f_t = y + (I − ηΘ̄₀/(NC))^t (f₀ − y). */
  ntkLoss: number[];
  trainAccuracy: number;
  testAccuracy: number;
  /** ‖Θ_T − Θ₀‖_F / ‖Θ₀‖_F */
  laziness: number;
  /** ‖f_T − f_T^NTK‖ / ‖f₀ − y‖ on the training inputs (null when cancelled early). */
  functionGap: number | null;
  /** The empirical NC × NC kernel, or Θ̄ ⊗ I_C (averaged over outputs) when NC > 2000. */
  kernel: 'full' | 'output-averaged';
  stepsDone: number;
  partial: boolean;
  tensors: string[];
}

export interface FieldRobustnessParams {
  train: FieldTrainParams;
  seeds: number;
  noise: number[];
  shift: number[];
  elastic: number[];
  fgsm: number[];
}

export interface FieldRobustnessCurve {
  model: 'field' | 'vanilla';
  perturbation: 'noise' | 'shift' | 'elastic' | 'fgsm';
  levels: number[];
  /** Test accuracy, mean and standard deviation over seeds. */
  mean: number[];
  sd: number[];
}

export interface FieldRobustnessResult {
  params: FieldRobustnessParams;
  curves: FieldRobustnessCurve[];
  partial: boolean;
}

export interface FieldExploreView {
  /** float32 [neurons, inputs]: W = R ⊙ (Z A) before σ_w/√fan_in. */
  weights: EncodedArray;
  /** float32 [h, w]: the chosen neuron's weights, its envelope, as images. */
  field: EncodedArray;
  envelope: EncodedArray;
  varianceCenter: number;
  varianceEdge: number;
  correlation: { lag: number; empirical: number; theory: number }[];
}

export interface FieldLabState {
  explore: FieldInitParams & { neurons: number; neuron: number; seed: number };
  draft: FieldTrainParams;
  result: FieldTrainResult | null;
  robustnessDraft: Omit<FieldRobustnessParams, 'train'>;
  robustness: FieldRobustnessResult | null;
}

// ---------- sweeps ----------

export type SweepFlagValue = number | string | boolean | number[];

/** A sweep file (see core/sweep/spec.ts): one kairo command, fixed flags, grid, zip and random draws. */
export interface SweepSpecJson {
  command: [string, string];
  fixed?: Record<string, SweepFlagValue>;
  grid?: Record<string, SweepFlagValue[]>;
  zip?: Record<string, SweepFlagValue[]>;
  random?: {
    count: number;
    seed: number;
    params: Record<string, { min: number; max: number; log?: boolean; int?: boolean } | { choice: SweepFlagValue[] }>;
  };
}

export interface SweepRunEntry {
  index: number;
  params: Record<string, SweepFlagValue>;
  /** The command's JSON output, as `kairo <command>` prints it. */
  result: unknown;
  seconds: number;
}

export interface SweepResult {
  spec: SweepSpecJson;
  /** The collected folder, or null for a sweep run in the app. */
  source: string | null;
  count: number;
  runs: SweepRunEntry[];
  missing: number[];
  failed: { index: number; params: Record<string, SweepFlagValue>; error: string }[];
  partial: boolean;
}

export interface SweepLabState {
  /** The sweep file being edited in the view. */
  specText: string;
  result: SweepResult | null;
}

export interface LabStates {
  data: DataLabState;
  sweep: SweepLabState;
  field: FieldLabState;
  fisher: FisherLabState;
  vae: VaeLabState;
  hopfield: HopfieldLabState;
}

export interface TensorInfo {
  dtype: 'F32' | 'U8' | 'I32' | 'F64';
  shape: number[];
}

export interface SessionView {
  path: string | null;
  dirty: boolean;
  labs: LabStates;
  tensors: Record<string, TensorInfo>;
}

// ---------- jobs ----------

export interface JobKinds {
  'data.baseline': { params: BaselineParams; result: BaselineResult };
  'sweep.local': { params: { spec: SweepSpecJson }; result: SweepResult };
  'vae.train': { params: VaeTrainParams; result: VaeTrainResult };
  'vae.recall': { params: RecallParams; result: RecallRunResult[] };
  'vae.sweep': { params: VaeSweepParams; result: VaeSweepResult };
  'hopfield.train': { params: HopfieldTrainParams; result: HopfieldTrainResult };
  'field.train': { params: FieldTrainParams; result: FieldTrainResult };
  'field.robustness': { params: FieldRobustnessParams; result: FieldRobustnessResult };
  'fisher.spectrum': { params: { network: FisherNetworkParams; compare: boolean }; result: FisherSpectrumResult };
  'fisher.sweep': { params: FisherSweepParams; result: FisherSweepResult };
  'fisher.lrsweep': { params: FisherLrParams; result: FisherLrResult };
  'fisher.isometry': { params: FisherIsometryParams; result: FisherIsometryResult };
  'fisher.blocks': { params: { network: FisherNetworkParams }; result: FisherBlocksResult };
  'hopfield.capacity': { params: CapacityParams; result: CapacityResult };
}
export type JobKind = keyof JobKinds;

/** 'diverged': the job's numbers went non-finite; `error` says what and at which step, and nothing was stored. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'diverged';

export interface JobProgress {
  /** 0..1 */
  fraction: number;
  step: number;
  totalSteps: number;
  elapsedSeconds: number;
  etaSeconds: number | null;
  samplesPerSecond: number | null;
  metrics: Record<string, number>;
  /** A small live view of the model, for jobs that have one (sent with some progress events). */
  preview: JobPreview | null;
}

export type JobPreview =
  | { kind: 'density'; grid: DensityGrid }
  /** uint8 [n, h, w] image grids: test images beside their reconstructions, and samples from the prior. */
  | { kind: 'vae'; reconstructions: EncodedArray; samples: EncodedArray };

export interface JobInfo {
  id: string;
  kind: JobKind;
  label: string;
  state: JobState;
  progress: JobProgress | null;
  error: KairoErrorValue | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

// ---------- methods ----------

export interface Methods {
  'app.info': { params: Record<string, never>; result: AppInfo };
  'data.summary': { params: { source: DatasetSource }; result: DatasetSummary };
  'data.page': {
    params: { source: DatasetSource; split: SplitName; offset: number; count: number; classFilter: number | null };
    result: DataPage;
  };
  /** A session tensor for display (e.g. a recall run's projections or image strips). */
  'session.tensor': { params: { name: string }; result: EncodedArray };
  /** Mean-field predictions for a network, instantly, at any width. */
  'fisher.theory': { params: { network: FisherNetworkParams }; result: FisherTheoryValues | null };
  'hopfield.density': { params: { n: number }; result: DensityGrid };
  /** The initialiser explorer: a field's weights and its noise statistics beside the formula. */
  'field.explore': { params: FieldLabState['explore']; result: FieldExploreView };
  'hopfield.machine': { params: { samples: number; seed: number }; result: MachineView };
  'hopfield.attention': { params: { split: 'train' | 'test'; indices: number[] }; result: AttentionView };
  /** Runs the retrieval and stores its summary in the session. */
  'hopfield.retrieve': { params: RetrievalSettings; result: RetrievalRun };
  'sweep.collect': { params: { path: string }; result: SweepResult };
  'hopfield.complete': { params: CompletionRequest; result: CompletionResult };
  'jobs.start': { params: { [K in JobKind]: { kind: K; params: JobKinds[K]['params'] } }[JobKind]; result: JobInfo };
  'jobs.cancel': { params: { id: string }; result: JobInfo };
  'jobs.list': { params: Record<string, never>; result: JobInfo[] };
  'session.get': { params: Record<string, never>; result: SessionView };
  'session.update': { params: { lab: LabId; state: LabStates[LabId] }; result: SessionView };
  'session.new': { params: Record<string, never>; result: SessionView };
  'session.save': { params: { path: string | null }; result: SessionView };
  'session.open': { params: { path: string }; result: SessionView };
  'session.recent': { params: Record<string, never>; result: string[] };
  /** Asks the platform for a path. Native dialogs exist only in Electron: `supported: false` tells the renderer to ask itself. */
  'platform.pickPath': {
    params: { purpose: 'session-open' | 'session-save' | 'idx-file' | 'sweep-dir'; suggested: string | null };
    result: { supported: boolean; path: string | null };
  };
}
export type Method = keyof Methods;
export type ParamsOf<M extends Method> = Methods[M]['params'];
export type ResultOf<M extends Method> = Methods[M]['result'];

// ---------- server-pushed events ----------

export type MenuCommand =
  'session.new' | 'session.open' | 'session.save' | 'session.saveAs' | { openRecent: string } | { showLab: LabId };

export interface Events {
  'job.update': JobInfo;
  /** Sent once when a job ends in 'done' or a partial 'cancelled' and its result was stored in the session. */
  'session.changed': SessionView;
  menu: { command: MenuCommand };
}
export type Topic = keyof Events;

// ---------- envelopes ----------

export interface RequestEnvelope<M extends Method = Method> {
  t: 'req';
  id: number;
  method: M;
  params: ParamsOf<M>;
}
export type ResponseEnvelope =
  { t: 'res'; id: number; ok: true; result: unknown } | { t: 'res'; id: number; ok: false; error: KairoErrorValue };
export interface EventEnvelope<T extends Topic = Topic> {
  t: 'evt';
  topic: T;
  payload: Events[T];
}
export type ServerEnvelope = ResponseEnvelope | EventEnvelope;

/** Progress events are throttled to this rate on the way out of a worker. */
export const PROGRESS_HZ = 25;
