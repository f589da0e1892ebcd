// The WASM backend as users get it: Kairo's kernel pool on every core (core/compute/pool.ts).
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { kernelPool } from '../../core/compute/wasm-threads.ts';
import { FUSED_ADAM } from '../../models/common/adam.ts';
import { close, kernelCases, onBoth } from './wasm-kernel-cases.ts';
import { mulberry32 } from '../../models/common/rng.ts';

const rand = mulberry32(3);
const data = (shape: number[]) => Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => rand() * 2 - 1);

before(async () => {
  process.env.KAIRO_BACKEND = '';
  process.env.KAIRO_KERNELS = '';
  // Every core: the pool's threads are what this file tests (npm test asks for one per job).
  process.env.KAIRO_THREADS = '';
  assert.equal((await initBackend()).name, 'wasm');
});

test("Kairo's kernel pool runs, and a large product really runs on its worker threads", () => {
  const pool = kernelPool();
  assert.ok(pool, 'kernel pool running');
  assert.equal(pool.threads, availableParallelism());
  assert.equal(pool.readyWorkers(), pool.threads - 1);
  const before = pool.workerCalls();
  // Long enough (~20 ms on one thread) that every worker wakes and claims its share in time.
  tf.tidy(() => tf.matMul(tf.ones([1024, 1024]), tf.ones([1024, 512])).dataSync());
  assert.equal(pool.workerCalls() - before, pool.threads - 1);
  assert.ok(tf.getKernel(FUSED_ADAM, 'wasm'), 'the fused Adam step is registered');
});

test('every kernel split over threads even when small: shares a late worker never claimed are done by the caller, and results match the CPU backend', async () => {
  const pool = kernelPool()!;
  if (pool.threads < 2) return;
  const previous = pool.parallelWork;
  pool.parallelWork = 0;
  try {
    const [calls, takenBack] = [pool.workerCalls(), pool.sharesTakenBack()];
    for (let round = 0; round < 20; round++) {
      const shapes = [
        [4, 12, 10, 6],
        [3, 3, 6, 8],
        [40, 30],
        [30, 20],
      ];
      const r = await onBoth(
        shapes.map((shape) => ({ shape, values: data(shape) })),
        (x, f, a, b) => {
          const conv = (p: tf.Tensor, q: tf.Tensor) =>
            tf.maxPool(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 1, 'same'), 2, 2, 'valid');
          const [gx, gf] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(conv(p, q))))([x!, f!]);
          return [conv(x!, f!), gx!, gf!, tf.matMul(a!, b!), tf.sum(a!, 0)];
        },
      );
      close(r.wasm, r.cpu, `round ${round}`);
    }
    // Both paths ran: shares the workers claimed, and shares the caller took back.
    assert.ok(pool.workerCalls() > calls, 'workers ran shares');
    assert.ok(pool.sharesTakenBack() > takenBack, 'the caller took shares back');
  } finally {
    pool.parallelWork = previous;
  }
});

kernelCases();
