// `bench/gpu.sh` runs this once per backend: the adapter, then NTK-Gram-sized matrix products, the
// augmentation lab's CNN and MLP training (1,000 MNIST images, Adam, batch 64) and the VAE lab's
// 784-400-20 VAE's training steps (batch 128) timed on it.
// One JSON line on stdout. `--quick`: small sizes, for the software adapter (correctness, not speed).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend.ts';
import { getDataset, pixelRows } from '../core/data/datasets.ts';
import { trainPolicy, warmUp } from '../models/augment/train.ts';
import { Adam } from '../models/common/adam.ts';
import { mulberry32 } from '../models/common/rng.ts';
import { createVae, initialTensors, trainStep } from '../models/vae/vae.ts';
import { VAE_784_400_20 } from './workloads.ts';

const quick = process.argv.includes('--quick');
const backend = process.argv[process.argv.indexOf('--backend') + 1]!;
const info = await initBackend(backend);

async function matmul(n: number, k: number): Promise<{ n: number; k: number; gflops: number }> {
  const a = tf.randomNormal([n, k], 0, 1, 'float32', 1);
  const b = tf.randomNormal([k, n], 0, 1, 'float32', 2);
  await tf.matMul(a, b).data(); // compile and warm
  const reps = quick ? 2 : 5;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const s = (performance.now() - t0) / 1000 / reps;
  tf.dispose([a, b]);
  return { n, k, gflops: (2 * n * n * k) / s / 1e9 };
}

async function training(arch: 'cnn' | 'mlp'): Promise<{ arch: string; secondsPerEpoch: number; finalTrainLoss: number }> {
  const ds = getDataset({ kind: 'mnist' });
  const n = quick ? 128 : 1000;
  const idx = Array.from({ length: n }, (_, i) => i);
  const train = { x: pixelRows(ds.train, idx), labels: Int32Array.from(idx, (i) => ds.train.labels[i]!) };
  const test = {
    x: pixelRows(ds.test!, idx.slice(0, 100)),
    labels: Int32Array.from(idx.slice(0, 100), (i) => ds.test!.labels[i]!),
  };
  const spec = { arch, h: 28, w: 28, classes: 10 };
  await warmUp(spec, 64);
  const epochs = quick ? 1 : 3;
  const r = await trainPolicy(
    spec,
    {
      policy: 'none',
      augmentations: [],
      strength: 0,
      threshold: { kind: 'fixed', value: 0 },
      thresholdEnd: null,
      randOps: 1,
      epochs,
      batchSize: 64,
      learningRate: 1e-3,
      seed: 1,
    },
    train,
    test,
  );
  return { arch, secondsPerEpoch: r.trainSeconds / epochs, finalTrainLoss: r.curve.at(-1)!.trainLoss };
}

/** The VAE lab's 784-400-20 MLP VAE (Bernoulli decoder, Adam, batch 128): seconds per training step. */
async function vaeSteps(): Promise<{ arch: string; secondsPerStep: number }> {
  const cfg = VAE_784_400_20;
  const rand = mulberry32(1);
  const vae = createVae(cfg, initialTensors(cfg, rand));
  const opt = new Adam(1e-3);
  const ds = getDataset({ kind: 'mnist' });
  const x = tf.tensor2d(
    pixelRows(
      ds.train,
      Array.from({ length: 128 }, (_, i) => i),
    ),
    [128, 784],
  );
  await trainStep(vae, opt, x, rand);
  const steps = quick ? 3 : 20;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await trainStep(vae, opt, x, rand);
  const s = (performance.now() - t0) / 1000 / steps;
  tf.dispose([x]);
  opt.dispose();
  vae.dispose();
  return { arch: 'vae 784-400-20', secondsPerStep: s };
}

const sizes: [number, number][] = quick
  ? [[256, 256]]
  : [
      [1024, 1024],
      [2048, 2048],
      [4096, 1024],
    ];
const products = [];
for (const [n, k] of sizes) products.push(await matmul(n, k));
console.log(
  JSON.stringify({
    backend: info.name,
    adapter: info.adapter,
    threads: info.threads,
    matmul: products,
    training: [await training('cnn'), await training('mlp')],
    vae: await vaeSteps(),
  }),
);
