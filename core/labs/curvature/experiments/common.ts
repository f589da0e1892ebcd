// What the curvature lab's experiments check in the core before a job starts (rules that need
// the dataset or the imported files: k below P, labels below the outputs, the Lanczos basis's
// memory), and the names the CLI prints.
import { mulberry32, permutation } from '../../../../models/common/rng.ts';
import { offsetsOf, shapesOf, size } from '../../../../models/curvature/network.ts';
import type { CurvatureParams, FisherNetworkParams } from '../../../contract.ts';
import { getDataset } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';
import { importSequential } from '../import.ts';
import { needsTargets } from '../state.ts';

/** The Lanczos basis is kept whole for full reorthogonalisation: steps × P float64 values. */
export const BASIS_LIMIT_BYTES = 2 ** 31;

/** Parameters of a fresh MLP, from its widths (the input width from the dataset for images). */
export function freshParameters(n: FisherNetworkParams): number {
  const tr = n.inputs === 'images' ? getDataset(n.source).train : null;
  const M0 = tr ? tr.shape[0]! * tr.shape[1]! : n.inputDim;
  const widths = [M0, ...new Array<number>(n.depth - 1).fill(n.width), n.outputs];
  return widths.slice(1).reduce((s, w, l) => s + w * widths[l]! + w, 0);
}

/** The labels of a fresh network's T images: the same permutation of the same seed as the Fisher lab's draw (null for Gaussian inputs). */
export function freshLabels(n: FisherNetworkParams): Int32Array | null {
  if (n.inputs !== 'images') return null;
  const tr = getDataset(n.source).train;
  if (n.samples > tr.count) throw invalid(`network.samples: the dataset has only ${tr.count} training images`);
  const idx = permutation(tr.count, mulberry32(n.seed)).subarray(0, n.samples);
  return Int32Array.from(idx, (i) => tr.labels[i]!);
}

/** The largest label among a fresh network's images, or null for Gaussian inputs. */
export function freshMaxLabel(n: FisherNetworkParams): number | null {
  const labels = freshLabels(n);
  return labels && labels.reduce((m, l) => Math.max(m, l), 0);
}

/**
 * Everything a spectrum run needs that the schema cannot see; one line for the first problem.
 * A session's model comes with its parameter count and the images it was trained on.
 */
export function checkSpectrum(p: CurvatureParams, held?: { P: number; images: number }): void {
  const where = 'curvature.spectrum';
  let P: number;
  if (p.model === 'session') {
    if (!held) throw invalid(`${where}: the session's model was not read`);
    P = held.P;
    if (p.session.samples > held.images)
      throw invalid(`${where}.session.samples: the ${p.session.lab} model was trained on ${held.images} images`);
  } else if (p.model === 'fresh') {
    P = freshParameters(p.network);
    const top = freshMaxLabel(p.network);
    if (needsTargets(p.analysis.matrix) && top !== null && top >= p.network.outputs)
      throw invalid(
        `${where}.network.outputs: the ${p.analysis.matrix} needs the labels (up to ${top}) below the outputs: at least ${top + 1}`,
      );
  } else {
    const files = p.imported.files!;
    const tr = getDataset(p.imported.source).train;
    if (p.imported.samples > tr.count)
      throw invalid(`${where}.imported.samples: the dataset has only ${tr.count} training images`);
    const im = importSequential(files.weights, files.layers, [1, tr.shape[0]!, tr.shape[1]!]);
    P = offsetsOf(im.net).at(-1)!;
    const C = size(shapesOf(im.net).at(-1)!);
    let top = 0;
    for (let i = 0; i < p.imported.samples; i++) top = Math.max(top, tr.labels[i]!);
    if (top >= C)
      throw invalid(`${where}: the network has ${C} outputs but the first ${p.imported.samples} labels go up to ${top}`);
  }
  if (p.analysis.top >= P) throw invalid(`${where}.analysis.top: k must be below the ${P} parameters`);
  const steps = Math.max(p.analysis.lanczosSteps, p.analysis.top + 1);
  const bytes = steps * P * 8;
  if (bytes > BASIS_LIMIT_BYTES)
    throw invalid(
      `${where}: the Lanczos basis (${steps} vectors of ${P} parameters) would take ${(bytes / 2 ** 30).toFixed(1)} GB; lower --lanczos-steps or use a smaller network`,
    );
}

export const round = (x: number | null, digits = 6) => (x === null ? null : Number(x.toPrecision(digits)));
