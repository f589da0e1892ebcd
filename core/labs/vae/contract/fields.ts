// The VAE recall lab's parameters, each described once: its choices and its field specs, from
// which the schemas, the CLI's flags and the forms are made. Part of the contract (it imports
// nothing but other contract files); the lab's contract.ts re-exports it.
import { seedField, type ParamSpec, lrField, warmStartField } from '../../../contract/params.ts';

// The choices of the VAE lab's parameters, listed once: the schemas, the CLI and the views read these.
export const VAE_ARCHS = ['mlp', 'conv'] as const;

export const VAE_DECODERS = ['bernoulli', 'gaussian'] as const;

/** z: the encoder mean or a sample; x: the decoder mean or a Bernoulli sample. */
export const RECALL_MODES = ['mean', 'sample'] as const;

export const RECALL_STARTS = ['train', 'test'] as const;

export const RECALL_NOISE_KINDS = ['bitflip', 'gaussian', 'saltpepper', 'pure'] as const;

const int = (label: string, flag: string, metavar: string, min: number, max: number, dflt: number, doc: string) =>
  ({ kind: 'int', label, flag, metavar, min, max, default: dflt, doc }) as const;

/** A VAE and its training (the dataset is the Datasets lab's, composed in as `source`). */
export const VAE_TRAIN_FIELDS = {
  arch: {
    kind: 'choice',
    label: 'Architecture',
    flag: 'arch',
    choices: VAE_ARCHS,
    choiceLabels: { mlp: 'MLP', conv: 'convolutional' },
    default: 'mlp',
    doc: 'MLP encoder/decoder, or a small convolutional one (images only)',
  },
  hidden: {
    kind: 'ints',
    label: 'Hidden sizes',
    flag: 'hidden',
    metavar: 'n',
    min: 1,
    max: 4096,
    minItems: 1,
    maxItems: 6,
    default: [400],
    doc: 'encoder hidden sizes (the decoder mirrors them); the conv variant uses the first for its dense layer',
  },
  latent: int('Latent d', 'latent', 'd', 1, 256, 20, 'latent dimension'),
  decoder: {
    kind: 'choice',
    label: 'Decoder',
    flag: 'decoder',
    choices: VAE_DECODERS,
    choiceLabels: { bernoulli: 'Bernoulli', gaussian: 'Gaussian' },
    default: 'bernoulli',
    doc: 'p(x|z): Bernoulli pixels or Gaussian with fixed σ',
  },
  gaussianSigma: {
    kind: 'number',
    label: 'Decoder σ',
    flag: 'gaussian-sigma',
    metavar: 'σ',
    min: 0,
    minExclusive: true,
    max: 10,
    default: 0.1,
    step: 0.05,
    doc: 'σ of the Gaussian decoder, in pixel units',
  },
  beta: {
    kind: 'number',
    label: 'β',
    flag: 'beta',
    metavar: 'B',
    min: 0,
    max: 1000,
    default: 1,
    step: 0.1,
    doc: 'weight of the KL term',
  },
  learningRate: lrField({ max: 1, default: 1e-3, step: 0.0005, doc: 'Adam step size' }),
  batchSize: int('Batch', 'batch', 'N', 1, 10000, 128, 'images per step'),
  epochs: int('Epochs', 'epochs', 'E', 1, 1000, 5, 'passes over the training images'),
  trainSize: int(
    'Train size (0 = all)',
    'train-size',
    'N',
    0,
    10_000_000,
    0,
    'the first N training images of a seeded shuffle; 0 = all',
  ),
  seed: seedField('seed of the weights and the data order'),
  warmStart: warmStartField(
    "start from the lab's current weights (the last training, or a run opened from the runs table) instead of fresh ones; the architecture must be the same. The data order and noise are the seed's, as in a fresh run",
  ),
} as const satisfies ParamSpec;

/** Repeated inference from noisy patterns: one run per noise level. */
export const RECALL_FIELDS = {
  start: {
    kind: 'choice',
    label: 'Start from',
    flag: 'start',
    choices: RECALL_STARTS,
    choiceLabels: { test: 'test images', train: 'training images' },
    default: 'test',
    doc: 'training patterns (memories) or held-out ones',
  },
  noiseKind: {
    kind: 'choice',
    label: 'Noise',
    flag: 'noise-kind',
    choices: RECALL_NOISE_KINDS,
    choiceLabels: {
      bitflip: 'bit flips, probability p (x → 1 − x)',
      gaussian: 'Gaussian σ, clipped to [0, 1]',
      saltpepper: 'salt-and-pepper, fraction p',
      pure: 'pure uniform noise (no start pattern)',
    },
    default: 'gaussian',
    doc: 'how the start patterns are corrupted',
  },
  noise: {
    kind: 'numbers',
    label: 'Noise levels (one run each)',
    flag: 'noise',
    metavar: 'p',
    min: 0,
    max: 10,
    minItems: 1,
    maxItems: 8,
    default: [0, 0.3, 0.6],
    doc: 'p or σ per run; their curves are overlaid',
  },
  samples: int('Samples N', 'samples', 'N', 2, 10000, 1000, 'states iterated'),
  iterations: int('Iterations K', 'iterations', 'K', 1, 500, 30, 'encode → decode → re-encode steps'),
  mode: {
    kind: 'choice',
    label: 'z_t',
    flag: 'mode',
    choices: RECALL_MODES,
    choiceLabels: { mean: 'encoder mean', sample: 'sample of q(z|x)' },
    default: 'mean',
    doc: 'the encoder mean or a draw from q(z|x)',
  },
  xMode: {
    kind: 'choice',
    label: 'x_t',
    flag: 'x-mode',
    choices: RECALL_MODES,
    choiceLabels: { mean: 'decoder mean', sample: 'sample of p(x|z)' },
    default: 'mean',
    doc: 'the decoder mean or a draw from p(x|z) (Bernoulli bits for the Bernoulli decoder)',
  },
  strips: int('Image strips', 'strips', 'n', 0, 32, 8, 'image strips kept for this many samples'),
  seed: seedField('seed of the start patterns, the noise and the draws'),
} as const satisfies ParamSpec;

/** The noise × latent-dimension sweep (hidden sizes and batch come from the training form). */
export const VAE_SWEEP_FIELDS = {
  latents: {
    kind: 'ints',
    label: 'Latent dimensions',
    flag: 'latents',
    metavar: 'd',
    min: 1,
    max: 256,
    minItems: 1,
    maxItems: 6,
    default: [2, 8, 32],
    doc: 'one model per latent dimension and seed',
  },
  noise: { ...RECALL_FIELDS.noise, label: 'Noise levels', maxItems: 6, doc: 'p or σ of each column of cells' },
  hidden: VAE_TRAIN_FIELDS.hidden,
  epochs: { ...VAE_TRAIN_FIELDS.epochs, label: 'Epochs each', default: 2 },
  trainSize: { ...VAE_TRAIN_FIELDS.trainSize, label: 'Train size', default: 20000 },
  samples: { ...RECALL_FIELDS.samples, label: 'Samples', max: 5000, default: 500 },
  iterations: { ...RECALL_FIELDS.iterations, label: 'Iterations', max: 200, default: 20 },
  seed: seedField('first seed: seeds seed, seed + 1, …'),
  seeds: int('Seeds', 'seeds', 'K', 1, 10, 1, 'models per cell (mean ± sd)'),
  batchSize: VAE_TRAIN_FIELDS.batchSize,
  start: { ...RECALL_FIELDS.start, choiceLabels: { test: 'held-out / test', train: 'training' } },
  // Not pure noise: the sweep measures the approach to each state's own concept, which pure noise has none of.
  noiseKind: {
    ...RECALL_FIELDS.noiseKind,
    choices: ['bitflip', 'gaussian', 'saltpepper'],
    choiceLabels: { bitflip: 'bit flips p', gaussian: 'Gaussian σ', saltpepper: 'salt-and-pepper p' },
  },
  levelStep: int('Nearest level at step', 'level-step', 't', 0, 200, 5, 'the step at which the nearest level is reported'),
} as const satisfies ParamSpec;
