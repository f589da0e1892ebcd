// The contract of the augmentation lab: a small classifier trained on few samples per class under
// no augmentation (NA), augmentation of every sample (CA), self-paced augmentation (SPA: only the
// samples whose current loss is above a threshold; Takase, Karakida & Asoh, Neurocomputing 2021)
// and RandAugment-style draws, compared over seeds and training-set sizes. Part of the one contract
// (core/contract.ts re-exports it): JSON-safe, and it imports nothing but other contract files.
import { type QuickLook, defaultsOf } from '../../contract/params.ts';
import type { DatasetSource } from '../data/contract.ts';

export * from './contract/fields.ts';
import { AUGMENT_FIELDS, type AugmentFields, type AugmentPolicy } from './contract/fields.ts';

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
