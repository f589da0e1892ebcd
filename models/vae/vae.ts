// Variational autoencoders for images in [0, 1]: an MLP encoder/decoder (784-400-d by
// default) or a small convolutional one, a Bernoulli decoder (or Gaussian with fixed σ),
// the closed-form Gaussian KL, β weighting, trained with Adam on the reparameterised ELBO.
// Weights are plain named variables so sessions store them as they are.
import * as tf from '@tensorflow/tfjs';
import { gaussian } from '../common/rng.ts';
import { CONV, checkConfig, parameterShapes, type VaeConfig } from './shapes.ts';

export { checkConfig, parameterShapes, type VaeConfig } from './shapes.ts';

export interface Vae {
  config: VaeConfig;
  vars: Record<string, tf.Variable>;
  /** Encoder mean and log-variance of q(z|x), rows of x flattened images. */
  encode(x: tf.Tensor2D): { mu: tf.Tensor2D; logvar: tf.Tensor2D };
  /** Decoder output before the link: logits (Bernoulli) or means (Gaussian). */
  decodeRaw(z: tf.Tensor2D): tf.Tensor2D;
  /** Mean of p(x|z): sigmoid(logits) or the Gaussian mean. */
  decodeMean(z: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** PyTorch's default initialisation: U(−1/√fan_in, 1/√fan_in) for weights and biases alike. */
export function initialTensors(c: VaeConfig, rand: () => number): Record<string, Float32Array> {
  checkConfig(c);
  const out: Record<string, Float32Array> = {};
  const shapes = parameterShapes(c);
  for (const [name, shape] of shapes) {
    const W = shapes.find(([n]) => n === name.replace(/\.b$/, '.W'))![1];
    const fanIn = W.length === 4 ? W[0]! * W[1]! * W[2]! : W[0]!;
    const bound = 1 / Math.sqrt(fanIn);
    out[name] = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * rand() - 1) * bound);
  }
  return out;
}

export function createVae(c: VaeConfig, values: Record<string, ArrayLike<number>>): Vae {
  checkConfig(c);
  const vars: Record<string, tf.Variable> = {};
  tf.tidy(() => {
    for (const [name, shape] of parameterShapes(c)) {
      const v = values[name];
      if (!v) throw new Error(`VAE weights lack ${name}`);
      if (v.length !== shape.reduce((a, b) => a * b, 1))
        throw new Error(`VAE weight ${name} has ${v.length} values, expected shape ${shape.join('×')}`);
      vars[name] = tf.variable(tf.tensor(Float32Array.from(v), shape), true);
    }
  });
  const P = vars;
  const dense = (x: tf.Tensor, name: string) =>
    tf.add(tf.matMul(x as tf.Tensor2D, P[`${name}.W`] as tf.Tensor2D), P[`${name}.b`]!);
  const [h, w] = c.inputShape;
  const conv = (x: tf.Tensor4D, name: string, stride: number) =>
    tf.add(tf.conv2d(x, P[`${name}.W`] as tf.Tensor4D, stride, 'same'), P[`${name}.b`]!) as tf.Tensor4D;
  return {
    config: c,
    vars,
    encode(x) {
      return tf.tidy(() => {
        let hdn: tf.Tensor;
        if (c.arch === 'mlp') {
          hdn = x;
          c.hidden.forEach((_, i) => (hdn = tf.relu(dense(hdn, `enc.${i}`))));
        } else {
          const img = tf.reshape(x, [x.shape[0], h, w, 1]) as tf.Tensor4D;
          const a = tf.relu(conv(tf.relu(conv(img, 'enc.conv0', 2)), 'enc.conv1', 2));
          hdn = tf.relu(dense(tf.reshape(a, [x.shape[0], -1]), 'enc.0'));
        }
        return { mu: dense(hdn, 'enc.mu') as tf.Tensor2D, logvar: dense(hdn, 'enc.logvar') as tf.Tensor2D };
      });
    },
    decodeRaw(z) {
      return tf.tidy(() => {
        if (c.arch === 'mlp') {
          let hdn: tf.Tensor = z;
          c.hidden.forEach((_, i) => (hdn = tf.relu(dense(hdn, `dec.${i}`))));
          return dense(hdn, 'dec.out') as tf.Tensor2D;
        }
        const a = tf.relu(dense(tf.relu(dense(z, 'dec.0')), 'dec.1'));
        let img = tf.reshape(a, [z.shape[0], h / 4, w / 4, CONV[1]!]) as tf.Tensor4D;
        img = tf.relu(conv(tf.image.resizeNearestNeighbor(img, [h / 2, w / 2]), 'dec.conv0', 1));
        img = conv(tf.image.resizeNearestNeighbor(img, [h, w]), 'dec.conv1', 1);
        return tf.reshape(img, [z.shape[0], h * w]) as tf.Tensor2D;
      });
    },
    decodeMean(z) {
      return tf.tidy(() => (c.decoder === 'bernoulli' ? tf.sigmoid(this.decodeRaw(z)) : this.decodeRaw(z)));
    },
    dispose() {
      for (const v of Object.values(vars)) v.dispose();
    },
  };
}

/** KL(N(μ, diag e^logvar) ‖ N(0, I)) per row, in closed form: ½ Σ (μ² + σ² − 1 − log σ²). */
export function klPerRow(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), tf.add(1, logvar)), 1)) as tf.Tensor1D);
}

/** −log p(x|z) per row, from the decoder's raw output. */
export function recPerRow(c: VaeConfig, raw: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    if (c.decoder === 'bernoulli') {
      // softplus(l) − x·l, written stably: max(l, 0) + log(1 + e^{−|l|}) − x·l.
      return tf.sum(tf.sub(tf.add(tf.relu(raw), tf.log1p(tf.exp(tf.neg(tf.abs(raw))))), tf.mul(x, raw)), 1) as tf.Tensor1D;
    }
    const s2 = c.gaussianSigma ** 2;
    return tf.sum(tf.add(tf.div(tf.square(tf.sub(x, raw)), 2 * s2), 0.5 * (LOG_2PI + Math.log(s2))), 1) as tf.Tensor1D;
  });
}

/** Per-row reconstruction and KL with the reparameterised sample z = μ + σ ⊙ ε. */
export function elboTerms(vae: Vae, x: tf.Tensor2D, eps: tf.Tensor2D): { rec: tf.Tensor1D; kl: tf.Tensor1D } {
  return tf.tidy(() => {
    const { mu, logvar } = vae.encode(x);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logvar)), eps)) as tf.Tensor2D;
    return { rec: recPerRow(vae.config, vae.decodeRaw(z), x), kl: klPerRow(mu, logvar) };
  });
}

export interface StepStats {
  /** Mean per image, nats: the β-weighted objective, its reconstruction and KL terms. */
  loss: number;
  rec: number;
  kl: number;
}

/** Standard normal noise from the seeded source, so runs reproduce from the session's seed. */
export function normalNoise(rows: number, cols: number, rand: () => number): tf.Tensor2D {
  return tf.tensor2d(
    Float32Array.from({ length: rows * cols }, () => gaussian(rand)),
    [rows, cols],
  );
}

export async function trainStep(vae: Vae, opt: tf.Optimizer, x: tf.Tensor2D, rand: () => number): Promise<StepStats> {
  const eps = normalNoise(x.shape[0], vae.config.latent, rand);
  let rec: tf.Tensor | null = null;
  let kl: tf.Tensor | null = null;
  const loss = opt.minimize(
    () => {
      const t = elboTerms(vae, x, eps);
      const r = tf.keep(tf.mean(t.rec));
      const k = tf.keep(tf.mean(t.kl));
      rec = r;
      kl = k;
      return tf.add(r, tf.mul(vae.config.beta, k)) as tf.Scalar;
    },
    true,
    Object.values(vae.vars),
  )!;
  // Read asynchronously: WebGPU in Node has no synchronous read.
  const both = tf.stack([loss, rec!, kl!]);
  tf.dispose([loss, rec!, kl!, eps]);
  const v = await both.data();
  both.dispose();
  return { loss: v[0]!, rec: v[1]!, kl: v[2]! };
}

/** Mean negative ELBO (β = 1, one sample per image), reconstruction and KL over many images. */
export async function evaluateElbo(
  vae: Vae,
  X: Float32Array,
  n: number,
  rand: () => number,
): Promise<{ negElbo: number; rec: number; kl: number }> {
  const D = vae.config.inputShape[0] * vae.config.inputShape[1];
  let rec = 0;
  let kl = 0;
  const CH = 1000;
  for (let s = 0; s < n; s += CH) {
    const m = Math.min(CH, n - s);
    const eps = normalNoise(m, vae.config.latent, rand);
    const sums = tf.tidy(() => {
      const t = elboTerms(vae, tf.tensor2d(X.subarray(s * D, (s + m) * D), [m, D]), eps);
      return tf.stack([tf.sum(t.rec), tf.sum(t.kl)]);
    });
    const v = await sums.data();
    rec += v[0]!;
    kl += v[1]!;
    tf.dispose([sums, eps]);
  }
  return { negElbo: (rec + kl) / n, rec: rec / n, kl: kl / n };
}

export async function readWeights(vae: Vae): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, v] of Object.entries(vae.vars))
    out[name] = { shape: v.shape, data: Float32Array.from((await v.data()) as Float32Array) };
  return out;
}
