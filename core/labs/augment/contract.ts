// The contract of the augmentation lab: a small classifier trained on few samples per class under
// no augmentation (NA), augmentation of every sample (CA), self-paced augmentation (SPA: only the
// samples whose current loss is above a threshold; Takase, Karakida & Asoh, Neurocomputing 2021)
// and RandAugment-style draws, compared over seeds and training-set sizes. Part of the one contract
// (core/contract.ts re-exports it): JSON-safe, and it imports nothing but other contract files.
import { type QuickLook, defaultsOf, seedField, type ParamSpec, type ValuesOf, lrField } from '../../contract/params.ts';
import type { DatasetSource } from '../data/contract.ts';

/** Listed once: schemas, CLI and views read them (the operations are models/augment/augment.ts's, tested equal). */
export const AUGMENT_POLICIES = ['none', 'conventional', 'self-paced', 'rand'] as const;
export const AUGMENT_OPS = [
  'shift',
  'rotate',
  'scale',
  'elastic',
  'noise',
  'erase',
  'translate',
  'rotate-any',
  'flip',
  'crop',
  'cutout',
  'random-erasing',
  'mixup',
  'ricap',
] as const;
export const AUGMENT_ARCHS = ['cnn', 'mlp', 'bn-cnn'] as const;
export const AUGMENT_PROTOCOLS = ['quick', 'authors'] as const;
export const AUGMENT_OPTIMIZERS = ['adam', 'sgd-nesterov'] as const;
export const AUGMENT_LR_SCHEDULES = ['constant', 'warmup-cosine'] as const;
export const AUGMENT_SUBSETS = ['per-class', 'shuffle'] as const;
export type AugmentProtocol = (typeof AUGMENT_PROTOCOLS)[number];
export const AUGMENT_THRESHOLDS = ['fixed', 'quantile'] as const;
export const AUGMENT_SCHEDULES = ['constant', 'linear'] as const;
export type AugmentPolicy = (typeof AUGMENT_POLICIES)[number];

export const POLICY_NAMES: { readonly [P in AugmentPolicy]: string } = {
  none: 'NA (no augmentation)',
  conventional: 'CA (every sample)',
  'self-paced': 'SPA (self-paced)',
  rand: 'RandAugment-style',
};

export const AUGMENT_FIELDS = {
  protocol: {
    kind: 'choice',
    label: 'Protocol',
    flag: 'protocol',
    choices: AUGMENT_PROTOCOLS,
    choiceLabels: { quick: 'Kairo’s quick setting', authors: 'the authors’ protocol' },
    default: 'quick',
    doc: 'quick: a small CNN, Adam, 20 epochs, Kairo’s augmentations; authors: the released code’s batch-norm CNN, SGD with Nesterov momentum, weight decay, warm-up and cosine schedule, 200 epochs, batch 256, mixup with SPA threshold 0.1 (their run.sh), subsets from one fixed shuffle, the full test set. Choosing one sets the fields below; each can still be changed',
  },
  policies: {
    kind: 'set',
    label: 'Policies',
    flag: 'policy',
    choices: AUGMENT_POLICIES,
    choiceLabels: POLICY_NAMES,
    minItems: 1,
    default: ['none', 'conventional', 'self-paced'],
    doc: 'the policies compared; each trains from the same initial weights, on the same batches, with the same augmentation stream per seed',
  },
  perClass: {
    kind: 'ints',
    label: 'Samples per class',
    flag: 'per-class',
    metavar: 'N',
    min: 1,
    max: 1000,
    minItems: 1,
    maxItems: 6,
    default: [100],
    doc: 'training images per class, drawn per seed (nested: the smaller sets are subsets of the larger); several values give accuracy against training-set size',
  },
  augment: {
    kind: 'set',
    label: 'Augmentations',
    flag: 'augment',
    choices: AUGMENT_OPS,
    choiceLabels: {
      shift: 'shift ±3m px',
      rotate: 'rotate ±30m°',
      scale: 'scale 1 ± 0.2m',
      elastic: 'elastic α = 8m, σ = 3',
      noise: 'noise σ = 0.3m',
      erase: 'erase ≤ 25m % area',
      translate: 'translate ±h/5 px (authors’)',
      'rotate-any': 'rotate 0–179°, shrunk to fit (authors’)',
      flip: 'mirror, p = ½ (authors’)',
      crop: 'crop 4/5, resize (authors’)',
      cutout: 'cutout h/2 square (authors’)',
      'random-erasing': 'random erasing, p = ½ (Zhong)',
      mixup: 'mixup, λ ~ U(0, 1) (authors’)',
      ricap: 'RICAP, 4 patches (authors’)',
    },
    minItems: 1,
    default: ['shift', 'rotate', 'elastic'],
    doc: 'applied in this order to an augmented sample (RandAugment draws some of them instead); the strength m applies to the first six, the authors’ operations have their code’s fixed parameters; mixup and RICAP mix a sample with partners from its batch and mix the labels alike',
  },
  strength: {
    kind: 'number',
    label: 'Strength m',
    flag: 'strength',
    metavar: 'm',
    min: 0,
    max: 1,
    default: 0.5,
    step: 0.05,
    doc: 'magnitude of every augmentation, 0 (the identity) to 1; each draws its parameter uniformly up to this bound',
  },
  thresholdKind: {
    kind: 'choice',
    label: 'SPA threshold',
    flag: 'threshold-kind',
    choices: AUGMENT_THRESHOLDS,
    choiceLabels: { fixed: 'a loss value', quantile: 'a quantile of the batch’s losses' },
    default: 'fixed',
    doc: 'SPA augments a sample when its loss, measured before the step, is above the threshold',
  },
  threshold: {
    kind: 'number',
    label: 'Threshold',
    flag: 'threshold',
    metavar: 'X',
    min: 0,
    max: 20,
    default: 0.1,
    step: 0.01,
    unit: 'nats',
    doc: 'fixed threshold on the per-sample cross-entropy',
  },
  quantile: {
    kind: 'number',
    label: 'Quantile q',
    flag: 'quantile',
    metavar: 'q',
    min: 0,
    max: 1,
    maxExclusive: true,
    default: 0.5,
    step: 0.05,
    doc: 'quantile threshold: the samples above the batch’s q-quantile loss are augmented (about 1 − q of them)',
  },
  schedule: {
    kind: 'choice',
    label: 'Threshold schedule',
    flag: 'threshold-schedule',
    choices: AUGMENT_SCHEDULES,
    choiceLabels: { constant: 'constant', linear: 'linear to the end value' },
    default: 'constant',
    doc: 'constant, or moved linearly over the epochs from the threshold (or q) to its end value',
  },
  thresholdEnd: {
    kind: 'number',
    label: 'End value',
    flag: 'threshold-end',
    metavar: 'X',
    min: 0,
    max: 20,
    default: 0.1,
    step: 0.01,
    doc: 'the threshold (or q, below 1) at the last epoch, for the linear schedule',
  },
  randOps: {
    kind: 'int',
    label: 'RandAugment N',
    flag: 'rand-ops',
    metavar: 'N',
    min: 1,
    max: 6,
    default: 2,
    doc: 'operations drawn per sample from the ticked augmentations, each at strength m',
  },
  arch: {
    kind: 'choice',
    label: 'Network',
    flag: 'arch',
    choices: AUGMENT_ARCHS,
    choiceLabels: { cnn: 'CNN (2 conv + pool)', mlp: 'MLP (256 ReLU)', 'bn-cnn': 'authors’ CNN (4 conv + batch norm)' },
    default: 'cnn',
    doc: 'CNN: conv 3×3·16 → ReLU → pool 2 → conv 3×3·32 → ReLU → pool 2 → dense; MLP: one hidden layer of 256 ReLU; authors’ CNN: conv 3×3·32 → BN → ReLU → conv 3×3·32 → pool → BN → ReLU → conv 3×3·64 → BN → ReLU → conv 3×3·64 → pool → BN → ReLU → linear (valid convolutions, PyTorch’s initialisation)',
  },
  optimizer: {
    kind: 'choice',
    label: 'Optimiser',
    flag: 'optimizer',
    choices: AUGMENT_OPTIMIZERS,
    choiceLabels: { adam: 'Adam', 'sgd-nesterov': 'SGD, Nesterov momentum 0.9' },
    default: 'adam',
    doc: 'Adam (β₁ 0.9, β₂ 0.999), or SGD with Nesterov momentum 0.9 and weight decay added to the gradient (PyTorch’s SGD)',
  },
  weightDecay: {
    kind: 'number',
    label: 'Weight decay',
    flag: 'weight-decay',
    metavar: 'λ',
    min: 0,
    max: 0.1,
    default: 0,
    step: 0.0001,
    doc: 'λ added to the gradient as λw, every parameter included (SGD only)',
  },
  lrSchedule: {
    kind: 'choice',
    label: 'Learning-rate schedule',
    flag: 'lr-schedule',
    choices: AUGMENT_LR_SCHEDULES,
    choiceLabels: { constant: 'constant', 'warmup-cosine': 'warm-up, then cosine' },
    default: 'constant',
    doc: 'warm-up, then cosine: the authors’ schedule, stepped per epoch — η rises linearly to 2η over the warm-up epochs, then 2η(1 + cos(π(t − W)/E))/2 (t = epoch − 1, E = epochs); without warm-up η(1 + cos(πt/E))/2',
  },
  warmupEpochs: {
    kind: 'int',
    label: 'Warm-up epochs',
    flag: 'warmup-epochs',
    metavar: 'W',
    min: 0,
    max: 50,
    default: 3,
    doc: 'epochs of linear warm-up before the cosine',
  },
  epochs: {
    kind: 'int',
    label: 'Epochs',
    flag: 'epochs',
    metavar: 'E',
    min: 1,
    max: 200,
    default: 20,
    doc: 'passes over the training set',
  },
  batchSize: {
    kind: 'int',
    label: 'Batch',
    flag: 'batch',
    metavar: 'B',
    min: 1,
    max: 1024,
    default: 32,
    doc: 'samples per optimiser step',
  },
  learningRate: lrField({
    max: 1,
    default: 0.001,
    step: 0.0001,
    doc: 'the optimiser’s learning rate (with the warm-up schedule, its starting value)',
  }),
  subset: {
    kind: 'choice',
    label: 'Training images',
    flag: 'subset',
    choices: AUGMENT_SUBSETS,
    choiceLabels: { 'per-class': 'N per class, drawn per seed', shuffle: 'first 10·N of one fixed shuffle' },
    default: 'per-class',
    doc: 'per class: N images of each class, drawn anew for each seed; fixed shuffle: the first (classes × N) images of one shuffle of the training split, the same for every seed, so classes are not balanced (the authors’ make_training_data)',
  },
  testCount: {
    kind: 'int',
    label: 'Test images',
    flag: 'test-count',
    metavar: 'T',
    min: 100,
    max: 10000,
    default: 2000,
    doc: 'test images the accuracy is measured on (the same ones for every run; the whole test split when it has no more)',
  },
  evalEvery: {
    kind: 'int',
    label: 'Test every',
    flag: 'eval-every',
    metavar: 'K',
    min: 1,
    max: 200,
    default: 1,
    unit: 'epochs',
    doc: 'the test set is evaluated every K epochs and after the last (the learning curves have points there only)',
  },
  probe: {
    kind: 'int',
    label: 'Instability probe',
    flag: 'probe',
    metavar: 'P',
    min: 0,
    max: 1000,
    default: 100,
    doc: 'training images on which the loss instability is measured after every epoch (0: not measured)',
  },
  probeDraws: {
    kind: 'int',
    label: 'Draws per image',
    flag: 'probe-draws',
    metavar: 'R',
    min: 2,
    max: 32,
    default: 5,
    doc: 'augmentation draws per probe image for the instability',
  },
  seeds: {
    kind: 'int',
    label: 'Seeds',
    flag: 'seeds',
    metavar: 'K',
    min: 1,
    max: 10,
    default: 3,
    doc: 'repetitions, each with its own training subset, initial weights, batch order and augmentation draws (mean ± sd)',
  },
  seed: seedField('seed of the first repetition; repetition k uses seed + 1000·k'),
} as const satisfies ParamSpec;

export type AugmentFields = ValuesOf<typeof AUGMENT_FIELDS>;

/**
 * What each protocol sets. The authors' values are those of their released code (main.py's defaults, main_nn.py,
 * models/cnn.py; the augmentation and threshold of their run.sh: mixup, 0.1); the test every 20 epochs is Kairo's
 * (the network is evaluated on the whole test split, 10,000 images, and every epoch would cost more than training).
 */
export const AUGMENT_PROTOCOL_VALUES: { readonly [P in AugmentProtocol]: Partial<AugmentFields> } = {
  quick: {
    protocol: 'quick',
    arch: 'cnn',
    optimizer: 'adam',
    learningRate: 0.001,
    weightDecay: 0,
    lrSchedule: 'constant',
    epochs: 20,
    batchSize: 32,
    augment: ['shift', 'rotate', 'elastic'],
    thresholdKind: 'fixed',
    threshold: 0.1,
    schedule: 'constant',
    subset: 'per-class',
    testCount: 2000,
    evalEvery: 1,
    probe: 100,
  },
  authors: {
    protocol: 'authors',
    arch: 'bn-cnn',
    optimizer: 'sgd-nesterov',
    learningRate: 0.1,
    weightDecay: 0.0005,
    lrSchedule: 'warmup-cosine',
    warmupEpochs: 3,
    epochs: 200,
    batchSize: 256,
    augment: ['mixup'],
    thresholdKind: 'fixed',
    threshold: 0.1,
    schedule: 'constant',
    subset: 'shuffle',
    testCount: 10000,
    evalEvery: 20,
    probe: 0,
  },
};

/** The defaults of a protocol: every field's default, overridden by what the protocol sets. */
export const protocolDefaults = (p: AugmentProtocol): AugmentFields => ({
  ...defaultsOf(AUGMENT_FIELDS),
  ...AUGMENT_PROTOCOL_VALUES[p],
});
export type AugmentParams = AugmentFields & { source: DatasetSource };

export interface AugmentEpoch {
  epoch: number;
  /** Mean loss of the batches as trained on (augmented where the policy augmented). */
  trainLoss: number;
  /** Null in the epochs the test set was not evaluated in (`evalEvery`). */
  testLoss: number | null;
  testAccuracy: number | null;
  /** The learning rate the epoch trained at (absent in sessions saved before schedules existed: constant). */
  learningRate?: number;
  /** Fraction of the epoch's samples that were augmented. */
  augmented: number;
  /** SPA's threshold this epoch (nats, or q for a quantile threshold); null for the other policies. */
  threshold: number | null;
  /**
   * Loss instability: on the probe images at the epoch's end, the variance over R draws of the loss of the
   * input the policy would train on, averaged over the images (NA: 0; SPA: only above-threshold images vary).
   * Null when no probe was asked for.
   */
  instability: number | null;
  /** Mean over the probe of (E_draws loss of that input − clean loss): how much harder the policy makes the task. */
  lossShift: number | null;
  /**
   * Step-to-step fluctuation of the trained batch loss, √(mean (ℓ_(s+1) − ℓ_s)²/2) over the epoch's steps: the
   * noise the optimiser sees, without the slow trend (von Neumann's successive-difference estimate).
   */
  stepNoise: number;
}

export interface AugmentRun {
  policy: AugmentPolicy;
  perClass: number;
  /** This repetition's seed. */
  seed: number;
  curve: AugmentEpoch[];
  /** Seconds in the training steps alone (SPA's extra forward pass included; evaluation and probes excluded). */
  trainSeconds: number;
}

export interface MeanSd {
  mean: number;
  sd: number;
}

/** One policy at one training-set size, over the seeds that finished. */
export interface AugmentCell {
  policy: AugmentPolicy;
  perClass: number;
  seeds: number;
  /** Final-epoch test accuracy and loss. */
  accuracy: MeanSd;
  testLoss: MeanSd;
  trainSeconds: MeanSd;
  /** Per epoch, mean over seeds (accuracy also its sd). */
  curve: {
    epoch: number;
    /** Null where the test set was not evaluated. */
    accuracy: MeanSd | null;
    testLoss: number | null;
    /** The epoch's learning rate (absent in sessions saved before schedules existed). */
    learningRate?: number;
    trainLoss: number;
    augmented: number;
    instability: number | null;
    stepNoise: number;
  }[];
}

export interface AugmentSample {
  /** Index in the dataset's training split. */
  index: number;
  label: number;
  /** Epochs in which SPA augmented it (out of `epochs`). */
  times: number;
  /** Its cross-entropy after the last epoch (nats). */
  loss: number;
}

/** Which samples SPA augmented: the first seed's run at the first size in the list. */
export interface AugmentSamples {
  perClass: number;
  seed: number;
  epochs: number;
  /** Tensor `augment.samples`: U8 [most + least, h, w], the most augmented first. */
  most: AugmentSample[];
  least: AugmentSample[];
  /** Mean fraction of epochs each class's samples were augmented, by class. */
  byClass: number[];
  /** Correlation over all training samples of times augmented with the final loss (Pearson; null when either is constant). */
  lossCorrelation: number | null;
}

export interface AugmentResult {
  params: AugmentParams;
  datasetName: string;
  classes: number;
  /** 'test': the dataset's test split; 'held-out': training images outside every run's subset (no test split). */
  testFrom: 'test' | 'held-out';
  /** Test images used: the parameter, or fewer when the split has fewer (absent in older sessions). */
  testCount?: number;
  runs: AugmentRun[];
  cells: AugmentCell[];
  samples: AugmentSamples | null;
  partial: boolean;
}

export interface AugmentLabState {
  draft: AugmentFields;
  result: AugmentResult | null;
}

export interface AugmentJobs {
  'augment.compare': { params: AugmentParams; result: AugmentResult };
}

export interface AugmentMethods {}

export interface AugmentContract {
  state: AugmentLabState;
  jobs: AugmentJobs;
  methods: AugmentMethods;
}

/** The augmentation lab's quick look: NA, CA and SPA on 30 MNIST images per class. */
export const AUGMENT_QUICK_LOOK: QuickLook<AugmentFields> = {
  seconds: 13.8,
  shows:
    'on 30 MNIST images per class (CNN, 8 epochs, one seed), SPA augments 100 % of the images in epoch 1 and 61 % in epoch 8, mostly those it has not learned (correlation 0.41 between epochs augmented and final loss); test accuracy NA 84.2 %, CA 83.2 %, SPA 85.4 % (one seed: the 3-seed run below says how much is noise)',
  params: { ...defaultsOf(AUGMENT_FIELDS), perClass: [30], epochs: 8, seeds: 1, testCount: 1000, probe: 50, probeDraws: 4 },
};
