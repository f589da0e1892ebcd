// The WASM kernel fixes against tfjs's own CPU backend, the reference implementation:
// forward values and every gradient tfjs derives through them, to float32 rounding.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { mulberry32 } from '../../models/common/rng.ts';

before(async () => {
  process.env.KAIRO_BACKEND = '';
  assert.equal((await initBackend()).name, 'wasm');
});

const rand = mulberry32(17);
const data = (shape: number[]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);

/** Runs f on the same inputs under both backends; returns each backend's outputs as arrays. */
async function onBoth(inputs: { shape: number[]; values: number[] }[], f: (...xs: tf.Tensor[]) => tf.Tensor[]) {
  const out: Record<string, Float32Array[]> = {};
  for (const b of ['cpu', 'wasm']) {
    await tf.setBackend(b);
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const ys = f(...xs);
    out[b] = ys.map((y) => y.dataSync() as Float32Array);
    tf.dispose([...xs, ...ys]);
  }
  await tf.setBackend('wasm');
  return out as { cpu: Float32Array[]; wasm: Float32Array[] };
}

function close(a: Float32Array[], b: Float32Array[], what: string) {
  assert.equal(a.length, b.length);
  a.forEach((x, k) => {
    const y = b[k]!;
    assert.equal(x.length, y.length, what);
    const scale = Math.max(1, ...Array.from(y, Math.abs));
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    assert.ok(worst <= 2e-5 * scale * Math.sqrt(x.length), `${what} output ${k}: max diff ${worst} (scale ${scale})`);
  });
}

test('matMul with every transpose combination matches the CPU backend, values and gradients', async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[1, 1], [1, 1], false, false],
    [[1, 7], [7, 3], false, false],
    [[5, 4], [6, 4], false, true],
    [[4, 5], [4, 6], true, false],
    [[4, 5], [6, 4], true, true],
    [[3, 8, 2], [3, 8, 5], true, false], // batched
    [[2, 3, 4], [2, 5, 4], false, true], // batched, transposed b
    [[64, 33], [33, 1], false, false], // a column output
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const r = await onBoth([{ shape: sa, values: data(sa) }, { shape: sb, values: data(sb) }], (a, b) => {
      const y = tf.matMul(a!, b!, ta, tb);
      const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), tf.sin(tf.matMul(p, q, ta, tb)))))([a!, b!]);
      return [y, ...g];
    });
    close(r.wasm, r.cpu, `matMul ${sa}×${sb} tA=${ta} tB=${tb}`);
  }
});

test('fused matMul with bias and activation matches the CPU backend', async () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const sa = ta ? [6, 4] : [4, 6];
    const sb = tb ? [3, 6] : [6, 3];
    const r = await onBoth([{ shape: sa, values: data(sa) }, { shape: sb, values: data(sb) }, { shape: [3], values: data([3]) }], (a, b, bias) => {
      const f = (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: c, activation: 'relu' });
      return [f(a!, b!, bias!), ...tf.grads((p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(f(p, q, c))))([a!, b!, bias!])];
    });
    close(r.wasm, r.cpu, `fused tA=${ta} tB=${tb}`);
  }
});

test('conv2d trains on WASM: filter and input gradients match the CPU backend', async () => {
  const cases: { x: number[]; f: number[]; s: number | [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [1, 5, 5, 1], f: [3, 3, 1, 2], s: 1, pad: 'valid' },
    { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 9, 7, 2], f: [3, 3, 2, 3], s: 2, pad: 'same' }, // odd sizes, stride 2
    { x: [3, 10, 10, 2], f: [5, 5, 2, 2], s: 2, pad: 'valid' }, // rows left over by the stride
    { x: [1, 6, 11, 1], f: [2, 4, 1, 3], s: [1, 3], pad: 'same' }, // non-square everything
    { x: [4, 28, 28, 1], f: [3, 3, 1, 8], s: 1, pad: 'same' }, // the labs' MNIST shape
  ];
  for (const c of cases) {
    const r = await onBoth([{ shape: c.x, values: data(c.x) }, { shape: c.f, values: data(c.f) }], (x, f) => {
      const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.tanh(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, c.s, c.pad)));
      return [tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad), ...tf.grads(loss)([x!, f!])];
    });
    close(r.wasm, r.cpu, `conv ${c.x} ${c.f} s=${c.s} ${c.pad}`);
  }
});

test('the replaced kernels leave no tensors or WASM buffers behind', () => {
  const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
  const a = tf.randomNormal([16, 8]);
  const w = tf.randomNormal([3, 3, 1, 4]);
  const x = tf.randomNormal([2, 6, 6, 1]);
  const step = () =>
    tf.tidy(() => {
      tf.grads((p: tf.Tensor) => tf.sum(tf.matMul(p, p, true, false)))([a]);
      tf.grads((q: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, q as tf.Tensor4D, 2, 'same')))([w]);
    });
  step();
  const tensors = tf.memory().numTensors;
  const ids = backend.numDataIds();
  for (let i = 0; i < 50; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(backend.numDataIds(), ids);
  tf.dispose([a, w, x]);
});
