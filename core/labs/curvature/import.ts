// A network of the user's own: a PyTorch nn.Sequential's state_dict saved as safetensors (keys
// "<index>.weight", "<index>.bias", and BatchNorm's running statistics, as nn.Sequential names
// them) plus a JSON list of its layers in order. Both files are read through the one
// regular-file reader and checked completely; anything Kairo cannot represent is refused with
// one line naming the layer or the tensor.
import type { Layer, Network } from '../../../models/curvature/network.ts';
import { offsetsOf, shapesOf } from '../../../models/curvature/network.ts';
import { invalid } from '../../errors.ts';
import { readRegularFile } from '../../files.ts';

/** PyTorch's names, as the JSON writes them, and what each takes after its name. */
const LAYER_ARGS = new Map<string, string>([
  ['Linear', 'in_features, out_features'],
  ['Conv2d', 'in_channels, out_channels, kernel_size[, stride[, padding]]'],
  ['MaxPool2d', 'kernel_size[, stride]'],
  ['BatchNorm1d', 'num_features[, eps]'],
  ['BatchNorm2d', 'num_features[, eps]'],
  ['Flatten', ''],
  ['ReLU', ''],
  ['Tanh', ''],
  ['GELU', ''],
  ['Sigmoid', ''],
  ['Dropout', '[p] (the identity in eval mode)'],
  ['Identity', ''],
]);
const ACTS = new Map<string, 'relu' | 'tanh' | 'gelu' | 'sigmoid'>([
  ['ReLU', 'relu'],
  ['Tanh', 'tanh'],
  ['GELU', 'gelu'],
  ['Sigmoid', 'sigmoid'],
]);
export const IMPORT_LAYERS = [...LAYER_ARGS.keys()];

interface StTensor {
  dtype: string;
  shape: number[];
  data: Float64Array | null;
}

/** The safetensors tensors by name (float32 and float64 as float64; other dtypes kept as names only). */
export function readStateDict(path: string): Map<string, StTensor> {
  const buf = readRegularFile(path);
  const where = `${path}`;
  if (buf.length < 8) throw invalid(`${where}: not a safetensors file (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (!(n > 1 && n <= buf.length - 8) || buf[8] !== 0x7b)
    throw invalid(`${where}: not a safetensors file (bad header length or start)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch {
    throw invalid(`${where}: its safetensors header is not valid JSON`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw invalid(`${where}: its header is not an object`);
  const start = 8 + n;
  const out = new Map<string, StTensor>();
  for (const [name, e] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = e as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const label = `${where}: tensor "${name.slice(0, 60)}"`;
    if (typeof t?.dtype !== 'string' || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw invalid(`${label} has no valid dtype and shape`);
    const count = (t.shape as number[]).reduce((a, b) => a * b, 1);
    const width = t.dtype === 'F32' ? 4 : t.dtype === 'F64' ? 8 : 0;
    const offs = t.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isInteger(o) && o >= 0) ||
      offs[0] > offs[1] ||
      start + offs[1] > buf.length
    )
      throw invalid(`${label}: its data offsets lie outside the file`);
    let data: Float64Array | null = null;
    if (width) {
      if (offs[1] - offs[0] !== count * width)
        throw invalid(`${label}: ${offs[1] - offs[0]} bytes for ${count} ${t.dtype} values`);
      data = new Float64Array(count);
      for (let i = 0; i < count; i++)
        data[i] = width === 4 ? buf.readFloatLE(start + offs[0] + 4 * i) : buf.readDoubleLE(start + offs[0] + 8 * i);
      if (!data.every(Number.isFinite)) throw invalid(`${label} holds a non-finite value`);
    }
    out.set(name, { dtype: t.dtype, shape: t.shape as number[], data });
  }
  return out;
}

function layerList(path: string): unknown[][] {
  let spec: unknown;
  try {
    spec = JSON.parse(readRegularFile(path, 1 << 20).toString('utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw invalid(`${path}: not valid JSON`);
    throw e;
  }
  const layers = (spec as { layers?: unknown })?.layers;
  if (!Array.isArray(layers) || !layers.length || !layers.every((l) => Array.isArray(l) && typeof l[0] === 'string'))
    throw invalid(`${path}: expected {"layers": [["Flatten"], ["Linear", 784, 128], …]} with each layer's name first`);
  return layers as unknown[][];
}

export interface Imported {
  net: Network;
  theta: Float64Array;
  /** One name per layer, as the tables show it ("1 Linear 784→128"). */
  names: string[];
}

/**
 * The network the two files describe, on inputs of `imageShape` (channels, height, width); a
 * network that starts with Linear takes the flattened pixels, as its first layer would need.
 */
export function importSequential(weightsPath: string, layersPath: string, imageShape: [number, number, number]): Imported {
  const specs = layerList(layersPath);
  const sd = readStateDict(weightsPath);
  const used = new Set<string>();
  const tensor = (i: number, key: string, shape: number[], optional = false): Float64Array | null => {
    const name = `${i}.${key}`;
    const t = sd.get(name);
    if (!t) {
      if (optional) return null;
      throw invalid(`layer ${i}: ${weightsPath} has no tensor "${name}"`);
    }
    used.add(name);
    if (!t.data) throw invalid(`layer ${i}: tensor "${name}" is ${t.dtype}; Kairo reads float32 or float64 weights`);
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j]))
      throw invalid(`layer ${i}: tensor "${name}" has shape [${t.shape.join(', ')}], the layer needs [${shape.join(', ')}]`);
    return t.data;
  };
  const layers: Layer[] = [];
  const names: string[] = [];
  const params: Float64Array[] = [];
  specs.forEach((spec, i) => {
    const [name, ...args] = spec as [string, ...unknown[]];
    const known = LAYER_ARGS.get(name);
    if (known === undefined)
      throw invalid(`layer ${i}: ${String(name).slice(0, 40)} is not supported; Kairo reads ${IMPORT_LAYERS.join(', ')}`);
    const ints = args.map((a) => (Number.isInteger(a) && (a as number) >= 0 ? (a as number) : NaN));
    const need = (min: number, max: number) => {
      if (args.length < min || args.length > max || ints.slice(0, min).some((v) => !(v > 0)))
        throw invalid(`layer ${i}: ${name} takes ${known}, got ${JSON.stringify(args).slice(0, 60)}`);
    };
    if (name === 'Linear') {
      need(2, 2);
      const [inputs, outputs] = ints as [number, number];
      const W = tensor(i, 'weight', [outputs, inputs])!;
      const b = tensor(i, 'bias', [outputs], true);
      layers.push({ kind: 'linear', inputs, outputs, bias: !!b });
      params.push(W, ...(b ? [b] : []));
      names.push(`${i} Linear ${inputs}→${outputs}`);
    } else if (name === 'Conv2d') {
      need(3, 5);
      const [channels, filters, kernel] = ints as [number, number, number];
      const stride = args.length > 3 ? ints[3]! : 1;
      const padding = args.length > 4 ? ints[4]! : 0;
      if (!(stride > 0) || !(padding >= 0)) throw invalid(`layer ${i}: Conv2d takes ${known} as non-negative integers`);
      const W = tensor(i, 'weight', [filters, channels, kernel, kernel])!;
      const b = tensor(i, 'bias', [filters], true);
      layers.push({ kind: 'conv2d', channels, filters, kernel, stride, padding, bias: !!b });
      params.push(W, ...(b ? [b] : []));
      names.push(`${i} Conv2d ${channels}→${filters} ${kernel}×${kernel}`);
    } else if (name === 'MaxPool2d') {
      need(1, 2);
      const kernel = ints[0]!;
      const stride = args.length > 1 ? ints[1]! : kernel;
      if (!(stride > 0)) throw invalid(`layer ${i}: MaxPool2d takes ${known} as positive integers`);
      layers.push({ kind: 'maxpool2d', kernel, stride });
      names.push(`${i} MaxPool2d ${kernel}`);
    } else if (name === 'BatchNorm1d' || name === 'BatchNorm2d') {
      if (
        args.length < 1 ||
        args.length > 2 ||
        !(ints[0]! > 0) ||
        (args.length === 2 && !(typeof args[1] === 'number' && args[1] > 0))
      )
        throw invalid(`layer ${i}: ${name} takes ${known}, got ${JSON.stringify(args).slice(0, 60)}`);
      const F = ints[0]!;
      const gamma = tensor(i, 'weight', [F])!;
      const beta = tensor(i, 'bias', [F])!;
      const mean = tensor(i, 'running_mean', [F])!;
      const variance = tensor(i, 'running_var', [F])!;
      if (sd.has(`${i}.num_batches_tracked`)) used.add(`${i}.num_batches_tracked`);
      if (variance.some((v) => v < 0)) throw invalid(`layer ${i}: ${name}'s running_var has a negative entry`);
      layers.push({ kind: 'batchnorm', features: F, mean, variance, eps: args.length === 2 ? (args[1] as number) : 1e-5 });
      params.push(gamma, beta);
      names.push(`${i} ${name} ${F} (eval)`);
    } else {
      if (name === 'Dropout' ? args.length > 1 : args.length)
        throw invalid(`layer ${i}: ${name} takes ${known || 'no arguments'}`);
      const act = ACTS.get(name);
      if (act) layers.push({ kind: 'activation', fn: act });
      else if (name === 'Flatten') layers.push({ kind: 'flatten' });
      else layers.push({ kind: 'activation', fn: 'linear' });
      names.push(`${i} ${name}`);
    }
  });
  const extra = [...sd.keys()].filter((k) => !used.has(k));
  if (extra.length) throw invalid(`${weightsPath}: tensor "${extra[0]!.slice(0, 60)}" belongs to no layer of ${layersPath}`);
  const [C, H, W] = imageShape;
  const input = layers[0]?.kind === 'linear' ? [C * H * W] : [C, H, W];
  const net: Network = { input, layers };
  try {
    shapesOf(net);
  } catch (e) {
    throw invalid(`${layersPath}: ${(e as Error).message} on ${C}×${H}×${W} images`);
  }
  const P = offsetsOf(net).at(-1)!;
  if (P === 0) throw invalid(`${layersPath}: the network has no parameters`);
  const theta = new Float64Array(P);
  let o = 0;
  for (const p of params) {
    theta.set(p, o);
    o += p.length;
  }
  return { net, theta, names };
}
