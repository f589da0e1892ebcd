// The Hopfield–Boltzmann lab's parameters, each described once: its choices and its field specs, from
// which the schemas, the CLI's flags and the forms are made. Part of the contract (it imports
// nothing but other contract files); the lab's contract.ts re-exports it.
import { seedField, type ParamSpec, lrField, warmStartField } from '../../../contract/params.ts';

// The choices of the lab's parameters, listed once: the schemas, the CLI and the views read these.
export const HOPFIELD_MODELS = ['attnbm', 'gbrbm'] as const;

export const HOPFIELD_INITS = ['data', 'gaussian'] as const;

export const OPTIMIZERS = ['adam', 'sgd'] as const;

export const CORRUPTIONS = ['noise', 'occlude', 'missing'] as const;

export const RETRIEVAL_MEMORIES = ['machine', 'patterns'] as const;

export const COMPLETION_MASKS = ['random', 'bottom', 'right'] as const;

/** The model and its training (the data, toy or images, is composed in as `data`). */
export const HOPFIELD_TRAIN_FIELDS = {
  model: {
    kind: 'choice',
    label: 'Model',
    flag: 'model',
    choices: HOPFIELD_MODELS,
    choiceLabels: { attnbm: 'AttnBM (attention)', gbrbm: 'GB-RBM (exact)' },
    default: 'attnbm',
    doc: 'the attentional Boltzmann machine, or a Gaussian–Bernoulli RBM summed exactly over its 2^K states',
  },
  hidden: {
    kind: 'int',
    label: 'Hidden N_h / K',
    flag: 'hidden',
    metavar: 'N',
    min: 1,
    max: 4096,
    default: 5,
    doc: 'AttnBM: hidden states N_h; GB-RBM: binary hidden units K (2^K components, K ≤ 12)',
  },
  init: {
    kind: 'choice',
    label: 'Init',
    flag: 'init',
    choices: HOPFIELD_INITS,
    choiceLabels: { data: 'random data points', gaussian: 'Gaussian N(0, 1/N_v)' },
    default: 'data',
    doc: 'keys start at random training points (minus b) or as N(0, 1/N_v)',
  },
  trainB: { kind: 'switch', label: 'train b', flag: 'train-b', default: false, doc: 'train the visible bias b' },
  // On by default: the CLI's switch turns it off.
  trainC: { kind: 'switch', label: 'train c', flag: 'fixed-c', default: true, doc: 'train the hidden biases c (off: --fixed-c)' },
  optimizer: {
    kind: 'choice',
    label: 'Optimizer',
    flag: 'optimizer',
    choices: OPTIMIZERS,
    default: 'adam',
    doc: 'Adam or plain SGD',
  },
  learningRate: lrField({ max: 10, default: 0.05, step: 0.005, doc: 'step size' }),
  batchSize: {
    kind: 'int',
    label: 'Batch',
    flag: 'batch',
    metavar: 'N',
    min: 1,
    max: 10000,
    default: 50,
    doc: 'patterns per step',
  },
  epochs: {
    kind: 'int',
    label: 'Epochs',
    flag: 'epochs',
    metavar: 'N',
    min: 1,
    max: 100000,
    default: 40,
    doc: 'passes over the patterns',
  },
  seed: seedField('seed of the data, the initial keys and the batches'),
  warmStart: warmStartField(
    "start from the lab's current W, b and c (the last training, or a run opened from the runs table) instead of the initialisation; the same model, K and data size needed. The data and batches are the seed's",
  ),
} as const satisfies ParamSpec;

/** The 2-D toy: Gaussian clusters on a ring. */
export const TOY_DATA_FIELDS = {
  clusters: {
    kind: 'int',
    label: 'Clusters K',
    flag: 'clusters',
    metavar: 'K',
    min: 2,
    max: 10,
    default: 5,
    doc: 'Gaussian clusters on a ring',
  },
  perCluster: {
    kind: 'int',
    label: 'Points per cluster',
    flag: 'per-cluster',
    metavar: 'N',
    min: 5,
    max: 5000,
    default: 200,
    doc: 'training points per cluster',
  },
  radius: {
    kind: 'number',
    label: 'Ring radius',
    flag: 'radius',
    metavar: 'R',
    min: 0,
    max: 100,
    default: 6,
    step: 0.5,
    doc: 'radius of the ring',
  },
  std: {
    kind: 'number',
    label: 'Cluster σ',
    flag: 'std',
    metavar: 'S',
    min: 0,
    minExclusive: true,
    max: 20,
    default: 1,
    step: 0.1,
    doc: 'standard deviation of each cluster (the model’s components have 1)',
  },
} as const satisfies ParamSpec;

/** Images of the Datasets lab's dataset as patterns. */
export const IMAGE_DATA_FIELDS = {
  patterns: {
    kind: 'int',
    label: 'Stored patterns P',
    flag: 'patterns',
    metavar: 'P',
    min: 2,
    max: 10000,
    default: 200,
    doc: 'the first P of a seeded shuffle of the training split',
  },
  testPatterns: {
    kind: 'int',
    label: 'Test patterns',
    flag: 'test-patterns',
    metavar: 'N',
    min: 0,
    max: 10000,
    default: 200,
    doc: 'held-out patterns (test split, or the rest of the training split) for the test NLL',
  },
  zca: {
    kind: 'switch',
    label: 'ZCA whitening',
    flag: 'zca',
    default: false,
    doc: 'ZCA-whiten and scale to unit variance; otherwise pixels in [0, 1]',
  },
} as const satisfies ParamSpec;

/** Retrieval of one stored pattern from a corrupted version. */
export const RETRIEVAL_FIELDS = {
  memory: {
    kind: 'choice',
    label: 'Memory',
    flag: 'memory',
    choices: RETRIEVAL_MEMORIES,
    choiceLabels: { machine: 'trained keys W', patterns: 'the stored patterns (W = Ξ)' },
    default: 'machine',
    doc: 'keys: the trained W, or the stored patterns themselves (W = Ξ, b = c = 0)',
  },
  index: {
    kind: 'int',
    label: 'Pattern index',
    flag: 'index',
    metavar: 'I',
    min: 0,
    max: 1_000_000,
    default: 0,
    doc: 'the stored pattern to corrupt and retrieve',
  },
  corruption: {
    kind: 'choice',
    label: 'Corruption',
    flag: 'corruption',
    choices: CORRUPTIONS,
    choiceLabels: { noise: 'Gaussian noise σ', occlude: 'occlude bottom rows', missing: 'random missing pixels' },
    default: 'noise',
    doc: 'how the pattern is corrupted before retrieval',
  },
  level: {
    kind: 'number',
    label: 'Level',
    flag: 'level',
    metavar: 'L',
    min: 0,
    max: 10,
    default: 0.5,
    step: 0.05,
    doc: 'noise σ in pixel units, or the fraction of pixels occluded or missing',
  },
  beta: {
    kind: 'number',
    label: 'β',
    flag: 'beta',
    metavar: 'B',
    min: 0,
    minExclusive: true,
    max: 1000,
    // The view's slider spans six decades (a tiny β averages every memory: allowed, not on the slider).
    logMin: 0.001,
    default: 1,
    step: 0.1,
    doc: 'inverse temperature of the update v ← b + Wᵀ softmax(β(Wv + c))',
  },
  steps: { kind: 'int', label: 'Steps', flag: 'steps', metavar: 'K', min: 1, max: 200, default: 10, doc: 'retrieval updates' },
  seed: seedField('seed of the corruption'),
} as const satisfies ParamSpec;

/** Completing an image from its observed pixels: E[v_m | v_o] under the machine. */
export const COMPLETION_FIELDS = {
  split: {
    kind: 'choice',
    label: 'Split',
    flag: 'split',
    choices: ['train', 'test'],
    choiceLabels: { train: 'stored (training)', test: 'held-out (test)' },
    default: 'test',
    doc: 'a stored pattern or a held-out one',
  },
  index: { ...RETRIEVAL_FIELDS.index, label: 'Image index', doc: 'the image of that split to complete' },
  mask: {
    kind: 'choice',
    label: 'Hidden pixels',
    flag: 'mask',
    choices: COMPLETION_MASKS,
    choiceLabels: { random: 'a random fraction', bottom: 'the bottom part', right: 'the right part' },
    default: 'bottom',
    doc: 'which pixels are hidden',
  },
  fraction: {
    kind: 'number',
    label: 'Fraction hidden',
    flag: 'fraction',
    metavar: 'F',
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
    default: 0.4,
    step: 0.05,
    doc: 'the fraction of pixels hidden',
  },
  seed: seedField('seed of the random mask'),
} as const satisfies ParamSpec;

/** The capacity experiment: retrieval success over β, the number of stored patterns and the corruption level. */
export const CAPACITY_FIELDS = {
  betas: {
    kind: 'numbers',
    label: 'β values',
    flag: 'betas',
    metavar: 'β',
    // The single retrieval's range (RETRIEVAL_FIELDS.beta): one β, one set of bounds.
    min: RETRIEVAL_FIELDS.beta.min,
    minExclusive: RETRIEVAL_FIELDS.beta.minExclusive,
    max: RETRIEVAL_FIELDS.beta.max,
    minItems: 1,
    maxItems: 8,
    default: [0.05, 0.2, 1],
    doc: 'inverse temperatures of the update',
  },
  patternCounts: {
    kind: 'ints',
    label: 'Pattern counts P',
    flag: 'pattern-counts',
    metavar: 'P',
    min: 2,
    max: 10000,
    minItems: 1,
    maxItems: 12,
    default: [10, 50, 200, 1000],
    doc: 'numbers of stored patterns',
  },
  corruption: {
    kind: 'choice',
    label: 'Corruption',
    flag: 'corruption',
    choices: CORRUPTIONS,
    choiceLabels: { missing: 'missing pixels', occlude: 'occlusion', noise: 'Gaussian noise' },
    default: 'missing',
    doc: 'how a stored pattern is corrupted before retrieval',
  },
  levels: {
    kind: 'numbers',
    label: 'Levels',
    flag: 'levels',
    metavar: 'x',
    min: 0,
    max: 10,
    minItems: 1,
    maxItems: 12,
    default: [0.2, 0.5, 0.8],
    doc: 'corruption levels: a fraction of pixels, or the noise σ',
  },
  trials: {
    kind: 'int',
    label: 'Trials',
    flag: 'trials',
    metavar: 'K',
    min: 1,
    max: 200,
    default: 10,
    doc: 'retrievals per setting',
  },
  steps: {
    kind: 'int',
    label: 'Steps',
    flag: 'steps',
    metavar: 'K',
    min: 1,
    max: 100,
    default: 5,
    doc: 'update steps per retrieval',
  },
  seed: seedField('seed of the patterns and corruptions'),
} as const satisfies ParamSpec;
