// Turns a lab data spec into pattern matrices in model space, reproducibly from the seed, and
// maps between model space and pixels (ZCA or identity). Used by the training job, the
// capacity job and the CLI alike.
import { mulberry32, permutation } from '../../../models/common/rng.ts';
import { fitZca, toyMixture, unwhiten, whiten, type Whitening } from '../../../models/hopfield/data.ts';
import { logSumExp, nll, priorLogits, softmax, type Machine } from '../../../models/hopfield/machine.ts';
import type { DensityGrid, HopfieldData } from '../../contract.ts';
import { getDataset, pixelRows } from '../../data/datasets.ts';
import type { LabelledImages } from '../../data/idx.ts';
import { invalid } from '../../errors.ts';

/** A retrieval succeeds when the final state is nearest its own pattern with at least this cosine overlap. */
export const SUCCESS_OVERLAP = 0.9;

export interface Prepared {
  nv: number;
  imageShape: number[] | null;
  train: Float64Array;
  trainLabels: Int32Array;
  nTrain: number;
  test: Float64Array;
  testLabels: Int32Array;
  nTest: number;
  whitening: Whitening | null;
  trueCentres: Float64Array | null;
}

/** Rows `idx` of a split as float64 pixels in [0, 1], with their labels. */
export function labelledRows(split: LabelledImages, idx: ArrayLike<number>): { X: Float64Array; labels: Int32Array } {
  const D = split.shape[0]! * split.shape[1]!;
  return { X: pixelRows(split, idx, new Float64Array(idx.length * D)), labels: Int32Array.from(idx, (i) => split.labels[i]!) };
}

export function prepareData(data: HopfieldData, seed: number): Prepared {
  const rand = mulberry32(seed);
  if (data.kind === 'toy') {
    // One draw holds train and test: labels cycle through the clusters, so both are balanced.
    const perTest = Math.max(1, Math.ceil(data.perCluster / 4));
    const all = toyMixture(data.clusters, data.perCluster + perTest, data.radius, data.std, rand);
    const nTrain = data.clusters * data.perCluster;
    return {
      nv: 2,
      imageShape: null,
      train: all.X.slice(0, nTrain * 2),
      trainLabels: all.labels.slice(0, nTrain),
      nTrain,
      test: all.X.slice(nTrain * 2),
      testLabels: all.labels.slice(nTrain),
      nTest: all.n - nTrain,
      whitening: null,
      trueCentres: all.centres,
    };
  }
  const ds = getDataset(data.source);
  const tr = ds.train;
  const order = permutation(tr.count, rand);
  if (data.patterns > tr.count)
    throw invalid(`patterns: the training split has only ${tr.count} images, asked for ${data.patterns}`);
  const trainIdx = order.subarray(0, data.patterns);
  let testRows: { X: Float64Array; labels: Int32Array };
  if (ds.test) {
    const n = Math.min(data.testPatterns, ds.test.count);
    testRows = labelledRows(ds.test, permutation(ds.test.count, rand).subarray(0, n));
  } else {
    const n = Math.min(data.testPatterns, tr.count - data.patterns);
    testRows = labelledRows(tr, order.subarray(data.patterns, data.patterns + n));
  }
  const trainRows = labelledRows(tr, trainIdx);
  const nv = tr.shape[0]! * tr.shape[1]!;
  const nTest = testRows.labels.length;
  let whitening: Whitening | null = null;
  let train = trainRows.X;
  let test = testRows.X;
  if (data.zca) {
    whitening = fitZca(trainRows.X, data.patterns, nv);
    train = whiten(whitening, trainRows.X, data.patterns);
    test = whiten(whitening, testRows.X, nTest);
  }
  return {
    nv,
    imageShape: [tr.shape[0]!, tr.shape[1]!],
    train,
    trainLabels: trainRows.labels,
    nTrain: data.patterns,
    test,
    testLabels: testRows.labels,
    nTest,
    whitening,
    trueCentres: null,
  };
}

export function toPixels(w: Whitening | null, V: Float64Array, n: number): Float64Array {
  return w ? unwhiten(w, V, n) : V;
}

export function toModel(w: Whitening | null, X: Float64Array, n: number): Float64Array {
  return w ? whiten(w, X, n) : X;
}

/** Each row scaled symmetrically around mid-grey by its largest magnitude (receptive fields). */
export function signedRowsToBytes(X: ArrayLike<number>, rows: number, d: number): Uint8Array {
  const out = new Uint8Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = 0; j < d; j++) m = Math.max(m, Math.abs(X[r * d + j]!));
    for (let j = 0; j < d; j++) out[r * d + j] = Math.round(127.5 + (m > 0 ? (127.5 * X[r * d + j]!) / m : 0));
  }
  return out;
}

/**
 * Corrupts pixel rows in place: Gaussian noise of σ = level, the bottom `level` fraction of
 * rows set to black (occlusion), or a random `level` fraction of pixels set to black (missing).
 */
export function corrupt(
  x: Float64Array,
  shape: number[] | null,
  kind: 'noise' | 'occlude' | 'missing',
  level: number,
  rand: () => number,
  gaussian: (r: () => number) => number,
): void {
  const d = x.length;
  if (kind === 'noise') {
    for (let j = 0; j < d; j++) x[j] = x[j]! + level * gaussian(rand);
    return;
  }
  if (level > 1)
    throw invalid(`level: the fraction of pixels to ${kind === 'occlude' ? 'occlude' : 'remove'} must be in 0..1, got ${level}`);
  if (kind === 'occlude') {
    if (!shape) throw invalid('occlusion hides image rows, so it needs image data; use noise for the 2-D toy');
    const [h, w] = shape as [number, number];
    const from = Math.round(h * (1 - level));
    for (let y = from; y < h; y++) for (let j = 0; j < w; j++) x[y * w + j] = 0;
    return;
  }
  for (let j = 0; j < d; j++) if (rand() < level) x[j] = 0;
}

/**
 * log p(v) of a 2-D machine on an n × n grid over the data (square, with room for the tails),
 * with up to 1000 of the data points; used for the final plot and for live previews.
 */
export function densityGrid(
  m: Machine,
  X: Float64Array,
  labels: Int32Array,
  count: number,
  n: number,
  trueCentres: number[][] | null,
): DensityGrid {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < count; i++) {
    x0 = Math.min(x0, X[2 * i]!);
    x1 = Math.max(x1, X[2 * i]!);
    y0 = Math.min(y0, X[2 * i + 1]!);
    y1 = Math.max(y1, X[2 * i + 1]!);
  }
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const half = Math.max(x1 - x0, y1 - y0) / 2 + 3;
  [x0, x1, y0, y1] = [cx - half, cx + half, cy - half, cy + half];
  const a = priorLogits(m);
  const logZa = logSumExp(a);
  const logDensity: number[] = [];
  for (let j = 0; j < n; j++) {
    const y = y0 + ((y1 - y0) * j) / (n - 1);
    for (let i = 0; i < n; i++) logDensity.push(-nll(m, [x0 + ((x1 - x0) * i) / (n - 1), y], logZa));
  }
  const stride = Math.max(1, Math.floor(count / 1000));
  const points: number[][] = [];
  for (let i = 0; i < count; i += stride) points.push([X[2 * i]!, X[2 * i + 1]!, labels[i]!]);
  return {
    x0,
    x1,
    y0,
    y1,
    n,
    logDensity,
    points,
    centres: Array.from({ length: m.nh }, (_, mu) => [m.b[0]! + m.W[2 * mu]!, m.b[1]! + m.W[2 * mu + 1]!]),
    weights: Array.from(softmax(a)),
    trueCentres,
  };
}
