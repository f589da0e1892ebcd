// The dataset flags lab commands share: MNIST by default, or a pair of IDX files (with an optional
// test pair), as `kairo vae train` and `kairo augment run` take them.
import { FASHION_MNIST_SOURCE, type DatasetSource } from '../../contract.ts';
import { invalid } from '../../errors.ts';
import type { Parsed } from './args.ts';

export const IDX_FLAGS = ['dataset', 'idx-images', 'idx-labels', 'idx-test-images', 'idx-test-labels'] as const;
/** The dataset flags for a usage text, the test pair on a second line at `indent`. */
export const idxUsage = (indent: number) =>
  `[--dataset mnist|fashion-mnist | --idx-images F --idx-labels F\n${' '.repeat(indent)} [--idx-test-images F --idx-test-labels F]]`;

/** MNIST where no IDX file is named; the packaged Fashion-MNIST by name; otherwise the named files, both of a pair or neither. */
export function idxSource(p: Parsed): Extract<DatasetSource, { kind: 'mnist' | 'idx' }> {
  const named = p.flags.get('dataset');
  if (named !== undefined) {
    if (named !== 'mnist' && named !== 'fashion-mnist') throw invalid(`--dataset: mnist or fashion-mnist (got ${String(named)})`);
    if (IDX_FLAGS.some((f) => f !== 'dataset' && p.flags.has(f)))
      throw invalid('give --dataset or --idx-images/--idx-labels, not both');
    return named === 'mnist' ? { kind: 'mnist' } : { ...FASHION_MNIST_SOURCE };
  }
  const images = p.flags.get('idx-images');
  const labels = p.flags.get('idx-labels');
  const ti = p.flags.get('idx-test-images');
  const tl = p.flags.get('idx-test-labels');
  if (images === undefined && labels === undefined) {
    if (ti !== undefined || tl !== undefined)
      throw invalid('--idx-test-images/--idx-test-labels need --idx-images and --idx-labels');
    return { kind: 'mnist' };
  }
  if (typeof images !== 'string' || typeof labels !== 'string') throw invalid('give both --idx-images and --idx-labels');
  if ((ti === undefined) !== (tl === undefined)) throw invalid('give both --idx-test-images and --idx-test-labels, or neither');
  return {
    kind: 'idx',
    name: 'IDX dataset',
    trainImages: images,
    trainLabels: labels,
    testImages: typeof ti === 'string' ? ti : null,
    testLabels: typeof tl === 'string' ? tl : null,
  };
}
