// The trained models of the Datasets and field labs as sequential networks, with θ in the order
// the products use (each weight as rows [outputs][inputs], then its bias). The field network
// trains unit-scale weights that each layer multiplies by σ_w/√fan_in (biases by σ_b): `scale`
// carries those factors, so the curvature is in the parameters gradient descent moves.
import type { FieldNetSpec } from '../field/shapes.ts';
import type { Layer, Network } from './layers.ts';
import type { Problem } from './products.ts';
import { rowsOf } from './vae.ts';

export interface LabNetwork {
  net: Network;
  theta: Float64Array;
  /** Per-parameter multipliers (null: the network computes with θ itself). */
  scale: Float64Array | null;
  names: string[];
}

/** Softmax regression x W + b (W of shape [inputs, classes]). */
export function fromSoftmax(W: ArrayLike<number>, b: ArrayLike<number>): LabNetwork {
  const C = b.length;
  const d = W.length / C;
  const theta = new Float64Array(W.length + C);
  theta.set(rowsOf(W, d, C));
  theta.set(Float64Array.from(b), W.length);
  return {
    net: { input: [d], layers: [{ kind: 'linear', inputs: d, outputs: C, bias: true }] },
    theta,
    scale: null,
    names: [`softmax regression ${d}→${C}`],
  };
}

/** The field lab's network (its inputs already scaled to unit norm by the caller). */
export function fromField(s: FieldNetSpec, values: Record<string, ArrayLike<number>>): LabNetwork {
  const get = (n: string) => {
    const v = values[n];
    if (!v) throw new Error(`the field network's weights lack ${n}`);
    return v;
  };
  const layers: Layer[] = [];
  const parts: Float64Array[] = [];
  const scales: number[] = [];
  const names: string[] = [];
  const linear = (W: string, b: string, i: number, o: number, a: number, name: string) => {
    layers.push({ kind: 'linear', inputs: i, outputs: o, bias: true });
    parts.push(rowsOf(get(W), i, o), Float64Array.from(get(b)));
    scales.push(a, s.sigmaB);
    names.push(name);
  };
  const a1 = s.sigmaW / Math.sqrt(s.inputDim);
  const aM = s.sigmaW / Math.sqrt(s.width);
  const relu = () => (layers.push({ kind: 'activation', fn: 'relu' }), names.push('relu'));
  linear('W1', 'b1', s.inputDim, s.width, a1, `W1: ${s.inputDim}→${s.width} (the field)`);
  relu();
  if (s.maxpool) {
    layers.push({ kind: 'maxpool1d', kernel: 3 });
    names.push('max-pool 3');
  } else {
    linear('W2', 'b2', s.width, s.width, aM, `W2: ${s.width}→${s.width}`);
    relu();
  }
  linear('Wout', 'bout', s.width, s.classes, aM, `Wout: ${s.width}→${s.classes}`);
  const P = parts.reduce((n, p) => n + p.length, 0);
  const theta = new Float64Array(P);
  const scale = new Float64Array(P);
  let o = 0;
  parts.forEach((p, k) => {
    theta.set(p, o);
    scale.fill(scales[k]!, o, o + p.length);
    o += p.length;
  });
  return { net: { input: [s.inputDim], layers }, theta, scale, names };
}

/**
 * The field network's training loss as a curvature problem: (1/2NC) Σ (f − y)² on N images (pixel
 * rows, scaled to unit norm here as the network does first) with the targets Y (N × C).
 */
export function fieldProblem(
  s: FieldNetSpec,
  values: Record<string, ArrayLike<number>>,
  pixels: ArrayLike<number>,
  N: number,
  labels: Int32Array,
  Y: ArrayLike<number>,
): { problem: Problem; names: string[] } {
  const ln = fromField(s, values);
  const D = s.inputDim;
  const X = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    let q = 0;
    for (let j = 0; j < D; j++) q += pixels[i * D + j]! ** 2;
    const norm = Math.sqrt(q) + 1e-12;
    for (let j = 0; j < D; j++) X[i * D + j] = pixels[i * D + j]! / norm;
  }
  const targets = Float64Array.from({ length: N * s.classes }, (_, i) => Y[i]!);
  return {
    problem: { net: ln.net, theta: ln.theta, X, N, loss: 'mse', labels, targets, scale: ln.scale!, lossScale: 1 / s.classes },
    names: ln.names,
  };
}
