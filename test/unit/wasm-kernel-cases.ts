// The WASM backend's replaced kernels against tfjs's own CPU backend, the reference
// implementation: forward values and every gradient tfjs derives through them, to float32
// rounding; products also against a float64 product. Run twice: with Kairo's kernel pool
// (wasm-kernels.test.ts) and with tfjs's XNNPACK kernels plus Kairo's fixes
// (wasm-kernels-xnnpack.test.ts), so both paths a user can end up on are checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../models/common/rng.ts';
import { Adam } from '../../models/common/adam.ts';

const rand = mulberry32(17);
const data = (shape: number[]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);

/** Runs f on the same inputs under both backends; returns each backend's outputs as arrays. */
export async function onBoth(inputs: { shape: number[]; values: number[] }[], f: (...xs: tf.Tensor[]) => tf.Tensor[]) {
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

export function close(a: Float32Array[], b: Float32Array[], what: string, tol = 2e-5) {
  assert.equal(a.length, b.length);
  a.forEach((x, k) => {
    const y = b[k]!;
    assert.equal(x.length, y.length, what);
    let scale = 1;
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(y[i]!));
      worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    }
    assert.ok(worst <= tol * scale * Math.sqrt(x.length), `${what} output ${k}: max diff ${worst} (scale ${scale})`);
  });
}

/** op(A)·op(B) in float64 from the row-major values, batch-broadcast like tfjs. */
function product64(sa: number[], va: number[], sb: number[], vb: number[], ta: boolean, tb: boolean): Float64Array {
  const [ar, ac] = sa.slice(-2) as [number, number];
  const [br, bc] = sb.slice(-2) as [number, number];
  const [M, K] = ta ? [ac, ar] : [ar, ac];
  const N = tb ? br : bc;
  const batchA = va.length / (ar * ac || 1);
  const batchB = vb.length / (br * bc || 1);
  const batch = Math.max(
    sa.length > 2 ? sa.slice(0, -2).reduce((p, q) => p * q, 1) : 1,
    sb.length > 2 ? sb.slice(0, -2).reduce((p, q) => p * q, 1) : 1,
  );
  const out = new Float64Array(batch * M * N);
  for (let t = 0; t < batch; t++) {
    const oa = (batchA === 1 ? 0 : t) * ar * ac;
    const ob = (batchB === 1 ? 0 : t) * br * bc;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += va[oa + (ta ? k * ac + i : i * ac + k)]! * vb[ob + (tb ? j * bc + k : k * bc + j)]!;
        out[(t * M + i) * N + j] = s;
      }
  }
  return out;
}

async function shapeOn(backend: string, shape: number[], axis: number | number[], keep: boolean): Promise<number[]> {
  await tf.setBackend(backend);
  const y = tf.tidy(() => tf.sum(tf.ones(shape), axis, keep));
  const s = y.shape;
  y.dispose();
  await tf.setBackend('wasm');
  return s;
}

export function kernelCases() {
  test('matMul with every transpose combination, tails, depth blocks, batches and empty sizes matches the CPU backend and a float64 product', async () => {
    const shapes: [number[], number[]][] = [
      [
        [1, 1],
        [1, 1],
      ],
      [
        [1, 7],
        [7, 3],
      ],
      [
        [5, 4],
        [4, 6],
      ],
      [
        [64, 33],
        [33, 1],
      ], // a column output
      [
        [130, 300],
        [300, 70],
      ], // row and column tails, depth > one 256-block with a tail; split by columns
      [
        [515, 257],
        [257, 9],
      ], // few columns: split by rows
      [
        [3, 20, 30],
        [30, 10],
      ], // batched a, shared b
      [
        [1, 20, 30],
        [4, 30, 10],
      ], // shared a, batched b
      [
        [2, 3, 8, 5],
        [2, 3, 5, 7],
      ], // two batch axes
      [
        [0, 5],
        [5, 3],
      ], // no rows
      [
        [4, 0],
        [0, 3],
      ], // no depth: zeros
    ];
    for (const [s0, s1] of shapes) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s.at(-1)!, s.at(-2)!] : s);
        const sa = swap(s0, ta);
        const sb = swap(s1, tb);
        const [va, vb] = [data(sa), data(sb)];
        // tfjs's MatMul gradient cannot un-broadcast a batch: values only there.
        const broadcast = sa.slice(0, -2).join() !== sb.slice(0, -2).join();
        const r = await onBoth(
          [
            { shape: sa, values: va },
            { shape: sb, values: vb },
          ],
          (a, b) => {
            const y = tf.matMul(a!, b!, ta, tb);
            if (broadcast) return [y];
            const g = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
              tf.sum(tf.mul(tf.matMul(p, q, ta, tb), tf.sin(tf.matMul(p, q, ta, tb)))),
            )([a!, b!]);
            return [y, ...g];
          },
        );
        const what = `matMul ${sa}×${sb} tA=${ta} tB=${tb}`;
        close(r.wasm, r.cpu, what);
        close([r.wasm[0]!], [Float32Array.from(product64(sa, va, sb, vb, ta, tb))], `${what} vs float64`, 1e-6);
      }
    }
  });

  test('fused matMul with bias and activation matches the CPU backend', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const sa = ta ? [6, 4] : [4, 6];
      const sb = tb ? [3, 6] : [6, 3];
      const r = await onBoth(
        [
          { shape: sa, values: data(sa) },
          { shape: sb, values: data(sb) },
          { shape: [3], values: data([3]) },
        ],
        (a, b, bias) => {
          const f = (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) =>
            tf.fused.matMul({
              a: p as tf.Tensor2D,
              b: q as tf.Tensor2D,
              transposeA: ta,
              transposeB: tb,
              bias: c,
              activation: 'relu',
            });
          return [
            f(a!, b!, bias!),
            ...tf.grads((p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(f(p, q, c))))([a!, b!, bias!]),
          ];
        },
      );
      close(r.wasm, r.cpu, `fused tA=${ta} tB=${tb}`);
    }
  });

  test('conv2d trains on WASM: values, filter and input gradients match the CPU backend', async () => {
    const cases: { x: number[]; f: number[]; s: number | [number, number]; pad: 'same' | 'valid' }[] = [
      { x: [1, 5, 5, 1], f: [3, 3, 1, 2], s: 1, pad: 'valid' },
      { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
      { x: [2, 9, 7, 2], f: [3, 3, 2, 3], s: 2, pad: 'same' }, // odd sizes, stride 2
      { x: [3, 10, 10, 2], f: [5, 5, 2, 2], s: 2, pad: 'valid' }, // rows left over by the stride
      { x: [1, 6, 11, 1], f: [2, 4, 1, 3], s: [1, 3], pad: 'same' }, // non-square everything
      { x: [4, 28, 28, 1], f: [3, 3, 1, 8], s: 1, pad: 'same' }, // the labs' MNIST shape
      { x: [8, 14, 14, 16], f: [3, 3, 16, 32], s: 1, pad: 'same' }, // large enough to use every thread
    ];
    for (const c of cases) {
      const r = await onBoth(
        [
          { shape: c.x, values: data(c.x) },
          { shape: c.f, values: data(c.f) },
        ],
        (x, f) => {
          const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.tanh(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, c.s, c.pad)));
          return [tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad), ...tf.grads(loss)([x!, f!])];
        },
      );
      close(r.wasm, r.cpu, `conv ${c.x} ${c.f} s=${c.s} ${c.pad}`);
    }
  });

  test('dilated conv2d and conv2dTranspose (the conv VAE decoder) match the CPU backend', async () => {
    const d = await onBoth(
      [
        { shape: [2, 11, 9, 3], values: data([2, 11, 9, 3]) },
        { shape: [3, 3, 3, 4], values: data([3, 3, 3, 4]) },
      ],
      (x, f) => [
        tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', 2),
        tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid', 'NHWC', [2, 3]),
      ],
    );
    close(d.wasm, d.cpu, 'dilated conv2d');
    for (const [xs, fs, out, s, pad] of [
      [[2, 7, 7, 8], [3, 3, 4, 8], [2, 14, 14, 4], 2, 'same'],
      [[3, 5, 6, 6], [4, 4, 2, 6], [3, 12, 14, 2], 2, 'valid'],
    ] as [number[], number[], number[], number, 'same' | 'valid'][]) {
      const r = await onBoth(
        [
          { shape: xs, values: data(xs) },
          { shape: fs, values: data(fs) },
        ],
        (x, f) => {
          const t = (p: tf.Tensor, q: tf.Tensor) =>
            tf.conv2dTranspose(p as tf.Tensor4D, q as tf.Tensor4D, out as [number, number, number, number], s, pad);
          return [t(x!, f!), ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.sin(t(p, q))))([x!, f!])];
        },
      );
      close(r.wasm, r.cpu, `conv2dTranspose ${xs} → ${out}`);
    }
  });

  test('max-pool gradient (ties, overlapping windows, padding, many channels) matches the CPU backend', async () => {
    // Few distinct values, so windows hold ties: the gradient must go to the same one.
    const coarse = (shape: number[]) => data(shape).map((v) => Math.round(v * 2));
    for (const [xs, k, s, pad] of [
      [[2, 8, 8, 3], 2, 2, 'valid'],
      [[3, 9, 9, 5], 3, 2, 'same'],
      [[1, 5, 7, 300], 2, 1, 'valid'],
      [[64, 28, 28, 4], 2, 2, 'valid'],
    ] as [number[], number, number, 'same' | 'valid'][]) {
      const r = await onBoth([{ shape: xs, values: coarse(xs) }], (x) => {
        const pool = (p: tf.Tensor) => tf.maxPool(p as tf.Tensor4D, k, s, pad);
        const y = pool(x!);
        const w = tf.linspace(-1, 1, y.size).reshape(y.shape);
        return [y, tf.grad((p: tf.Tensor) => tf.sum(tf.mul(pool(p), w)))(x!)];
      });
      close(r.wasm, r.cpu, `maxPool ${xs} k=${k} s=${s} ${pad}`);
    }
  });

  test('sums over leading axes (bias gradients) and over any other axes match the CPU backend', async () => {
    const shape = [6, 5, 40];
    for (const [axis, keep] of [
      [0, false],
      [[0, 1], false],
      [[1, 0], true],
      [-3, true],
      [2, false],
      [[0, 2], false],
      [[0, 1, 2], false],
    ] as [number | number[], boolean][]) {
      const r = await onBoth([{ shape, values: data(shape) }], (x) => [tf.sum(x!, axis, keep)]);
      close(r.wasm, r.cpu, `sum axis=${axis} keepDims=${keep}`);
      const [cpuShape, wasmShape] = [await shapeOn('cpu', shape, axis, keep), await shapeOn('wasm', shape, axis, keep)];
      assert.deepEqual(wasmShape, cpuShape, `sum axis=${axis} keepDims=${keep} shape`);
    }
  });

  test("Kairo's Adam gives tf.train.adam's weights, step for step", async () => {
    const shape = [37, 29];
    const [w0, c] = [data(shape), data(shape)];
    const run = async (backend: string, make: () => tf.Optimizer) => {
      await tf.setBackend(backend);
      const w = tf.variable(tf.tensor(w0, shape));
      const target = tf.tensor(c, shape);
      const opt = make();
      // Elementwise only, so both backends see bit-identical gradients.
      for (let i = 0; i < 30; i++)
        opt.minimize(() => tf.sum(tf.mul(tf.square(tf.sub(w, target)), tf.add(target, 2))) as tf.Scalar, false, [w]);
      const out = w.dataSync().slice() as Float32Array;
      tf.dispose([w, target]);
      opt.dispose();
      return out;
    };
    const reference = await run('cpu', () => tf.train.adam(0.05));
    const mine = await run('wasm', () => new Adam(0.05));
    await tf.setBackend('wasm');
    close([mine], [reference], 'Adam after 30 steps', 1e-7);
    assert.ok(
      reference.some((v, i) => Math.abs(v - w0[i]!) > 0.5),
      'the weights moved',
    );
  });

  test('the replaced kernels leave no tensors or WASM buffers behind', () => {
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    const a = tf.randomNormal([16, 8]);
    const w = tf.variable(tf.randomNormal([3, 3, 1, 4]));
    const x = tf.randomNormal([2, 6, 6, 1]);
    const opt = new Adam(0.01);
    const step = () =>
      tf.tidy(() => {
        tf.grads((p: tf.Tensor) => tf.sum(tf.matMul(p, p, true, false)))([a]);
        opt.minimize(
          () => tf.sum(tf.maxPool(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), 2, 1, 'same')) as tf.Scalar,
          false,
          [w],
        );
      });
    step();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (let i = 0; i < 50; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), ids);
    tf.dispose([a, w, x]);
    opt.dispose();
  });
}
