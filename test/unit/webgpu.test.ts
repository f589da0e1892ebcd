// The WebGPU backend (Dawn) on Mesa's software adapter, which CI installs: every kernel the models
// use, forward and gradient, against the CPU backend on small shapes; 1,000 training steps that
// leave no tensor and no GPU memory behind; the ported models' training through jobs against
// WebAssembly; cancel within a second; and the fallback chain when Dawn finds no adapter.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { type BackendInfo } from '../../core/contract.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import { createSoftmax, sgdStep } from '../../models/linear/softmax.ts';
import { tempDir } from '../helpers.ts';
process.env.KAIRO_HOME = tempDir();
let info: BackendInfo;
before(async () => {
  info = await initBackend('webgpu');
});

test('KAIRO_BACKEND=webgpu runs on the software adapter and names it; a synchronous read says what to do', () => {
  assert.equal(info.name, 'webgpu');
  assert.match(info.adapter!, /llvmpipe.*\(opengles, software\)/);
  assert.match(info.tried[0]!.reason, /^forced by KAIRO_BACKEND: .*llvmpipe/);
  // On the GPU (a product: small elementwise ops run on tfjs's CPU side, which reads fine).
  const t = tf.tidy(() => tf.matMul(tf.ones([32, 32]), tf.ones([32, 32])));
  assert.throws(
    () => t.dataSync(),
    /a synchronous tensor read \(dataSync\) on WebGPU: Node cannot read the GPU synchronously; await t\.data\(\)/,
  );
  t.dispose();
});

type Inputs = number[][];
const rand = mulberry32(11);
const arr = (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => lo + (hi - lo) * rand());

/** f on WebGPU and on the CPU backend, from the same numbers; the largest difference relative to the largest value. */
async function compare(
  name: string,
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  opts: { lo?: number; tol?: number; grad?: boolean } = {},
) {
  const data: Inputs = shapes.map((s) =>
    arr(
      s.reduce((a, b) => a * b, 1),
      opts.lo ?? -1,
      1,
    ),
  );
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const xs = data.map((d, i) => tf.tensor(d, shapes[i]));
    const outs: Float32Array[] = [];
    const y = tf.tidy(() => f(...xs));
    for (const t of [y].flat()) outs.push((await t.data()) as Float32Array);
    tf.dispose(y);
    if (opts.grad !== false) {
      // The gradient of Σ w ⊙ f(x), with a random w, with respect to every input.
      // The same w on both backends: drawn from a seed of its own per output.
      const w = [y].flat().map((t, i) => {
        const r = mulberry32(100 + i);
        return tf.tensor(
          Array.from({ length: t.size }, () => 2 * r() - 1),
          t.shape,
        );
      });
      const gs = tf.grads((...a: tf.Tensor[]) => tf.addN([f(...a)].flat().map((t, i) => tf.sum(tf.mul(t, w[i]!)))))(xs);
      for (const g of gs) outs.push((await g.data()) as Float32Array);
      tf.dispose([...gs, ...w]);
    }
    tf.dispose(xs);
    return outs;
  };
  const gpu = await run('webgpu');
  const cpu = await run('cpu');
  await tf.setBackend('webgpu');
  assert.equal(gpu.length, cpu.length);
  gpu.forEach((g, k) => {
    const c = cpu[k]!;
    assert.equal(g.length, c.length, `${name}[${k}]: size`);
    let scale = 1e-6;
    for (const v of c) scale = Math.max(scale, Math.abs(v));
    let err = 0;
    for (let i = 0; i < c.length; i++) err = Math.max(err, Math.abs(g[i]! - c[i]!));
    assert.ok(err <= (opts.tol ?? 2e-5) * scale, `${name}[${k}]: ${err} of ${scale}`);
  });
}

test('every kernel the models use: values and gradients match the CPU backend', async () => {
  const cases: [
    string,
    number[][],
    (...x: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
    { lo?: number; tol?: number; grad?: boolean }?,
  ][] = [
    [
      'matMul',
      [
        [5, 7],
        [7, 3],
      ],
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    ],
    [
      'matMul Aᵀ',
      [
        [7, 5],
        [7, 3],
      ],
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true),
    ],
    [
      'matMul Bᵀ',
      [
        [5, 7],
        [3, 7],
      ],
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
    ],
    [
      'matMul large',
      [
        [64, 200],
        [200, 48],
      ],
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    ],
    [
      'conv2d same',
      [
        [2, 9, 9, 3],
        [3, 3, 3, 4],
      ],
      (x, k) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'),
    ],
    [
      'conv2d valid stride 2',
      [
        [2, 9, 9, 2],
        [3, 3, 2, 5],
      ],
      (x, k) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 2, 'valid'),
    ],
    ['maxPool', [[2, 8, 8, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')],
    ['resizeNearestNeighbor', [[2, 4, 4, 3]], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 8])],
    ['relu', [[40]], (x) => tf.relu(x)],
    ['sigmoid', [[40]], (x) => tf.sigmoid(x)],
    ['tanh', [[40]], (x) => tf.tanh(x)],
    ['exp', [[40]], (x) => tf.exp(x)],
    ['log', [[40]], (x) => tf.log(x), { lo: 0.1 }],
    ['log1p', [[40]], (x) => tf.log1p(x), { lo: 0 }],
    ['sqrt', [[40]], (x) => tf.sqrt(x), { lo: 0.1 }],
    ['square, abs, neg', [[40]], (x) => [tf.square(x), tf.abs(x), tf.neg(x)]],
    ['sign', [[40]], (x) => tf.sign(x), { grad: false }],
    [
      'add/sub/mul/div, broadcast',
      [[4, 6], [6]],
      (a, b) => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, tf.add(tf.abs(b), 0.5))],
    ],
    ['sum, mean, axes', [[4, 6]], (x) => [tf.sum(x), tf.sum(x, 1), tf.mean(x, 0), tf.mean(x)]],
    ['logSumExp, logSoftmax, softmax', [[4, 6]], (x) => [tf.logSumExp(x, 1), tf.logSoftmax(x), tf.softmax(x)]],
    ['norm', [[4, 6]], (x) => tf.norm(x)],
    ['clipByValue', [[40]], (x) => tf.clipByValue(x, -0.5, 0.5)],
    [
      'reshape, transpose, tile, slice, stack, squeeze, expandDims',
      [[4, 6]],
      (x) => [
        tf.reshape(x, [6, 4]),
        tf.transpose(x),
        tf.tile(x, [2, 1]),
        tf.slice(x, [1, 2], [2, 3]),
        tf.stack([x, x]),
        tf.squeeze(tf.expandDims(x, 0)),
      ],
    ],
    [
      'argMax, equal, greater, cast, oneHot, zerosLike',
      [[4, 6]],
      (x) => [
        tf.cast(tf.argMax(x, 1), 'float32'),
        tf.cast(tf.equal(tf.argMax(x, 1), tf.tensor1d([0, 1, 2, 3], 'int32')), 'float32'),
        tf.cast(tf.greater(x, 0), 'float32'),
        tf.oneHot(tf.tensor1d([0, 3, 5, 1], 'int32'), 6),
        tf.zerosLike(x),
      ],
      { grad: false },
    ],
  ];
  for (const [name, shapes, f, o] of cases) await compare(name, shapes, f, o);
});

test('nearest-neighbour upsampling’s gradient is the sum over each 2 × 2 block, on WebGPU and on the (fixed) CPU backend', async () => {
  const [B, C] = [2, 3];
  const xd = Array.from({ length: B * 16 * C }, (_, i) => i);
  const wd = Array.from({ length: B * 64 * C }, (_, i) => ((i * 7) % 5) - 2);
  const direct = Array.from({ length: B * 16 * C }, (_, k) => {
    const [c, j, i, b] = [k % C, Math.floor(k / C) % 4, Math.floor(k / (4 * C)) % 4, Math.floor(k / (16 * C))];
    let s = 0;
    for (const di of [0, 1]) for (const dj of [0, 1]) s += wd[((b * 8 + 2 * i + di) * 8 + 2 * j + dj) * C + c]!;
    return s;
  });
  for (const backend of ['webgpu', 'cpu']) {
    await tf.setBackend(backend);
    const [x, w] = [tf.tensor(xd, [B, 4, 4, C]), tf.tensor(wd, [B, 8, 8, C])];
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [8, 8]), w)))(x);
    assert.deepEqual(Array.from(await g.data()), direct, backend);
    tf.dispose([x, w, g]);
  }
  await tf.setBackend('webgpu');
});

test('1,000 SGD steps on WebGPU leave no tensor and no GPU memory behind', async () => {
  await tf.setBackend('webgpu');
  const r = mulberry32(9);
  const start = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const m = createSoftmax(2, 2);
  let last = { loss: Infinity, accuracy: 0 };
  for (let s = 0; s < 1000; s++) {
    const X = Array.from({ length: 8 }, () => [r() * 2 - 1, r() * 2 - 1]);
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(
      X.map(([a, b]) => (a! + b! > 0 ? 1 : 0)),
      'int32',
    );
    last = await sgdStep(m, x, y, 0.5);
    tf.dispose([x, y]);
  }
  m.dispose();
  const end = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  assert.equal(end.numTensors, start.numTensors);
  assert.equal(end.numBytesInGPU, start.numBytesInGPU, 'GPU buffers still held');
  assert.ok(last.loss < 0.3, `it learned: loss ${last.loss}`);
});

test('without an adapter the chain says why and goes on to WebAssembly', () => {
  const probe = (env: Record<string, string>) =>
    JSON.parse(
      spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/backend-probe.ts'], {
        encoding: 'utf8',
        env: { ...process.env, KAIRO_BACKEND: '', KAIRO_THREADS: '', ...env },
        timeout: 60_000,
      }).stdout,
    );
  // EGL on X11 without a display: Mesa finds nothing, so neither does Dawn.
  const b = probe({ KAIRO_WEBGPU: 'software', EGL_PLATFORM: 'x11', DISPLAY: '' });
  assert.equal(b.name, 'wasm');
  const w = b.tried.find((t: { name: string }) => t.name === 'webgpu');
  assert.equal(w.ok, false);
  assert.match(w.reason, /no OpenGL ES adapter either \(Mesa’s libegl1, libegl-mesa0, libgles2, libgl1-mesa-dri\)/);
  // Without Vulkan (this machine) the default chain skips WebGPU with the reason, before trying anything else.
  const d = probe({});
  assert.match(
    d.tried.find((t: { name: string }) => t.name === 'webgpu').reason,
    /no Vulkan loader \(libvulkan\.so\.1\)|found no vulkan adapter|only a software adapter/,
  );
});
