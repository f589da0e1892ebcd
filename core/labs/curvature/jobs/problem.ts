// The loss problem a curvature job analyses: a network with its parameters, the first N training
// images of a dataset (pixels/255) and their labels. Worker side: it reads the files.
import { shapesOf, size } from '../../../../models/curvature/network.ts';
import type { Problem, CurvatureLoss } from '../../../../models/curvature/products.ts';
import type { DatasetSource } from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';
import { importSequential } from '../import.ts';

export interface Labelled {
  X: Float64Array;
  labels: Int32Array;
  N: number;
  shape: [number, number, number];
}

/** The first N training images of a dataset, as the import's spec says (not a random draw). */
export function firstImages(source: DatasetSource, N: number): Labelled {
  const tr = getDataset(source).train;
  if (N > tr.count) throw invalid(`samples: the dataset has only ${tr.count} training images`);
  const idx = Int32Array.from({ length: N }, (_, i) => i);
  const [H, W] = [tr.shape[0]!, tr.shape[1]!];
  return {
    X: pixelRows(tr, idx, new Float64Array(N * H * W)),
    labels: Int32Array.from(idx, (i) => tr.labels[i]!),
    N,
    shape: [1, H, W],
  };
}

/** A network of the user's own on the first N images, with one line for anything that does not fit. */
export function importedProblem(p: {
  weights: string;
  layers: string;
  source: DatasetSource;
  loss: CurvatureLoss;
  samples: number;
}): { problem: Problem; names: string[] } {
  const data = firstImages(p.source, p.samples);
  const imp = importSequential(p.weights, p.layers, data.shape);
  const out = size(shapesOf(imp.net).at(-1)!);
  const maxLabel = data.labels.reduce((a, b) => Math.max(a, b), 0);
  if (maxLabel >= out) throw invalid(`the network has ${out} outputs but the labels go up to ${maxLabel}`);
  return {
    problem: { net: imp.net, theta: imp.theta, X: data.X, N: data.N, loss: p.loss, labels: data.labels, targets: null },
    names: imp.names,
  };
}
