// The curvature rows of `npm run bench`: λ_max by 20 Lanczos steps with full reorthogonalisation
// on the curvature lab's exact float64 products, the forward pass included, for an MLP, the VAE
// and the augmentation lab's CNN. bench/reference.py does the same with PyTorch's own products.
import { gaussian, mulberry32 } from '../models/common/rng.ts';
import type { Network } from '../models/curvature/network.ts';
import { offsetsOf } from '../models/curvature/layers.ts';
import { operatorOf, operatorOfModel } from '../models/curvature/products.ts';
import { elboTerms, vaeModel, vaeNetworks } from '../models/curvature/vae.ts';
import { lanczosTopK } from '../models/linalg/lanczos.ts';
import { initialTensors, type VaeConfig } from '../models/vae/vae.ts';
import { time } from './workloads.ts';

/**
 * λ_max of the mean cross-entropy's GGN or Hessian of a ReLU MLP 784-128-10 on 1,000 inputs in
 * [0, 1): 20 Lanczos steps with full reorthogonalisation on the curvature lab's exact products
 * (float64), the forward pass included. bench/reference.py does the same with PyTorch's own
 * products (forward-mode by double backward for the GGN, double backpropagation for the Hessian).
 */
export function curvatureSeconds(matrix: 'ggn' | 'hessian', blocks: number): number {
  const r = mulberry32(1);
  const N = 1000;
  const net: Network = {
    input: [784],
    layers: [
      { kind: 'linear', inputs: 784, outputs: 128, bias: true },
      { kind: 'activation', fn: 'relu' },
      { kind: 'linear', inputs: 128, outputs: 10, bias: true },
    ],
  };
  const theta = new Float64Array(784 * 128 + 128 + 128 * 10 + 10);
  for (let i = 0; i < 784 * 128; i++) theta[i] = gaussian(r) * Math.sqrt(2 / 784);
  for (let i = 0; i < 1280; i++) theta[784 * 128 + 128 + i] = gaussian(r) * Math.sqrt(2 / 128);
  const X = Float64Array.from({ length: N * 784 }, () => r());
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * 10));
  return time(() => {
    const op = operatorOf({ net, theta, X, N, loss: 'ce', labels, targets: null }, matrix);
    lanczosTopK(op.P, 1, op.matvec, { maxIter: 20, tol: 0 });
  }, blocks);
}

/**
 * λ_max of the GGN of a VAE 784-400-20's negative ELBO (Bernoulli decoder, ε fixed) on 1,000
 * inputs in [0, 1): 20 Lanczos steps on the curvature lab's products through encoder, sample and
 * decoder (float64), the forward pass included; weights as PyTorch initialises them. The issue's
 * target: well under a minute. bench/reference.py does the same with PyTorch's own products.
 */
export function curvatureVaeSeconds(blocks: number): number {
  const r = mulberry32(1);
  const config: VaeConfig = {
    arch: 'mlp',
    inputShape: [28, 28],
    hidden: [400],
    latent: 20,
    decoder: 'bernoulli',
    gaussianSigma: 1,
    beta: 1,
  };
  const values = initialTensors(config, r);
  const N = 1000;
  const X = Float64Array.from({ length: N * 784 }, () => r());
  const eps = Float64Array.from({ length: N * 20 }, () => gaussian(r));
  const { nets, theta } = vaeNetworks(config, values);
  return time(() => {
    const model = vaeModel(nets, theta, X, N, eps);
    const op = operatorOfModel(
      model,
      elboTerms({ D: 784, d: 20, decoder: 'bernoulli', gaussianSigma: 1, beta: 1 }, model.out, X, N),
      'ggn',
    );
    lanczosTopK(op.P, 1, op.matvec, { maxIter: 20, tol: 0 });
  }, blocks);
}

/**
 * λ_max of the mean cross-entropy's GGN of the augmentation lab's CNN (Kairo's protocol: conv 3 × 3
 * · 16, ReLU, max-pool 2, conv 3 × 3 · 32, ReLU, max-pool 2, dense 1,568 → 10; P = 20,490) on 1,000
 * 28 × 28 inputs in [0, 1): 20 Lanczos steps, He-initialised weights, zero biases.
 */
export function curvatureCnnSeconds(blocks: number): number {
  const r = mulberry32(1);
  const N = 1000;
  const conv = (channels: number, filters: number) =>
    ({ kind: 'conv2d', channels, filters, kernel: 3, stride: 1, padding: 1, bias: true }) as const;
  const net: Network = {
    input: [1, 28, 28],
    layers: [
      conv(1, 16),
      { kind: 'activation', fn: 'relu' },
      { kind: 'maxpool2d', kernel: 2, stride: 2 },
      conv(16, 32),
      { kind: 'activation', fn: 'relu' },
      { kind: 'maxpool2d', kernel: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'linear', inputs: 1568, outputs: 10, bias: true },
    ],
  };
  const at = offsetsOf(net);
  const theta = new Float64Array(at.at(-1)!);
  // He scales per layer (fan-in 9, 144, 1568); each layer's biases sit after its weights and stay 0.
  for (const [layer, fanIn, weights] of [
    [0, 9, 16 * 9],
    [3, 144, 32 * 144],
    [7, 1568, 1568 * 10],
  ] as const)
    for (let i = 0; i < weights; i++) theta[at[layer]! + i] = gaussian(r) * Math.sqrt(2 / fanIn);
  const X = Float64Array.from({ length: N * 784 }, () => r());
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * 10));
  return time(() => {
    const op = operatorOf({ net, theta, X, N, loss: 'ce', labels, targets: null }, 'ggn');
    lanczosTopK(op.P, 1, op.matvec, { maxIter: 20, tol: 0 });
  }, blocks);
}
