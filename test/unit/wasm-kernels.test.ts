// The WASM backend as users get it: Kairo's kernel pool on every core (core/compute/pool.ts).
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { kernelPool } from '../../core/compute/wasm-threads.ts';
import { FUSED_ADAM } from '../../models/common/adam.ts';
import { kernelCases } from './wasm-kernel-cases.ts';

before(async () => {
  process.env.KAIRO_BACKEND = '';
  process.env.KAIRO_KERNELS = '';
  assert.equal((await initBackend()).name, 'wasm');
});

test("Kairo's kernel pool runs, and a large product really runs on its worker threads", () => {
  const pool = kernelPool();
  assert.ok(pool, 'kernel pool running');
  assert.equal(pool.threads, availableParallelism());
  assert.equal(pool.readyWorkers(), pool.threads - 1);
  const before = pool.workerCalls();
  tf.tidy(() => tf.matMul(tf.ones([256, 256]), tf.ones([256, 256])).dataSync());
  assert.equal(pool.workerCalls() - before, pool.threads - 1);
  assert.ok(tf.getKernel(FUSED_ADAM, 'wasm'), 'the fused Adam step is registered');
});

kernelCases();
