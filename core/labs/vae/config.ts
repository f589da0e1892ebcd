// The model configuration a VAE training run implies: shared by the jobs and by the session's
// load-time tensor checks, which must not load the job code.
import { mulberry32, permutation } from '../../../models/common/rng.ts';
import type { VaeConfig } from '../../../models/vae/shapes.ts';
import type { VaeTrainParams } from '../../contract.ts';

export function configOf(p: VaeTrainParams, imageShape: number[]): VaeConfig {
  return {
    arch: p.arch,
    inputShape: [imageShape[0]!, imageShape[1]!],
    hidden: p.hidden,
    latent: p.latent,
    decoder: p.decoder,
    gaussianSigma: p.gaussianSigma,
    beta: p.beta,
  };
}

/** The training images a run uses, in its draw: the first n of a seeded permutation of the split. */
export function trainingOrder(count: number, p: { trainSize: number; seed: number }): Uint32Array {
  const n = p.trainSize > 0 ? Math.min(p.trainSize, count) : count;
  return permutation(count, mulberry32(p.seed)).slice(0, n);
}
