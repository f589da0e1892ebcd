// The Fisher lab's random MLP (models/ntk/gram.ts) as a sequential network with its parameters
// flattened in PyTorch's order (each layer's weight rows, then its bias): the same function, so
// the curvature of a fresh network is that of the network the Fisher lab measures.
import type { Mlp } from '../ntk/gram.ts';
import type { Layer, Network } from './network.ts';

export function fromMlp(mlp: Mlp): { net: Network; theta: Float64Array } {
  if ((mlp.norm ?? 'none') !== 'none')
    throw new Error('normalised hidden layers couple the samples: the curvature lab takes --norm none');
  const layers: Layer[] = [];
  const L = mlp.weights.length;
  for (let l = 0; l < L; l++) {
    layers.push({ kind: 'linear', inputs: mlp.widths[l]!, outputs: mlp.widths[l + 1]!, bias: true });
    if (l < L - 1) layers.push({ kind: 'activation', fn: mlp.activation });
  }
  const theta = new Float64Array(mlp.weights.reduce((s, W, l) => s + W.length + mlp.biases[l]!.length, 0));
  let o = 0;
  for (let l = 0; l < L; l++) {
    theta.set(mlp.weights[l]!, o);
    o += mlp.weights[l]!.length;
    theta.set(mlp.biases[l]!, o);
    o += mlp.biases[l]!.length;
  }
  return { net: { input: [mlp.widths[0]!], layers }, theta };
}
