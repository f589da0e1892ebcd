// The contract of the random-neural-field lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { EncodedArray, SharpnessCurve } from '../../contract/base.ts';
import type { DatasetSource } from '../data/contract.ts';
import {
  type QuickLook,
  defaultsOf,
  seedField,
  SHARPNESS_FIELDS,
  type ParamSpec,
  type ValuesOf,
  widthField,
} from '../../contract/params.ts';

/** Layer-1 initialisers: plain Gaussian, or a structured field with a Gaussian, Mexican-hat or Matérn envelope. Listed once: schemas, CLI and views read it. */
export const FIELD_KINDS = ['vanilla', 'gaussian', 'mexican', 'matern'] as const;
export type FieldLayerKind = (typeof FIELD_KINDS)[number];
export const FIELD_PERTURBATIONS = ['noise', 'shift', 'elastic', 'fgsm'] as const;

const length = (label: string, flag: string, metavar: string, dflt: number, step: number, doc: string) =>
  ({ kind: 'number', label, flag, metavar, min: 0, minExclusive: true, max: 10, default: dflt, step, doc }) as const;

/** A network's first layer and its training in the NTK regime (full-batch GD on MSE). */
export const FIELD_TRAIN_FIELDS = {
  kind: {
    kind: 'choice',
    label: 'Layer 1',
    flag: 'kind',
    choices: FIELD_KINDS,
    choiceLabels: {
      vanilla: 'vanilla (i.i.d.)',
      gaussian: 'field: Gaussian',
      mexican: 'field: Mexican hat',
      matern: 'field: Matérn',
    },
    default: 'gaussian',
    doc: 'the first layer’s initialiser',
  },
  dims: {
    kind: 'choice',
    label: 'Positions',
    flag: 'dims',
    choices: [1, 2],
    choiceLabels: { 1: '1-D', 2: '2-D' },
    default: 1,
    doc: '1: positions along the flattened pixels (as published); 2: over the image grid',
  },
  // Normalised units: the input spans (0, 1].
  rSigma: length('r_σ', 'r-sigma', 'R', 0.1, 0.01, 'envelope width r_σ (normalised units: the input spans (0, 1])'),
  sSigma: length('s_σ', 's-sigma', 'S', 0.02, 0.005, 'noise correlation length s_σ'),
  mSigma: length('m_σ', 'm-sigma', 'M', 0.1, 0.01, 'Mexican-hat width m_σ'),
  maxpool: {
    kind: 'switch',
    label: 'max-pool layer 2',
    flag: 'maxpool',
    default: false,
    doc: 'replace the second hidden layer by max-pooling over neighbouring units (3, stride 1)',
  },
  width: widthField({ min: 1, max: 8192, default: 512 }),
  trainSize: {
    kind: 'int',
    label: 'Train N',
    flag: 'train-size',
    metavar: 'N',
    min: 2,
    max: 5000,
    default: 80,
    doc: 'training images',
  },
  testSize: {
    kind: 'int',
    label: 'Test images',
    flag: 'test-size',
    metavar: 'N',
    min: 1,
    max: 10000,
    default: 1000,
    doc: 'test images',
  },
  steps: {
    kind: 'int',
    label: 'Steps',
    flag: 'steps',
    metavar: 'K',
    min: 0,
    max: 100000,
    default: 200,
    doc: 'full-batch GD steps',
  },
  lrFactor: {
    kind: 'number',
    label: 'η ÷ (2NC/λ_max)',
    flag: 'lr-factor',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 10,
    default: 0.9,
    step: 0.1,
    doc: 'η = c · 2NC/λ_max(Θ̄₀), the linear-stability bound of the NTK dynamics',
  },
  sigmaW: {
    kind: 'number',
    label: 'σ_w',
    flag: 'sigma-w',
    metavar: 'S',
    min: 0,
    minExclusive: true,
    max: 100,
    default: Math.SQRT2,
    step: 0.1,
    doc: 'weight scale of the NTK parameterisation',
  },
  sigmaB: {
    kind: 'number',
    label: 'σ_b',
    flag: 'sigma-b',
    metavar: 'S',
    min: 0,
    max: 100,
    default: 0.1,
    step: 0.05,
    doc: 'bias scale',
  },
  seed: seedField('seed of the weights and data order'),
  ...SHARPNESS_FIELDS,
} as const satisfies ParamSpec;

export type FieldTrainParams = ValuesOf<typeof FIELD_TRAIN_FIELDS> & { source: DatasetSource };
export type FieldInitParams = Pick<FieldTrainParams, 'kind' | 'dims' | 'rSigma' | 'sSigma' | 'mSigma'>;

const levels = (label: string, flag: string, max: number, kind: 'ints' | 'numbers', dflt: readonly number[], doc: string) =>
  ({ kind, label, flag, metavar: 'x', min: 0, max, minItems: 0, maxItems: 12, default: dflt, doc }) as const;

/** The robustness comparison: both networks trained as above for each seed, tested on perturbed images. */
export const FIELD_ROBUSTNESS_FIELDS = {
  seeds: {
    kind: 'int',
    label: 'Seeds',
    flag: 'seeds',
    metavar: 'K',
    min: 1,
    max: 10,
    default: 3,
    doc: 'trainings per network (mean ± sd)',
  },
  noise: levels('Noise σ', 'noise', 100, 'numbers', [0, 0.1, 0.2, 0.3, 0.4], 'Gaussian pixel noise levels'),
  shift: levels('Shifts (px)', 'shift', 14, 'ints', [0, 1, 2, 3], 'translations in pixels'),
  elastic: levels('Elastic α (px)', 'elastic', 100, 'numbers', [0, 1, 2, 3], 'elastic deformation strengths'),
  fgsm: levels('FGSM ε', 'fgsm', 1, 'numbers', [0, 0.01, 0.02, 0.03, 0.04, 0.05], 'FGSM attack sizes'),
} as const satisfies ParamSpec;

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
  /** The loss Hessian's λ_max on the training images every K steps, beside 2/η (null when not asked). */
  sharpness: SharpnessCurve | null;
}

export type FieldRobustnessParams = ValuesOf<typeof FIELD_ROBUSTNESS_FIELDS> & { train: FieldTrainParams };

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

/** The random-neural-field lab's quick look: the default field network trained beside its NTK prediction. */
export const FIELD_QUICK_LOOK: QuickLook<Omit<FieldTrainParams, 'source'>> = {
  seconds: 7.5,
  shows:
    'a 512-wide random-field network trained on 80 MNIST digits: the training loss beside its NTK prediction (relative function gap 0.21), test accuracy 0.60',
  params: defaultsOf(FIELD_TRAIN_FIELDS),
};
