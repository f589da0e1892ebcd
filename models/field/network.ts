// Networks of the random-neural-field lab in the NTK parameterisation: every layer computes
// u = (σ_w/√fan_in) h W + σ_b b with W, b of unit scale, so the tangent kernel stays O(1) as
// the width grows and wide networks train lazily. Layer 1 is a field (or plain Gaussian, the
// "vanilla" baseline); then either a dense hidden layer or max-pooling over neighbouring units
// (kernel 3, stride 1), then the readout. Inputs are images scaled to unit norm.
import * as tf from '@tensorflow/tfjs';
import { gaussian } from '../common/rng.ts';
import { layerShapes, type FieldNetSpec } from './shapes.ts';

export { layerShapes, type FieldNetSpec } from './shapes.ts';

export interface FieldNet {
  spec: FieldNetSpec;
  vars: tf.Variable[];
  /** Pixels (rows, [0, 1]) → outputs; the unit-norm scaling is part of the network. */
  forward(pixels: tf.Tensor2D): tf.Tensor2D;
  /** NTK Gram averaged over outputs, Θ̄_tt' = (1/C) Σ_k ∇f_k(t)·∇f_k(t'), N × N, float32. */
  ntk(pixels: tf.Tensor2D): tf.Tensor2D;
  /** The full empirical NTK Θ[(t,k),(t',k')] = ∇f_k(t)·∇f_k'(t'), NC × NC (rows t·C + k), float32. */
  ntkFull(pixels: tf.Tensor2D): tf.Tensor2D;
  /** Asynchronous: WebGPU in Node has no synchronous read. */
  read(): Promise<Record<string, { shape: number[]; data: Float32Array }>>;
  dispose(): void;
}

/**
 * Initial values: W1 given (a field, transposed to fan_in × width) or N(0, 1); every other
 * weight and bias N(0, 1).
 */
export function initialValues(s: FieldNetSpec, rand: () => number, W1?: Float64Array): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of layerShapes(s)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (name === 'W1' && W1) {
      // The field is neurons × inputs; the layer multiplies h (N × inputs) by W1 (inputs × neurons).
      const t = new Float32Array(n);
      for (let i = 0; i < s.width; i++) for (let j = 0; j < s.inputDim; j++) t[j * s.width + i] = W1[i * s.inputDim + j]!;
      out[name] = t;
    } else out[name] = Float32Array.from({ length: n }, () => gaussian(rand));
  }
  return out;
}

const pool = (h: tf.Tensor2D): tf.Tensor2D =>
  tf.reshape(
    tf.maxPool(tf.reshape(h, [h.shape[0], h.shape[1], 1, 1]) as tf.Tensor4D, [3, 1], [1, 1], 'same'),
    h.shape,
  ) as tf.Tensor2D;

export function createFieldNet(s: FieldNetSpec, values: Record<string, ArrayLike<number>>): FieldNet {
  const v: Record<string, tf.Variable> = {};
  tf.tidy(() => {
    for (const [name, shape] of layerShapes(s)) {
      const x = values[name];
      if (!x || x.length !== shape.reduce((a, b) => a * b, 1))
        throw new Error(`field network weights: ${name} is missing or has the wrong size`);
      v[name] = tf.variable(tf.tensor(Float32Array.from(x), shape), true);
    }
  });
  const s1 = s.sigmaW / Math.sqrt(s.inputDim);
  const sM = s.sigmaW / Math.sqrt(s.width);
  const layers = (pixels: tf.Tensor2D) => {
    const x = tf.div(pixels, tf.add(tf.norm(pixels, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
    const u1 = tf.add(tf.mul(s1, tf.matMul(x, v.W1 as tf.Tensor2D)), tf.mul(s.sigmaB, v.b1!)) as tf.Tensor2D;
    const h1 = tf.relu(u1);
    if (s.maxpool) {
      const hp = pool(h1);
      return { x, u1, h1, u2: null, hLast: hp };
    }
    const u2 = tf.add(tf.mul(sM, tf.matMul(h1, v.W2 as tf.Tensor2D)), tf.mul(s.sigmaB, v.b2!)) as tf.Tensor2D;
    return { x, u1, h1, u2, hLast: tf.relu(u2) as tf.Tensor2D };
  };
  return {
    spec: s,
    vars: Object.values(v),
    forward(pixels) {
      return tf.tidy(
        () =>
          tf.add(tf.mul(sM, tf.matMul(layers(pixels).hLast, v.Wout as tf.Tensor2D)), tf.mul(s.sigmaB, v.bout!)) as tf.Tensor2D,
      );
    },
    ntkFull(pixels) {
      return tf.tidy(() => {
        const N = pixels.shape[0];
        const C = s.classes;
        const { x, u1, h1, u2, hLast } = layers(pixels);
        const readout = tf.add(tf.mul(sM * sM, tf.matMul(hLast, hLast, false, true)), s.sigmaB ** 2) as tf.Tensor2D;
        const xx = tf.add(tf.mul(s1 * s1, tf.matMul(x, x, false, true)), s.sigmaB ** 2);
        const hh = u2 ? tf.add(tf.mul(sM * sM, tf.matMul(h1, h1, false, true)), s.sigmaB ** 2) : null;
        const d1 = tf.cast(tf.greater(u1, 0), 'float32');
        const d2 = u2 ? tf.cast(tf.greater(u2, 0), 'float32') : null;
        const deltas: { d1: tf.Tensor2D; d2: tf.Tensor2D | null }[] = [];
        for (let k = 0; k < C; k++) {
          const g = tf.mul(sM, tf.reshape(tf.slice(v.Wout!, [0, k], [s.width, 1]), [1, s.width]));
          const gN = tf.tile(g, [N, 1]) as tf.Tensor2D;
          if (u2) {
            const delta2 = tf.mul(d2!, gN) as tf.Tensor2D;
            deltas.push({
              d2: delta2,
              d1: tf.mul(d1, tf.mul(sM, tf.matMul(delta2, v.W2 as tf.Tensor2D, false, true))) as tf.Tensor2D,
            });
          } else {
            const routed = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(pool(h as tf.Tensor2D), gN)))(h1) as tf.Tensor2D;
            deltas.push({ d2: null, d1: tf.mul(d1, routed) as tf.Tensor2D });
          }
        }
        // Blocks (k, k'): N × N each, assembled into rows t·C + k.
        const blocks: tf.Tensor2D[][] = [];
        for (let k = 0; k < C; k++) {
          const row: tf.Tensor2D[] = [];
          for (let k2 = 0; k2 < C; k2++) {
            let b = tf.mul(xx, tf.matMul(deltas[k]!.d1, deltas[k2]!.d1, false, true)) as tf.Tensor2D;
            if (hh) b = tf.add(b, tf.mul(hh, tf.matMul(deltas[k]!.d2!, deltas[k2]!.d2!, false, true))) as tf.Tensor2D;
            if (k === k2) b = tf.add(b, readout) as tf.Tensor2D;
            row.push(b);
          }
          blocks.push(row);
        }
        // [k][k2] blocks of N × N → stack to [C, C, N, N] → transpose to [N, C, N, C].
        const stacked = tf.stack(blocks.map((r) => tf.stack(r))) as tf.Tensor4D;
        return tf.reshape(tf.transpose(stacked, [2, 0, 3, 1]), [N * C, N * C]) as tf.Tensor2D;
      });
    },
    ntk(pixels) {
      return tf.tidy(() => {
        const N = pixels.shape[0];
        const C = s.classes;
        const { x, u1, h1, u2, hLast } = layers(pixels);
        // Readout: ∂f_k/∂u_out = e_k for every sample, so its term is the same for each k.
        const readout = tf.add(tf.mul(sM * sM, tf.matMul(hLast, hLast, false, true)), s.sigmaB ** 2) as tf.Tensor2D;
        let hidden = tf.zeros([N, N]) as tf.Tensor2D;
        const xx = tf.add(tf.mul(s1 * s1, tf.matMul(x, x, false, true)), s.sigmaB ** 2);
        const hh = u2 ? tf.add(tf.mul(sM * sM, tf.matMul(h1, h1, false, true)), s.sigmaB ** 2) : null;
        const d1 = tf.cast(tf.greater(u1, 0), 'float32');
        const d2 = u2 ? tf.cast(tf.greater(u2, 0), 'float32') : null;
        for (let k = 0; k < C; k++) {
          // ∂f_k/∂hLast = s_M · Wout[:, k] for every sample.
          const g = tf.mul(sM, tf.reshape(tf.slice(v.Wout!, [0, k], [s.width, 1]), [1, s.width]));
          const gN = tf.tile(g, [N, 1]) as tf.Tensor2D;
          let delta1: tf.Tensor2D;
          if (u2) {
            const delta2 = tf.mul(d2!, gN) as tf.Tensor2D;
            hidden = tf.add(hidden, tf.mul(hh!, tf.matMul(delta2, delta2, false, true))) as tf.Tensor2D;
            delta1 = tf.mul(d1, tf.mul(sM, tf.matMul(delta2, v.W2 as tf.Tensor2D, false, true))) as tf.Tensor2D;
          } else {
            // Through the max-pool: its transpose routes each pooled gradient to its argmax.
            const routed = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(pool(h as tf.Tensor2D), gN)))(h1) as tf.Tensor2D;
            delta1 = tf.mul(d1, routed) as tf.Tensor2D;
          }
          hidden = tf.add(hidden, tf.mul(xx, tf.matMul(delta1, delta1, false, true))) as tf.Tensor2D;
        }
        return tf.add(readout, tf.div(hidden, C)) as tf.Tensor2D;
      });
    },
    async read() {
      const out: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [name, x] of Object.entries(v))
        out[name] = { shape: x.shape, data: Float32Array.from((await x.data()) as Float32Array) };
      return out;
    },
    dispose() {
      for (const x of Object.values(v)) x.dispose();
    },
  };
}

/** The MSE loss the lab trains: (1/(2NC)) Σ (f − y)². */
export function mseLoss(net: FieldNet, pixels: tf.Tensor2D, Y: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.square(tf.sub(net.forward(pixels), Y))), 2 * Y.shape[0] * Y.shape[1]) as tf.Scalar);
}
