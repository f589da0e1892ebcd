import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';

/** A fresh process picks its backend; it must also exit on its own (threads must not hold it). */
const probe = (env: Record<string, string>) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/backend-probe.ts'], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_BACKEND: '', KAIRO_THREADS: '', KAIRO_KERNELS: '', ...env },
    timeout: 30_000,
  });
  assert.equal(r.signal, null, 'the process did not exit by itself');
  return JSON.parse(r.stdout);
};

test('without native TensorFlow the WebAssembly backend with SIMD is chosen, reasons recorded', () => {
  const b = probe({});
  assert.equal(b.name, 'wasm');
  assert.equal(b.simd, true);
  assert.deepEqual(
    b.tried.map((t: { name: string }) => t.name),
    ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'],
  );
  assert.ok(b.tried.slice(0, 3).every((t: { ok: boolean; reason: string }) => !t.ok && t.reason.length > 0));
  // No GPU here: WebGPU is skipped with the reason, and the software adapter is not taken unasked.
  assert.match(
    b.tried[1].reason,
    /no Vulkan loader \(libvulkan\.so\.1\) on this machine; KAIRO_BACKEND=webgpu takes a software adapter/,
  );
  assert.equal(b.adapter, null);
});

test('the WASM backend computes on one thread per core, or as many as KAIRO_THREADS asks', () => {
  const cores = availableParallelism();
  for (const [env, threads] of [
    [{}, cores],
    [{ KAIRO_THREADS: '1' }, 1],
    [{ KAIRO_THREADS: '3' }, 3],
  ] as const) {
    const b = probe(env);
    assert.equal(b.threads, threads);
    assert.match(b.tried.at(-1).reason, new RegExp(`SIMD, ${threads} threads?, Kairo's matmul/conv kernels`));
    // Kairo's pool: the calling thread plus threads − 1 real worker threads; XNNPACK keeps none
    // of its own (they would compete for the same cores).
    assert.equal(b.poolWorkers, threads - 1);
    assert.equal(b.pthreads, 0);
  }
});

test('KAIRO_BACKEND forces a backend, and an unknown one is refused by name', () => {
  assert.equal(probe({ KAIRO_BACKEND: 'cpu' }).name, 'cpu');
  assert.match(
    probe({ KAIRO_BACKEND: 'tpu' }).error,
    /KAIRO_BACKEND=tpu is not one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu/,
  );
});

test("KAIRO_KERNELS=xnnpack runs tfjs's own kernels on every core instead, and a misspelt value is refused", () => {
  const cores = availableParallelism();
  const b = probe({ KAIRO_KERNELS: 'xnnpack' });
  assert.equal(b.threads, cores);
  assert.match(b.tried.at(-1).reason, /XNNPACK kernels only \(Kairo's kernels: turned off by KAIRO_KERNELS=xnnpack\)/);
  assert.equal(b.poolWorkers, null);
  assert.equal(b.pthreads, cores - 1);
  assert.match(probe({ KAIRO_KERNELS: 'fast' }).error, /KAIRO_KERNELS=fast is not one of kairo, xnnpack/);
});
