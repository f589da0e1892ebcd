// Input perturbations for the robustness experiment, on pixel rows in [0, 1] (h × w images):
// Gaussian pixel noise, shifts, elastic deformations (a smooth random displacement field,
// Simard et al. 2003), and FGSM against the network's own training loss.
import * as tf from '@tensorflow/tfjs';
import { gaussian } from '../common/rng.ts';
import type { FieldNet } from './network.ts';

export type Perturbation = 'noise' | 'shift' | 'elastic' | 'fgsm';

export function addNoise(X: Float32Array, sigma: number, rand: () => number): Float32Array {
  return X.map((v) => Math.min(1, Math.max(0, v + sigma * gaussian(rand))));
}

/** Each image moved by `pixels` in a random one of the four directions, zero fill. */
export function shift(X: Float32Array, shape: [number, number], pixels: number, rand: () => number): Float32Array {
  const [h, w] = shape;
  const D = h * w;
  const out = new Float32Array(X.length);
  const n = X.length / D;
  for (let i = 0; i < n; i++) {
    const dir = Math.floor(rand() * 4);
    const [dy, dx] = [
      [0, pixels],
      [0, -pixels],
      [pixels, 0],
      [-pixels, 0],
    ][dir]!;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const sy = y - dy!;
        const sx = x - dx!;
        if (sy >= 0 && sy < h && sx >= 0 && sx < w) out[i * D + y * w + x] = X[i * D + sy * w + sx]!;
      }
  }
  return out;
}

/** Separable Gaussian blur of a field (h × w), zero padding. */
function blur(f: Float64Array, h: number, w: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const tmp = new Float64Array(h * w);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) if (x + i >= 0 && x + i < w) s += k[i + r]! * f[y * w + x + i]!;
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) if (y + i >= 0 && y + i < h) s += k[i + r]! * tmp[(y + i) * w + x]!;
      out[y * w + x] = s;
    }
  return out;
}

/**
 * Elastic deformation: displacement fields of uniform noise in [−1, 1] blurred with a Gaussian
 * of width `sigma` pixels, rescaled to unit RMS and multiplied by `alpha` pixels, applied by
 * bilinear sampling. alpha = 0 is the identity.
 */
export function elastic(X: Float32Array, shape: [number, number], alpha: number, rand: () => number, sigma = 4): Float32Array {
  const [h, w] = shape;
  const D = h * w;
  const n = X.length / D;
  const out = new Float32Array(X.length);
  for (let i = 0; i < n; i++) {
    const fx = blur(
      Float64Array.from({ length: D }, () => 2 * rand() - 1),
      h,
      w,
      sigma,
    );
    const fy = blur(
      Float64Array.from({ length: D }, () => 2 * rand() - 1),
      h,
      w,
      sigma,
    );
    const rms = Math.sqrt(fx.reduce((s, v) => s + v * v, 0) / D + fy.reduce((s, v) => s + v * v, 0) / D) || 1;
    const img = X.subarray(i * D, (i + 1) * D);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const sx = x + (alpha * fx[y * w + x]!) / rms;
        const sy = y + (alpha * fy[y * w + x]!) / rms;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const ax = sx - x0;
        const ay = sy - y0;
        const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? img[yy * w + xx]! : 0);
        out[i * D + y * w + x] =
          (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x0 + 1)) + ay * ((1 - ax) * at(y0 + 1, x0) + ax * at(y0 + 1, x0 + 1));
      }
  }
  return out;
}

/** FGSM: x + ε·sign(∇_x loss), clipped to [0, 1]; the loss is the network's MSE to the targets. */
export async function fgsm(net: FieldNet, X: Float32Array, Y: Float32Array, n: number, eps: number): Promise<Float32Array> {
  if (eps === 0) return Float32Array.from(X);
  const D = X.length / n;
  const C = Y.length / n;
  const adv = tf.tidy(() => {
    const x = tf.tensor2d(X, [n, D]);
    const y = tf.tensor2d(Y, [n, C]);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.sub(net.forward(xx as tf.Tensor2D), y))))(x);
    return tf.clipByValue(tf.add(x, tf.mul(eps, tf.sign(g))), 0, 1);
  });
  const out = Float32Array.from((await adv.data()) as Float32Array);
  adv.dispose();
  return out;
}
