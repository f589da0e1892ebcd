// What each job kind runs inside a worker. Imported only by the worker, so the UI-facing
// process never loads model code. A lab issue adds its kinds here.
import type { JobKind } from '../contract.ts';
import { runBaseline } from '../services/data/jobs.ts';
import { runCapacity, runHopfieldTrain } from '../services/hopfield/jobs.ts';
import { runFieldRobustness, runFieldTrain } from '../services/field/jobs.ts';
import { runBlocks, runIsometry, runLrSweep, runSpectrum, runSweep } from '../services/fisher/jobs.ts';
import { runVaeRecall, runVaeSweep, runVaeTrain } from '../services/vae/jobs.ts';
import { runSweepLocal } from '../services/sweep/jobs.ts';
import type { JobHandler } from './types.ts';

export const HANDLERS: { [K in JobKind]: JobHandler<K> } = {
  'data.baseline': runBaseline,
  'vae.train': runVaeTrain,
  'vae.recall': runVaeRecall,
  'vae.sweep': runVaeSweep,
  'fisher.spectrum': runSpectrum,
  'fisher.sweep': runSweep,
  'fisher.lrsweep': runLrSweep,
  'fisher.isometry': runIsometry,
  'fisher.blocks': runBlocks,
  'field.train': runFieldTrain,
  'field.robustness': runFieldRobustness,
  'hopfield.train': runHopfieldTrain,
  'hopfield.capacity': runCapacity,
  'sweep.local': runSweepLocal,
};
