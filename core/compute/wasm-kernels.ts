// Kernel fixes for TensorFlow.js's WebAssembly backend, installed once before the backend
// starts, so every model (and every gradient tfjs derives) gets them without knowing:
//  - BatchMatMul / _FusedMatMul with transposeA/transposeB run XNNPACK's slow transposed path
//    (~1–2 GFLOP/s instead of ~25). tfjs's own MatMul gradient uses exactly those flags, so
//    training spent most of its time there. Here the operand is transposed explicitly
//    (a cheap memory pass) and the fast plain kernel runs.
//  - Conv2DBackpropFilter does not exist on WASM, so conv nets could not train at all. The
//    filter gradient is itself a convolution: of the input (channels as batch) with the
//    output gradient as the filter, dilated by the forward stride.
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Backend = tf.KernelBackend & { disposeData(id: object): boolean };
type Args = { inputs: Record<string, Info>; backend: Backend; attrs: Record<string, unknown> };

let installed = false;

function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k;
}

function call(k: tf.KernelConfig, args: Args): Info {
  return k.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
}

function replace(name: string, make: (original: tf.KernelConfig) => (args: Args) => Info): void {
  const original = kernel(name);
  tf.unregisterKernel(name, 'wasm');
  // Keep setupFunc: it binds the original's wasm export when the backend starts.
  tf.registerKernel({ ...original, kernelFunc: make(original) as unknown as tf.KernelFunc });
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
      if (!transposeA && !transposeB) return call(original, args);
      const temps: Info[] = [];
      const a = transposeA ? (temps.push(swapLast(args.inputs.a!, args.backend)), temps.at(-1)!) : args.inputs.a!;
      const b = transposeB ? (temps.push(swapLast(args.inputs.b!, args.backend)), temps.at(-1)!) : args.inputs.b!;
      try {
        return call(original, { ...args, inputs: { ...args.inputs, a, b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      } finally {
        for (const t of temps) args.backend.disposeData(t.dataId);
      }
    };
  replace('BatchMatMul', plainMatMul);
  replace('_FusedMatMul', plainMatMul);

  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ((args: Args): Info => {
      const { x, dy } = args.inputs as { x: Info; dy: Info };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as {
        strides: [number, number] | number;
        pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
      const backend = args.backend;
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
      const [kh, kw, ci, co] = filterShape;
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
            attrs: { strides: [1, 1], dilations: [sh, sw], pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]], dataFormat: 'NHWC' },
          }),
        ); // [ci, kh', kw', co]
        if (g.shape[1] !== kh || g.shape[2] !== kw) {
          g = keep(call(sliceK, { inputs: { x: g }, backend, attrs: { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] } }));
        }
        return call(transposeK, { inputs: { x: g }, backend, attrs: { perm: [1, 2, 0, 3] } });
      } finally {
        for (const t of temps) backend.disposeData(t.dataId);
      }
    }) as unknown as tf.KernelFunc,
  });
}
