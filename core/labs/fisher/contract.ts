// The contract of the Fisher/NTK lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { DatasetSource } from '../data/contract.ts';

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

/** Fisher jobs: parameters and result of each kind. */
export interface FisherJobs {
  'fisher.spectrum': { params: { network: FisherNetworkParams; compare: boolean }; result: FisherSpectrumResult };
  'fisher.sweep': { params: FisherSweepParams; result: FisherSweepResult };
  'fisher.lrsweep': { params: FisherLrParams; result: FisherLrResult };
  'fisher.isometry': { params: FisherIsometryParams; result: FisherIsometryResult };
  'fisher.blocks': { params: { network: FisherNetworkParams }; result: FisherBlocksResult };
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
