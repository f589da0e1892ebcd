// A sequential network's description: its layers, each layer's input shape (checked, with one
// line naming the layer that does not fit) and where each layer's parameters sit in θ.

export type Act = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'erf' | 'linear';

export type Layer =
  | { kind: 'linear'; inputs: number; outputs: number; bias: boolean }
  /** `padding` before each spatial axis, and `padAfter` after it when it differs (TensorFlow's 'same' at stride 2 pads 0 before, 1 after). */
  | {
      kind: 'conv2d';
      channels: number;
      filters: number;
      kernel: number;
      stride: number;
      padding: number;
      padAfter?: number;
      bias: boolean;
    }
  | { kind: 'maxpool2d'; kernel: number; stride: number }
  /** Over neighbouring features of a flat input, stride 1, 'same' (the window clipped at the ends): the field lab's pooling. */
  | { kind: 'maxpool1d'; kernel: number }
  | { kind: 'flatten' }
  /** The same values as (channels, height, width): a flat layer's units already in that order. */
  | { kind: 'reshape'; shape: [number, number, number] }
  /** Nearest-neighbour upsampling by an integer factor (TensorFlow's resizeNearestNeighbor to factor × the size). */
  | { kind: 'upsample'; factor: number }
  | { kind: 'activation'; fn: Act }
  /** Eval mode: y = γ (x − mean)/√(variance + eps) + β per channel; γ and β are parameters. */
  | { kind: 'batchnorm'; features: number; mean: Float64Array; variance: Float64Array; eps: number };

export interface Network {
  /** One sample's shape: [features] or [channels, height, width]. */
  input: number[];
  layers: Layer[];
}

/** Each layer's input shape, and the output's last; throws one line naming the layer that does not fit. */
export function shapesOf(net: Network): number[][] {
  const shapes = [net.input];
  let s = net.input;
  net.layers.forEach((l, i) => {
    const where = `layer ${i} (${l.kind})`;
    if (l.kind === 'linear') {
      if (s.length !== 1) throw new Error(`${where}: expects flat input, got shape [${s.join(', ')}] (add a Flatten)`);
      if (s[0] !== l.inputs) throw new Error(`${where}: expects ${l.inputs} inputs, gets ${s[0]}`);
      s = [l.outputs];
    } else if (l.kind === 'conv2d') {
      if (s.length !== 3) throw new Error(`${where}: expects (channels, height, width) input, got [${s.join(', ')}]`);
      if (s[0] !== l.channels) throw new Error(`${where}: expects ${l.channels} channels, gets ${s[0]}`);
      const o = (n: number) => Math.floor((n + l.padding + (l.padAfter ?? l.padding) - l.kernel) / l.stride) + 1;
      if (o(s[1]!) < 1 || o(s[2]!) < 1) throw new Error(`${where}: the kernel does not fit a ${s[1]}×${s[2]} input`);
      s = [l.filters, o(s[1]!), o(s[2]!)];
    } else if (l.kind === 'maxpool2d') {
      if (s.length !== 3) throw new Error(`${where}: expects (channels, height, width) input`);
      const o = (n: number) => Math.floor((n - l.kernel) / l.stride) + 1;
      if (o(s[1]!) < 1 || o(s[2]!) < 1) throw new Error(`${where}: the window does not fit a ${s[1]}×${s[2]} input`);
      s = [s[0]!, o(s[1]!), o(s[2]!)];
    } else if (l.kind === 'maxpool1d') {
      if (s.length !== 1) throw new Error(`${where}: expects flat input`);
    } else if (l.kind === 'flatten') s = [size(s)];
    else if (l.kind === 'reshape') {
      if (size(s) !== size(l.shape)) throw new Error(`${where}: ${size(s)} values cannot be shaped [${l.shape.join(', ')}]`);
      s = [...l.shape];
    } else if (l.kind === 'upsample') {
      if (s.length !== 3) throw new Error(`${where}: expects (channels, height, width) input`);
      s = [s[0]!, s[1]! * l.factor, s[2]! * l.factor];
    } else if (l.kind === 'batchnorm' && s[0] !== l.features)
      throw new Error(`${where}: expects ${l.features} features or channels, gets ${s[0]}`);
    shapes.push(s);
  });
  return shapes;
}

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Parameters of one layer, weight first then bias (PyTorch's state_dict order). */
export function parameterCount(l: Layer): number {
  if (l.kind === 'linear') return l.inputs * l.outputs + (l.bias ? l.outputs : 0);
  if (l.kind === 'conv2d') return l.filters * l.channels * l.kernel * l.kernel + (l.bias ? l.filters : 0);
  if (l.kind === 'batchnorm') return 2 * l.features;
  return 0;
}

/** Where each layer's parameters start in θ, and P at the end. */
export function offsetsOf(net: Network): number[] {
  const o = [0];
  for (const l of net.layers) o.push(o.at(-1)! + parameterCount(l));
  return o;
}
