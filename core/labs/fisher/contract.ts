// The contract of the Fisher/NTK lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { DatasetSource } from '../data/contract.ts';
import { type QuickLook, defaultsOf, type ValuesOf } from '../../contract/params.ts';
import {
  ACTIVATIONS,
  FISHER_NORMS,
  FISHER_NETWORK_FIELDS,
  FISHER_SWEEP_FIELDS,
  FISHER_LR_FIELDS,
  FISHER_ISOMETRY_FIELDS,
  FISHER_SIGNAL_FIELDS,
} from './contract/fields.ts';

export * from './contract/fields.ts';

export type FisherActivation = (typeof ACTIVATIONS)[number];

export type FisherNormKind = (typeof FISHER_NORMS)[number];

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

export type FisherLrParams = ValuesOf<typeof FISHER_LR_FIELDS> & { network: FisherNetworkParams };

export interface FisherLrResult {
  params: FisherLrParams;
  lambdaMax: number;
  /** Training loss E = (1/2T) Σ|y − f|² (random targets y ~ N(0, 1)) before each step, per factor. */
  curves: { factor: number; eta: number; losses: number[]; diverged: boolean }[];
  partial: boolean;
}

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
  seconds: 9.3,
  shows:
    'the pathological spectrum of a random ReLU net (width 256, depth 3, 100 inputs): λ_max is 1.7·10⁴ × the mean eigenvalue m_λ; λ_max 221 beside the mean-field 198',
  params: defaultsOf(FISHER_NETWORK_FIELDS),
};
