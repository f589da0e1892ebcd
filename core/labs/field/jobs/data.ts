// The field lab's training and test images and its ±targets, without TensorFlow.js: the
// curvature lab's float64 worker reads the same draw.
import { mulberry32, permutation } from '../../../../models/common/rng.ts';
import type { FieldNetSpec } from '../../../../models/field/shapes.ts';
import type { FieldTrainParams } from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';

/** Targets as in the published code: 0.9 for the class, −0.1 elsewhere. */
export function targets(labels: ArrayLike<number>, C: number): Float32Array {
  const Y = new Float32Array(labels.length * C).fill(-0.1);
  for (let i = 0; i < labels.length; i++) Y[i * C + labels[i]!] = 0.9;
  return Y;
}

export interface Data {
  X: Float32Array;
  labels: Int32Array;
  Y: Float32Array;
  n: number;
  Xt: Float32Array;
  labelsT: Int32Array;
  nt: number;
  D: number;
  C: number;
  shape: [number, number];
}

export function loadData(p: FieldTrainParams): Data {
  const ds = getDataset(p.source);
  const rand = mulberry32(p.seed ^ 0x2545f491);
  const tr = ds.train;
  if (p.trainSize > tr.count) throw invalid(`trainSize: the dataset has ${tr.count} training images`);
  const idx = permutation(tr.count, rand).subarray(0, p.trainSize);
  const test = ds.test ?? tr;
  const tIdx = permutation(test.count, rand).subarray(0, Math.min(p.testSize, test.count));
  const C = Math.max(tr.classes, ds.test?.classes ?? 0);
  const labels = Int32Array.from(idx, (i) => tr.labels[i]!);
  return {
    X: pixelRows(tr, idx),
    labels,
    Y: targets(labels, C),
    n: idx.length,
    Xt: pixelRows(test, tIdx),
    labelsT: Int32Array.from(tIdx, (i) => test.labels[i]!),
    nt: tIdx.length,
    D: tr.shape[0]! * tr.shape[1]!,
    C,
    shape: [tr.shape[0]!, tr.shape[1]!],
  };
}

/** The network's shape and scales from the training parameters (its input and output sizes from the data). */
export const fieldSpec = (p: FieldTrainParams): Omit<FieldNetSpec, 'inputDim' | 'classes'> => ({
  width: p.width,
  maxpool: p.maxpool,
  sigmaW: p.sigmaW,
  sigmaB: p.sigmaB,
});
