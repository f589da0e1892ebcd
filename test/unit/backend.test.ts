import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const probe = (env: Record<string, string>) => {
  const code = `import { initBackend } from './core/backend.ts'; initBackend().then((b) => console.log(JSON.stringify(b)), (e) => { console.log(JSON.stringify({ error: e.message })); });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } });
  return JSON.parse(r.stdout);
};

test('without native TensorFlow the WebAssembly backend with SIMD is chosen, reasons recorded', () => {
  const b = probe({ KAIRO_BACKEND: '' });
  assert.equal(b.name, 'wasm');
  assert.equal(b.simd, true);
  assert.deepEqual(b.tried.map((t: { name: string }) => t.name), ['tensorflow-gpu', 'tensorflow', 'wasm']);
  assert.ok(b.tried.slice(0, 2).every((t: { ok: boolean; reason: string }) => !t.ok && t.reason.length > 0));
});

test('KAIRO_BACKEND forces a backend, and an unknown one is refused by name', () => {
  assert.equal(probe({ KAIRO_BACKEND: 'cpu' }).name, 'cpu');
  assert.match(probe({ KAIRO_BACKEND: 'tpu' }).error, /KAIRO_BACKEND=tpu is not one of tensorflow-gpu, tensorflow, wasm, cpu/);
});
