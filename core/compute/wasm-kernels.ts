// Kernel replacements for TensorFlow.js's WebAssembly backend, installed once before the backend
// starts, so every model (and every gradient tfjs derives) gets them without knowing.
//
// With Kairo's kernel pool (core/compute/pool.ts, threaded build):
//  - BatchMatMul runs the pool's product on the tensors in place, whatever the transpose flags.
//  - Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter are im2col / col2im plus that product.
//  - MaxPoolGrad runs the pool's scatter (tfjs's own is a naive loop, ~50 ns per element), and
//    sums over leading axes (bias gradients) run without tfjs's full transpose.
// Always:
//  - Identity shares the buffer (tfjs's copies it). tfjs clones every tensor it saves for the
//    backward pass through Identity, so training copied each activation; tensors are immutable
//    and other backends share too.
// Without it (stock single-threaded build), and for _FusedMatMul:
//  - with transposeA/transposeB tfjs runs a naive loop (~1–2 GFLOP/s instead of ~25), and its
//    own MatMul gradient uses exactly those flags: the operand is transposed explicitly (a cheap
//    memory pass) and XNNPACK's plain kernel runs;
//  - Conv2DBackpropFilter does not exist on WASM at all, so conv nets could not train. The
//    filter gradient is itself a convolution: of the input (channels as batch) with the output
//    gradient as the filter, dilated by the forward stride;
//  - a product over an empty depth (XNNPACK refuses it; tfjs returned uninitialised memory) is
//    zeros, and MaxPoolGrad follows tfjs's tie rule (see maxPoolGradJs).
import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM } from '../../models/common/adam.ts';
import type { AdamScalars, KernelPool } from './pool.ts';
import { kernelPool } from './wasm-threads.ts';
import { type Info, type Backend, type Args, type Pad, kernel, call, register, pooled, offset, windowOf } from './wasm-pool.ts';
import { type ConvAttrs, pooledConv2D, pooledConv2DBackpropInput, pooledConv2DBackpropFilter } from './wasm-conv.ts';

let installed = false;

function pooledMatMul(args: Args, pool: KernelPool): Info | null {
  const { a, b } = args.inputs as { a: Info; b: Info };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [aRows, aCols] = [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const [bRows, bCols] = [b.shape[rb - 2]!, b.shape[rb - 1]!];
  const [M, K] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [K2, N] = transposeB ? [bCols, bRows] : [bRows, bCols];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  // Shapes the stock kernel rejects, or broadcasts beyond one side of batch 1: let it say so / do it.
  if (K !== K2 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = args.backend.makeOutput([...outer, M, N], 'float32');
  const [pa, pb, pc] = [offset(args.backend, a), offset(args.backend, b), offset(args.backend, out)];
  const [ars, acs] = transposeA ? [1, M] : [K, 1];
  const [brs, bcs] = transposeB ? [1, K] : [N, 1];
  for (let i = 0; i < Math.max(batchA, batchB); i++) {
    pool.product({
      M,
      N,
      K,
      ars,
      acs,
      brs,
      bcs,
      a: pa + 4 * (batchA === 1 ? 0 : i) * M * K,
      b: pb + 4 * (batchB === 1 ? 0 : i) * K * N,
      c: pc + 4 * i * M * N,
    });
  }
  return out;
}

// Sums over leading axes only (bias gradients); tfjs's own transposes them innermost first.
function pooledSum(args: Args, pool: KernelPool): Info | null {
  const { x } = args.inputs as { x: Info };
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  if (axes.length === 0 || axes.length === x.shape.length || axes.some((a, i) => a !== i)) return null;
  const R = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const rest = x.shape.slice(axes.length);
  const out = args.backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
  pool.sumLeading(offset(args.backend, x), R, tf.util.sizeFromShape(rest), offset(args.backend, out));
  return out;
}

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

const poolWindow = (input: Info, a: PoolAttrs) =>
  windowOf(
    tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    ),
  );

function pooledMaxPoolGrad(args: Args, pool: KernelPool): Info | null {
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const out = args.backend.makeOutput(input.shape, 'float32');
  pool.maxPoolGrad(
    offset(args.backend, input),
    offset(args.backend, dy),
    poolWindow(input, args.attrs as PoolAttrs),
    offset(args.backend, out),
  );
  return out;
}

// Without the pool: the same rule in plain JS. tfjs-wasm's own kernel, no faster, sends a tied
// window's gradient to a different element than tfjs's reference (the first maximum).
function maxPoolGradJs(args: Args): Info {
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const w = poolWindow(input, args.attrs as PoolAttrs);
  const out = args.backend.makeOutput(input.shape, 'float32');
  const [X, DY, DX] = [input, dy, out].map((t) => args.backend.typedArrayFromHeap(t)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  DX.fill(0);
  for (let b = 0; b < w.batch; b++)
    for (let oy = 0; oy < w.OH; oy++)
      for (let ox = 0; ox < w.OW; ox++)
        for (let c = 0; c < w.C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = 0; ky < w.KH; ky++) {
            const y = oy * w.SH - w.PT + ky;
            if (y < 0 || y >= w.H) continue;
            for (let kx = 0; kx < w.KW; kx++) {
              const x = ox * w.SW - w.PL + kx;
              if (x < 0 || x >= w.W) continue;
              const i = ((b * w.H + y) * w.W + x) * w.C + c;
              if (X[i]! > best) [best, at] = [X[i]!, i];
            }
          }
          if (at >= 0) DX[at]! += DY[((b * w.OH + oy) * w.OW + ox) * w.C + c]!;
        }
  return out;
}

// The fused Adam step models/common/adam.ts asks for: one pass over each weight instead of
// tfjs's ~13 kernels. Registered only once the pool runs; without it Adam uses tfjs ops.
function fusedAdam(args: Args): Info[] {
  const { w, g, m, v } = args.inputs as Record<'w' | 'g' | 'm' | 'v', Info>;
  const backend = args.backend;
  const outs = [w, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const at = (t: Info) => offset(backend, t);
  const [w2, m2, v2] = outs.map(at) as [number, number, number];
  kernelPool()!.adam(
    { w: at(w), g: at(g), m: at(m), v: at(v), w2, m2, v2 },
    tf.util.sizeFromShape(w.shape),
    args.attrs as unknown as AdamScalars,
  );
  return outs;
}

/** Registers the kernels that exist only with Kairo's pool; call once the wasm backend runs. */
export function installPoolKernels(): void {
  if (!kernelPool() || tf.getKernel(FUSED_ADAM, 'wasm')) return;
  tf.registerKernel({ kernelName: FUSED_ADAM, backendName: 'wasm', kernelFunc: fusedAdam as unknown as tf.KernelFunc });
}

export function installWasmKernelFixes(): void {
  if (installed) return;
  installed = true;
  const transposeK = kernel('Transpose');
  const conv2dK = kernel('Conv2D');
  const sliceK = kernel('Slice');

  const swapLast = (x: Info, backend: Backend): Info => {
    const r = x.shape.length;
    const perm = [...Array(r - 2).keys(), r - 1, r - 2];
    return call(transposeK, { inputs: { x }, backend, attrs: { perm } });
  };

  const plainMatMul =
    (original: tf.KernelConfig) =>
    (args: Args): Info => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const { a: a0, b: b0 } = args.inputs as { a: Info; b: Info };
      const depth = transposeA ? a0.shape.at(-2)! : a0.shape.at(-1)!;
      if (depth === 0 && b0.shape.at(transposeB ? -1 : -2) === 0) {
        // XNNPACK refuses zero input channels and tfjs then returns uninitialised memory.
        const outer = tf.backend_util.assertAndGetBroadcastShape(a0.shape.slice(0, -2), b0.shape.slice(0, -2));
        const out = args.backend.makeOutput(
          [...outer, transposeA ? a0.shape.at(-1)! : a0.shape.at(-2)!, transposeB ? b0.shape.at(-2)! : b0.shape.at(-1)!],
          'float32',
        );
        args.backend.typedArrayFromHeap(out).fill(0);
        return out;
      }
      if (!transposeA && !transposeB) return call(original, args);
      const temps: Info[] = [];
      const a = transposeA ? (temps.push(swapLast(args.inputs.a!, args.backend)), temps.at(-1)!) : args.inputs.a!;
      const b = transposeB ? (temps.push(swapLast(args.inputs.b!, args.backend)), temps.at(-1)!) : args.inputs.b!;
      try {
        return call(original, {
          ...args,
          inputs: { ...args.inputs, a, b },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
      } finally {
        for (const t of temps) args.backend.disposeData(t.dataId);
      }
    };

  // Conv2DBackpropFilter through forward convolutions, for when the pool is unavailable.
  const convFilterGrad = (args: Args): Info => {
    const { x, dy } = args.inputs as { x: Info; dy: Info };
    const attrs = args.attrs as ConvAttrs & { filterShape: [number, number, number, number] };
    if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const backend = args.backend;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const [kh, kw, ci, co] = attrs.filterShape;
    const [, H, W] = x.shape as [number, number, number, number];
    const [, OH, OW] = dy.shape as [number, number, number, number];
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const pt = info.padInfo.top;
    const pl = info.padInfo.left;
    // Pad the far side just enough that every filter tap has an output; crop extras below.
    const pb = Math.max(0, kh - H - pt + (OH - 1) * sh);
    const pr = Math.max(0, kw - W - pl + (OW - 1) * sw);
    const temps: Info[] = [];
    const keep = (t: Info) => (temps.push(t), t);
    try {
      const xT = keep(call(transposeK, { inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } })); // [ci, H, W, B]
      const dyT = keep(call(transposeK, { inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } })); // [OH, OW, B, co]
      let g = keep(
        call(conv2dK, {
          inputs: { x: xT, filter: dyT },
          backend,
          attrs: {
            strides: [1, 1],
            dilations: [sh, sw],
            pad: [
              [0, 0],
              [pt, pb],
              [pl, pr],
              [0, 0],
            ],
            dataFormat: 'NHWC',
          },
        }),
      ); // [ci, kh', kw', co]
      if (g.shape[1] !== kh || g.shape[2] !== kw) {
        g = keep(call(sliceK, { inputs: { x: g }, backend, attrs: { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] } }));
      }
      return call(transposeK, { inputs: { x: g }, backend, attrs: { perm: [1, 2, 0, 3] } });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };

  const replace = (
    name: string,
    fast: (args: Args, pool: KernelPool) => Info | null,
    slow: (original: tf.KernelConfig) => (args: Args) => Info,
  ) => {
    const original = kernel(name);
    register(name, pooled(fast, slow(original)), original.setupFunc);
  };
  const asIs = (original: tf.KernelConfig) => (args: Args) => call(original, args);

  replace('BatchMatMul', pooledMatMul, plainMatMul);
  register('_FusedMatMul', plainMatMul(kernel('_FusedMatMul')), kernel('_FusedMatMul').setupFunc);
  replace('Conv2D', pooledConv2D, asIs);
  replace('Conv2DBackpropInput', pooledConv2DBackpropInput, asIs);
  register('MaxPoolGrad', pooled(pooledMaxPoolGrad, maxPoolGradJs), kernel('MaxPoolGrad').setupFunc);
  replace('Sum', pooledSum, asIs);
  register(
    'Identity',
    (args) => {
      const { x } = args.inputs as { x: Info };
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
    kernel('Identity').setupFunc,
  );
  register('Conv2DBackpropFilter', pooled(pooledConv2DBackpropFilter, convFilterGrad));
}
