// The WASM backend without Kairo's kernel pool (KAIRO_KERNELS=xnnpack, or wherever the pool
// cannot start): tfjs's XNNPACK kernels with Kairo's fixes for transposes, the missing conv
// filter gradient, and Adam as tfjs ops must give the same results.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../core/backend.ts';
import { kernelPool } from '../../core/compute/wasm-threads.ts';
import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM } from '../../models/common/adam.ts';
import { kernelCases } from './wasm-kernel-cases.ts';

before(async () => {
  process.env.KAIRO_BACKEND = '';
  process.env.KAIRO_KERNELS = 'xnnpack';
  assert.equal((await initBackend()).name, 'wasm');
});

test('the kernel pool is off, and Adam runs as tfjs ops', () => {
  assert.equal(kernelPool(), null);
  assert.equal(tf.getKernel(FUSED_ADAM, 'wasm'), undefined);
});

kernelCases();
