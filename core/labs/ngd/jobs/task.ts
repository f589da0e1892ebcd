// What the NGD lab's jobs share, in their worker: the task (Gaussian inputs or two image classes),
// the network, and one method's run turned into its result.
import { mulberry32, permutation } from '../../../../models/common/rng.ts';
import { applyForster, forster, gaussianTask, standardise, twoClassTargets, unitRows } from '../../../../models/ngd/data.ts';
import { NgdError } from '../../../../models/ngd/methods.ts';
import { initNtk, type NtkNet } from '../../../../models/ngd/network.ts';
import { type NgdTask } from '../../../../models/ngd/train.ts';
import type { NgdNetworkParams } from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';

/** Loss values stored for a run that overflowed (the result must be finite to be kept). */
export const OVERFLOW = 1e300;

export const finiteOr = (xs: number[]) => xs.map((v) => (Number.isFinite(v) ? Math.min(v, OVERFLOW) : OVERFLOW));

export const yieldNow = () => new Promise((r) => setImmediate(r));

export interface Prepared {
  task: NgdTask;
  inputDim: number;
  forster: { iterations: number; residual: number } | null;
}

/** Two classes from an image split: the first N of a seeded shuffle whose label is one of the two. */
function twoClass(
  split: { count: number; labels: ArrayLike<number>; shape: number[] },
  pick: [number, number],
  count: number,
  rand: () => number,
  what: string,
): { idx: number[]; second: boolean[] } {
  const idx: number[] = [];
  const second: boolean[] = [];
  for (const i of permutation(split.count, rand)) {
    const y = split.labels[i]!;
    if (y !== pick[0] && y !== pick[1]) continue;
    idx.push(i);
    second.push(y === pick[1]);
    if (idx.length === count) break;
  }
  if (idx.length < count)
    throw invalid(`${what}: only ${idx.length} images of classes ${pick[0]} and ${pick[1]}, ${count} asked`);
  return { idx, second };
}

/** Constant inputs cannot be standardised: the job's one-line error. */
function guardedStandardise(X: Float64Array): Float64Array {
  try {
    return standardise(X);
  } catch (e) {
    throw invalid((e as Error).message);
  }
}

/** The task a parameter set describes: inputs on the unit sphere, targets ±0.5, the Forster transform if asked. */
export function prepareTask(p: NgdNetworkParams): Prepared {
  const rand = mulberry32(p.seed ^ 0x5bd1e995);
  const T = p.samples;
  const Tt = p.testSamples;
  let X: Float64Array;
  let Y: Float64Array;
  let Xt: Float64Array;
  let Yt: Float64Array;
  let d: number;
  if (p.data === 'gaussian') {
    d = p.inputDim;
    ({ X, Y } = gaussianTask(T, d, p.outputs, rand));
    ({ X: Xt, Y: Yt } = gaussianTask(Tt, d, p.outputs, rand));
    if (p.preprocess === 'standardise') {
      X = unitRows(guardedStandardise(X), T, d);
      Xt = unitRows(guardedStandardise(Xt), Tt, d);
    }
  } else {
    const ds = getDataset(p.data === 'mnist01' ? { kind: 'mnist' } : p.source);
    const tr = ds.train;
    const te = ds.test ?? ds.train;
    d = tr.shape[0]! * tr.shape[1]!;
    const present = [...new Set(Array.from(tr.labels))].sort((a, b) => a - b);
    const pick: [number, number] = p.data === 'mnist01' ? [0, 1] : [present[0]!, present[1]!];
    if (p.data === 'dataset' && present.length < 2) throw invalid(`${ds.name} has fewer than two classes`);
    const a = twoClass(tr, pick, T, rand, ds.name);
    // Without a test split the test images come from the rest of the training split.
    const b = ds.test
      ? twoClass(te, pick, Tt, rand, `${ds.name} (test)`)
      : (() => {
          const used = new Set(a.idx);
          const rest = { ...te, count: te.count };
          const all = twoClass(rest, pick, Math.min(te.count, Tt + T), rand, ds.name);
          const keep = all.idx
            .map((i, k) => [i, all.second[k]!] as const)
            .filter(([i]) => !used.has(i))
            .slice(0, Tt);
          if (keep.length < Tt)
            throw invalid(`${ds.name}: not enough images of classes ${pick.join(' and ')} for ${Tt} test samples`);
          return { idx: keep.map(([i]) => i), second: keep.map(([, s]) => s) };
        })();
    // Standardising (the authors' preparation) shifts every pixel: it precedes the unit norm.
    const prep = (x: Float64Array) => (p.preprocess === 'standardise' ? guardedStandardise(x) : x);
    X = unitRows(prep(pixelRows(tr, a.idx, new Float64Array(T * d))), T, d);
    Xt = unitRows(prep(pixelRows(te, b.idx, new Float64Array(Tt * d))), Tt, d);
    Y = twoClassTargets(a.second, p.outputs);
    Yt = twoClassTargets(b.second, p.outputs);
  }
  let info: Prepared['forster'] = null;
  if (p.forster) {
    if (T < d) throw invalid(`the Forster transform needs N ≥ M₀ (N = ${T}, M₀ = ${d})`);
    try {
      const f = forster(X, T, d);
      X = f.X;
      Xt = applyForster(Xt, Tt, d, f.map);
      info = { iterations: f.iterations, residual: f.residual };
    } catch (e) {
      throw invalid(String((e as Error).message));
    }
  }
  return { task: { X, Y, T, Xt, Yt, Tt, forster: p.forster }, inputDim: d, forster: info };
}

export function networkOf(p: NgdNetworkParams, inputDim: number, width = p.width): NtkNet {
  const widths = [inputDim, ...Array<number>(p.depth - 1).fill(width), p.outputs];
  return initNtk({ activation: p.activation, widths, sigmaW2: p.sigmaW2, sigmaB2: p.sigmaB2 }, mulberry32(p.seed));
}

/** A method's failure (a singular system at ρ = 0) is the job's one-line error. */
export function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NgdError) throw invalid(e.message);
    throw e;
  }
}
