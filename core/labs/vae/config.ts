// The model configuration a VAE training run implies: shared by the jobs and by the session's
// load-time tensor checks, which must not load the job code.
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
