// Kairo's side of the benchmark. Each workload mirrors bench/reference.py exactly (shapes,
// optimiser, batch) so the ratio compares the same computation.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../models/common/rng.ts';
import { eigh } from '../models/linalg/dense.ts';
import { lanczosTopK } from '../models/linalg/lanczos.ts';
import { residentMatrix } from '../models/linalg/gemm.ts';
import { ntkGram, type Mlp } from '../models/ntk/gram.ts';
import { nllGradients } from '../models/hopfield/train.ts';
import { fisherDual, randomNetwork } from '../models/fisher/fisher.ts';
import { encodeMeans, levelMetrics, pairDistanceSums, recallMetrics, recallTrajectory } from '../models/vae/recall.ts';
import { createVae, initialTensors, type VaeConfig } from '../models/vae/vae.ts';
import { Adam } from '../models/common/adam.ts';
import { gaussianTask } from '../models/ngd/data.ts';
import { preconditioner, type NgdMethod } from '../models/ngd/methods.ts';
import { initNtk, linearise } from '../models/ngd/network.ts';
import { applySteps, layerStep } from '../models/ngd/steps.ts';

/** The same for asynchronous work (what reads tensors back awaits them). */
export async function timeAsync(f: () => Promise<unknown>, blocks: number): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    await f();
    ts.push((performance.now() - t0) / 1000);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

/** Median seconds per call over `blocks` timed blocks after one warm-up call. */
export function time(f: () => void, blocks: number): number {
  f();
  const ts: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    f();
    ts.push((performance.now() - t0) / 1000);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

export function sgemm(n: number, blocks: number): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  // WASM (and native) kernels run synchronously: the product is done when matMul returns.
  // Reading it back would time a copy out of the shared heap (~1 ms per 4 MB), not the product.
  const s = time(() => tf.matMul(a, b).dispose(), blocks);
  tf.dispose([a, b]);
  return (2 * n ** 3) / s / 1e9; // GFLOP/s
}

function dense(inputs: number, outputs: number): { w: tf.Variable; b: tf.Variable } {
  return tf.tidy(() => ({
    w: tf.variable(tf.randomNormal([inputs, outputs], 0, Math.sqrt(2 / inputs))),
    b: tf.variable(tf.zeros([outputs])),
  }));
}

/** Training throughput in samples/s: `steps` optimiser steps per block. */
function trainRate(step: () => void, batch: number, steps: number, blocks: number): number {
  const s = time(() => {
    for (let i = 0; i < steps; i++) step();
  }, blocks);
  return (batch * steps) / s;
}

export function mlpTraining(blocks: number, steps: number): number {
  const B = 128;
  const layers = [dense(784, 512), dense(512, 512), dense(512, 10)];
  const opt = tf.train.sgd(0.01);
  const x = tf.randomUniform([B, 784]);
  const y = tf.oneHot(tf.randomUniform([B], 0, 10, 'int32') as tf.Tensor1D, 10);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => {
        let h: tf.Tensor = x;
        layers.forEach((l, i) => {
          h = tf.add(tf.matMul(h, l.w), l.b);
          if (i < layers.length - 1) h = tf.relu(h);
        });
        return tf.losses.softmaxCrossEntropy(y, h);
      }, false);
    });
  const r = trainRate(step, B, steps, blocks);
  tf.dispose([x, y, ...layers.flatMap((l) => [l.w, l.b])]);
  opt.dispose();
  return r;
}

export function vaeTraining(blocks: number, steps: number): number {
  const B = 128;
  const enc = dense(784, 400);
  const mu = dense(400, 20);
  const logvar = dense(400, 20);
  const dec1 = dense(20, 400);
  const dec2 = dense(400, 784);
  const opt = new Adam(1e-3);
  const x = tf.randomUniform([B, 784]);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => {
        const h = tf.relu(tf.add(tf.matMul(x, enc.w), enc.b));
        const m = tf.add(tf.matMul(h, mu.w), mu.b);
        const lv = tf.add(tf.matMul(h, logvar.w), logvar.b);
        const z = tf.add(m, tf.mul(tf.exp(tf.mul(lv, 0.5)), tf.randomNormal([B, 20])));
        const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(z, dec1.w), dec1.b)), dec2.w), dec2.b);
        // Bernoulli log-likelihood with logits, plus the closed-form Gaussian KL.
        const rec = tf.sum(tf.sub(tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), tf.mul(logits, x)));
        const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, lv), tf.square(m)), tf.exp(lv))));
        return tf.div(tf.add(rec, kl), B) as tf.Scalar;
      }, false);
    });
  const r = trainRate(step, B, steps, blocks);
  tf.dispose([x, ...[enc, mu, logvar, dec1, dec2].flatMap((l) => [l.w, l.b])]);
  opt.dispose();
  return r;
}

export function cnnTraining(blocks: number, steps: number): number {
  const B = 64;
  const v = (shape: number[], fanIn: number) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn)));
  const c1 = v([3, 3, 1, 32], 9);
  const c2 = v([3, 3, 32, 64], 288);
  const f1 = v([7 * 7 * 64, 128], 3136);
  const f2 = v([128, 10], 128);
  const biases = [32, 64, 128, 10].map((n) => tf.variable(tf.zeros([n])));
  const opt = tf.train.sgd(0.01);
  const x = tf.randomUniform([B, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([B], 0, 10, 'int32') as tf.Tensor1D, 10);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => {
        const block = (input: tf.Tensor4D, filter: tf.Variable, bias: tf.Variable): tf.Tensor4D =>
          tf.maxPool(tf.relu(tf.add(tf.conv2d(input, filter as tf.Tensor4D, 1, 'same'), bias)) as tf.Tensor4D, 2, 2, 'valid');
        const h = block(block(x as tf.Tensor4D, c1, biases[0]!), c2, biases[1]!);
        const flat = tf.reshape(h, [B, 7 * 7 * 64]);
        const g = tf.relu(tf.add(tf.matMul(flat, f1), biases[2]!));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(g, f2), biases[3]!));
      }, false);
    });
  const r = trainRate(step, B, steps, blocks);
  tf.dispose([x, y, c1, c2, f1, f2, ...biases]);
  opt.dispose();
  return r;
}

function randomSymmetric(n: number): Float64Array {
  const r = mulberry32(n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = r() - 0.5;
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  return A;
}

export function eighSeconds(n: number, blocks: number): number {
  const A = randomSymmetric(n);
  return time(() => eigh(A, n), blocks);
}

/**
 * Top 10 of a dense symmetric n × n matrix applied as an operator, like scipy's eigsh(A, 10): the
 * matrix kept in the float64 kernels' memory (residentMatrix), as scipy's stays in numpy's.
 */
export function lanczosSeconds(n: number, blocks: number): number {
  const matvec = residentMatrix(randomSymmetric(n), n, n);
  return time(() => lanczosTopK(n, 10, matvec, { tol: 1e-8 }), blocks);
}

/** Structured NTK Gram of a 784-128-10 ReLU MLP on T = 100 inputs: a 1000 × 1000 dual. */
export function ntkGramSeconds(blocks: number): number {
  const r = mulberry32(4);
  const widths = [784, 128, 10];
  const net: Mlp = {
    activation: 'relu',
    weights: widths
      .slice(1)
      .map((m, l) => Float64Array.from({ length: m * widths[l]! }, () => (r() * 2 - 1) * Math.sqrt(3 / widths[l]!))),
    biases: widths.slice(1).map((m) => new Float64Array(m)),
    widths,
  };
  const X = Float64Array.from({ length: 100 * 784 }, () => r() * 2 - 1);
  return time(() => ntkGram(net, X, 100), blocks);
}

/** Exact AttnBM NLL and its closed-form gradient, N_v = 784, N_h = 900, batches of 100: patterns/s. */
export function attnbmRate(blocks: number, steps: number): number {
  const B = 100;
  const V = tf.randomNormal([B, 784]) as tf.Tensor2D;
  const p = {
    W: tf.randomNormal([900, 784], 0, 1 / 28) as tf.Tensor2D,
    b: tf.zeros([784]) as tf.Tensor1D,
    c: tf.zeros([900]) as tf.Tensor1D,
  };
  const r = trainRate(
    () => {
      const g = nllGradients(p, V);
      g.loss.dataSync();
      tf.dispose([g.loss, g.W, g.b, g.c]);
    },
    B,
    steps,
    blocks,
  );
  tf.dispose([V, p.W, p.b, p.c]);
  return r;
}

/** The 784-400-20 MLP VAE with a Bernoulli decoder the VAE benches use (here and bench/gpu.ts). */
export const VAE_784_400_20: VaeConfig = {
  arch: 'mlp',
  inputShape: [28, 28],
  hidden: [400],
  latent: 20,
  decoder: 'bernoulli',
  gaussianSigma: 0.1,
  beta: 1,
};

/** Repeated inference through a 784-400-20 VAE: 1000 states × `steps` iterations, states/s. */
export async function vaeRecallRate(blocks: number, steps: number): Promise<number> {
  const cfg = VAE_784_400_20;
  const vae = createVae(cfg, initialTensors(cfg, mulberry32(1)));
  const X = Float32Array.from({ length: 1000 * 784 }, (_, i) => (i % 7) / 7);
  const s = await timeAsync(
    () => recallTrajectory(vae, X, 1000, steps, mulberry32(2), { zMode: 'mean', xMode: 'mean', keep: [] }),
    blocks,
  );
  vae.dispose();
  return (1000 * steps) / s;
}

/**
 * One recall run as the VAE lab does it (issue 12's bar: under a second): 1000 states × 30
 * iterations through a 784-400-20 VAE, then every per-step metric (concept distances, nearest
 * concept, spreads, memory/concept/global levels). Seconds.
 */
export async function vaeRecallRunSeconds(blocks: number): Promise<number> {
  const cfg = VAE_784_400_20;
  const vae = createVae(cfg, initialTensors(cfg, mulberry32(1)));
  const r = mulberry32(3);
  const n = 1000;
  const X = Float32Array.from({ length: n * 784 }, () => r());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const concepts = Float64Array.from({ length: 10 * 20 }, () => r() - 0.5);
  const s = await timeAsync(async () => {
    const tr = await recallTrajectory(vae, X, n, 30, mulberry32(2), { zMode: 'mean', xMode: 'mean', keep: [] });
    const memory = await encodeMeans(vae, X, n);
    for (let t = 0; t <= 30; t++) {
      const Z = tr.Z.subarray(t * n * 20, (t + 1) * n * 20);
      const pairs = pairDistanceSums(Z, n, 20, labels);
      recallMetrics(Z, labels, n, 20, concepts, 10, pairs);
      levelMetrics(
        Z,
        n,
        20,
        { memory, labels, concepts, classes: 10, rootOf: null, roots: null, global: new Float64Array(20) },
        pairs,
      );
    }
  }, blocks);
  vae.dispose();
  return s;
}

/** Time to the full Fisher spectrum of a random ReLU MLP (L = 3, M = 256, C = 10): dual + eigh. */
export function fisherSpectrumSeconds(rows: number, blocks: number): number {
  const T = rows / 10;
  const widths = [256, 256, 256, 10];
  const net = randomNetwork(
    { activation: 'relu', widths, sigmaW2: 2, sigmaB2: 0.05, weights: 'gaussian', norm: 'none' },
    mulberry32(1),
  );
  const r = mulberry32(2);
  const X = Float64Array.from({ length: T * 256 }, () => r() - 0.5);
  return time(() => void eigh(fisherDual(net, X, T, 'none', 'mse'), rows), blocks);
}

/**
 * Seconds for one natural-gradient step (models/ngd) of a ReLU MLP 784 → M → M → 1 in the NTK
 * parameterisation on N = 100 unit-norm inputs, float64: forward pass, row cotangents, the method's
 * dual solve, and the parameter update.
 */
export function ngdStepSeconds(method: NgdMethod, width: number, blocks: number): number {
  const rand = mulberry32(1);
  const net = initNtk({ activation: 'relu', widths: [784, width, width, 1], sigmaW2: 2, sigmaB2: 0 }, rand);
  const { X, Y } = gaussianTask(100, 784, 1, rand);
  return time(() => {
    const lin = linearise(net, X, 100);
    const r = lin.pass.h[3]!.map((f, i) => f - Y[i]!);
    const ups = preconditioner(method, net, lin, 0).apply(r);
    // A tiny η: the network stays where it is from block to block.
    applySteps(
      net,
      ups.map((up, l) => layerStep(net, lin, l, up)),
      1e-12,
    );
  }, blocks);
}
