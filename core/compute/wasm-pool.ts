// How Kairo's kernels reach its WebAssembly kernel pool from tfjs's WASM backend: the pool's
// exported functions, tensors' offsets in the shared heap, and temporary buffers.
import * as tf from '@tensorflow/tfjs';
import type { KernelPool, Window } from './pool.ts';
import { kernelPool } from './wasm-threads.ts';

export type Info = tf.TensorInfo;

export type Backend = tf.KernelBackend & {
  disposeData(id: object): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  getMemoryOffset(id: object): number;
  typedArrayFromHeap(t: Info): Float32Array;
};

export type Args = { inputs: Record<string, Info>; backend: Backend; attrs: Record<string, unknown> };

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k;
}

export function call(k: tf.KernelConfig, args: Args): Info {
  return k.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
}

export function register(name: string, kernelFunc: (args: Args) => Info, setupFunc?: tf.KernelSetupFunc): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  // Keep setupFunc where there was one: it binds the original's wasm export when the backend starts.
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc });
}

/** Runs `fast` with the kernel pool when it is up and the inputs are float32, else `slow`. */
export function pooled(fast: (args: Args, pool: KernelPool) => Info | null, slow: (args: Args) => Info): (args: Args) => Info {
  return (args) => {
    const pool = kernelPool();
    const float = Object.values(args.inputs).every((t) => t.dtype === 'float32');
    return (pool && float && fast(args, pool)) || slow(args);
  };
}

export const offset = (backend: Backend, t: Info) => backend.getMemoryOffset(t.dataId);

export function windowOf(info: tf.backend_util.Conv2DInfo): Window {
  return {
    batch: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    KH: info.filterHeight,
    KW: info.filterWidth,
    SH: info.strideHeight,
    SW: info.strideWidth,
    DH: info.dilationHeight,
    DW: info.dilationWidth,
    PT: info.padInfo.top,
    PL: info.padInfo.left,
    OH: info.outHeight,
    OW: info.outWidth,
  };
}

/** A temporary float32 buffer on the heap, freed after `use`. */
export function withTemp<T>(backend: Backend, shape: number[], use: (at: number) => T): T {
  const t = backend.makeOutput(shape, 'float32');
  try {
    return use(offset(backend, t));
  } finally {
    backend.disposeData(t.dataId);
  }
}
