// The Fisher/NTK lab's parameters, each described once: its choices and its field specs, from
// which the schemas, the CLI's flags and the forms are made. Part of the contract (it imports
// nothing but other contract files); the lab's contract.ts re-exports it.
import { seedField, type ParamSpec, widthField, sigmaW2Field, sigmaB2Field } from '../../../contract/params.ts';

export const ACTIVATIONS = ['relu', 'tanh', 'erf', 'linear'] as const;

export const FISHER_NORMS = ['none', 'bn-last', 'bn-hidden', 'ln'] as const;

export const FISHER_LOSSES = ['mse', 'ce'] as const;

export const WEIGHT_KINDS = ['gaussian', 'orthogonal'] as const;

/** The random network every Fisher job and the theory read (plus the dataset its image inputs come from). */
export const FISHER_NETWORK_FIELDS = {
  activation: {
    kind: 'choice',
    label: 'Activation',
    flag: 'activation',
    choices: ACTIVATIONS,
    default: 'relu',
    doc: 'φ in every hidden layer',
  },
  depth: {
    kind: 'int',
    label: 'Depth L (weight layers)',
    flag: 'depth',
    metavar: 'L',
    min: 2,
    max: 64,
    default: 3,
    doc: 'weight layers including the readout: depth 3 = two hidden layers',
  },
  // Theory works at any width; jobs that build the network check their own limits.
  width: widthField({ min: 1, max: 1e9, default: 256, doc: 'hidden width (every hidden layer)' }),
  inputDim: {
    kind: 'int',
    label: 'Input dim M₀',
    flag: 'input-dim',
    metavar: 'M0',
    min: 1,
    max: 1e9,
    default: 256,
    doc: 'M₀ for Gaussian inputs (images fix it to their pixel count)',
  },
  outputs: {
    kind: 'int',
    label: 'Outputs C',
    flag: 'outputs',
    metavar: 'C',
    min: 1,
    max: 1000,
    default: 2,
    doc: 'outputs C of the linear readout',
  },
  samples: {
    kind: 'int',
    label: 'Samples T',
    flag: 'samples',
    metavar: 'T',
    min: 1,
    max: 1e9,
    default: 100,
    doc: 'inputs T the Fisher information averages over',
  },
  sigmaW2: sigmaW2Field({ default: 2, doc: 'weight variance × fan-in: W_ij ~ N(0, σ_w²/M_(l−1))' }),
  sigmaB2: sigmaB2Field({ default: 0.05, doc: 'bias variance: b_i ~ N(0, σ_b²)' }),
  weights: {
    kind: 'choice',
    label: 'Weights',
    flag: 'weights',
    choices: WEIGHT_KINDS,
    choiceLabels: { gaussian: 'Gaussian' },
    default: 'gaussian',
    doc: 'i.i.d. Gaussian or scaled Haar-orthogonal weight matrices',
  },
  norm: {
    kind: 'choice',
    label: 'Normalisation',
    flag: 'norm',
    choices: FISHER_NORMS,
    choiceLabels: {
      'bn-last': 'batch-mean centring of the last layer',
      'bn-hidden': 'batch norm in hidden layers',
      ln: 'layer norm in hidden layers',
    },
    default: 'none',
    doc: 'normalisation of the hidden layers or of the last layer',
  },
  loss: {
    kind: 'choice',
    label: 'Loss',
    flag: 'loss',
    choices: FISHER_LOSSES,
    choiceLabels: { mse: 'MSE (Gaussian output)', ce: 'softmax cross-entropy' },
    default: 'mse',
    doc: 'the output distribution whose Fisher information is taken',
  },
  inputs: {
    kind: 'choice',
    label: 'Inputs',
    flag: 'inputs',
    choices: ['gaussian', 'images'],
    choiceLabels: { gaussian: 'N(0, I)', images: 'images' },
    default: 'gaussian',
    doc: "N(0, I) vectors, or images (pixels/255) of the Datasets lab's dataset",
  },
  seed: seedField('seed of the weights and inputs'),
} as const satisfies ParamSpec;

/** What the sweep varies, on the network above. */
export const FISHER_SWEEP_FIELDS = {
  axis: {
    kind: 'choice',
    label: 'Vary',
    flag: 'axis',
    choices: ['width', 'depth', 'samples', 'outputs'],
    choiceLabels: { width: 'width M', depth: 'depth L', samples: 'samples T', outputs: 'outputs C' },
    default: 'width',
    doc: 'the network setting the sweep varies',
  },
  values: {
    kind: 'ints',
    label: 'Values',
    flag: 'values',
    metavar: 'v',
    min: 1,
    max: 8192,
    minItems: 1,
    maxItems: 16,
    default: [32, 64, 128, 256, 512],
    doc: 'its values',
  },
  seeds: {
    kind: 'int',
    label: 'Seeds',
    flag: 'seeds',
    metavar: 'K',
    min: 1,
    max: 20,
    default: 3,
    doc: 'networks per value (mean ± sd)',
  },
} as const satisfies ParamSpec;

/** The learning-rate experiment on the network above. */
export const FISHER_LR_FIELDS = {
  factors: {
    kind: 'numbers',
    label: 'Factors c',
    flag: 'factors',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 100,
    minItems: 1,
    maxItems: 10,
    default: [0.5, 0.9, 1.1, 2],
    doc: 'learning rates as multiples of 2/λ_max',
  },
  steps: {
    kind: 'int',
    label: 'Steps',
    flag: 'steps',
    metavar: 'N',
    min: 1,
    max: 10000,
    default: 50,
    doc: 'full-batch gradient-descent steps',
  },
} as const satisfies ParamSpec;

/** The conditional Fisher information of one input through square networks of several depths. */
export const FISHER_ISOMETRY_FIELDS = {
  activation: { ...FISHER_NETWORK_FIELDS.activation, default: 'linear' },
  width: widthField({ min: 2, max: 1024, default: 128, doc: 'width of every layer' }),
  depths: {
    kind: 'ints',
    label: 'Depths',
    flag: 'depths',
    metavar: 'L',
    min: 1,
    max: 128,
    minItems: 1,
    maxItems: 8,
    default: [2, 4, 8, 16],
    doc: 'the depths compared',
  },
  sigmaW2: { ...FISHER_NETWORK_FIELDS.sigmaW2, default: 1 },
  sigmaB2: { ...FISHER_NETWORK_FIELDS.sigmaB2, default: 0 },
  inputQ: {
    kind: 'number',
    label: 'Input length q₀',
    flag: 'input-q',
    metavar: 'q',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 1,
    step: 0.1,
    doc: '|x|²/M of the one input (the fixed point q* matters for tanh)',
  },
  lrFactors: {
    kind: 'numbers',
    label: 'Learning rates c',
    flag: 'lr-factors',
    metavar: 'c',
    min: 0,
    minExclusive: true,
    max: 100,
    minItems: 1,
    maxItems: 8,
    default: [0.5, 0.9, 1.1, 2],
    doc: 'gradient descent on the one input at η = c · 2/λ_max(theory)',
  },
  lrSteps: {
    kind: 'int',
    label: 'Steps',
    flag: 'lr-steps',
    metavar: 'n',
    min: 0,
    max: 2000,
    default: 30,
    doc: 'gradient-descent steps per learning rate (0: no training)',
  },
  seed: FISHER_NETWORK_FIELDS.seed,
} as const satisfies ParamSpec;

/** Two inputs through a random network: the length and correlation maps beside sampled networks. */
export const FISHER_SIGNAL_FIELDS = {
  activation: { ...FISHER_NETWORK_FIELDS.activation, default: 'tanh' },
  sigmaW2: { ...FISHER_NETWORK_FIELDS.sigmaW2, default: 1.5 },
  sigmaB2: { ...FISHER_NETWORK_FIELDS.sigmaB2, default: 0.05 },
  depth: { kind: 'int', label: 'Depth L', flag: 'depth', metavar: 'L', min: 1, max: 200, default: 30, doc: 'layers followed' },
  q0: {
    kind: 'number',
    label: 'Input length q₀',
    flag: 'q0',
    metavar: 'q',
    min: 0,
    minExclusive: true,
    max: 100,
    default: 1,
    step: 0.1,
    doc: '|x|²/M₀ of both inputs',
  },
  c0: {
    kind: 'number',
    label: 'Input correlation c₀',
    flag: 'c0',
    metavar: 'c',
    min: -1,
    max: 1,
    default: 0.5,
    step: 0.05,
    doc: "x·x'/(|x||x'|), the cosine of the inputs' angle",
  },
  width: widthField({ min: 2, max: 4000, default: 1000, doc: 'width of the sampled networks (and of the inputs)' }),
  networks: {
    kind: 'int',
    label: 'Networks',
    flag: 'networks',
    metavar: 'n',
    min: 1,
    max: 20,
    default: 4,
    doc: 'sampled networks averaged (mean ± sd)',
  },
  seed: seedField('seed of the sampled networks and inputs'),
} as const satisfies ParamSpec;
