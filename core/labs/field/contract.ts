// The contract of the random-neural-field lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray } from '../../contract/base.ts';
import type { DatasetSource } from '../data/contract.ts';

/** Layer-1 initialisers: plain Gaussian, or a structured field with a Gaussian, Mexican-hat or Matérn envelope. Listed once: schemas, CLI and views read it. */
export const FIELD_KINDS = ['vanilla', 'gaussian', 'mexican', 'matern'] as const;
export type FieldLayerKind = (typeof FIELD_KINDS)[number];
export const FIELD_PERTURBATIONS = ['noise', 'shift', 'elastic', 'fgsm'] as const;

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
  perturbation: (typeof FIELD_PERTURBATIONS)[number];
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

/** Field jobs: parameters and result of each kind. */
export interface FieldJobs {
  'field.train': { params: FieldTrainParams; result: FieldTrainResult };
  'field.robustness': { params: FieldRobustnessParams; result: FieldRobustnessResult };
}

/** Field methods answered in the core's process. */
export interface FieldMethods {
  /** The initialiser explorer: a field's weights and its noise statistics beside the formula. */
  'field.explore': { params: FieldLabState['explore']; result: FieldExploreView };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface FieldContract {
  state: FieldLabState;
  jobs: FieldJobs;
  methods: FieldMethods;
}
