// Chooses the TensorFlow.js backend once per process: native GPU (CUDA) → WebGPU (Dawn: the
// machine's GPU) → native CPU → WebAssembly → plain JS. The native packages are optional
// dependencies that cannot install everywhere, and a machine may have no GPU, so each failure is
// recorded with its reason and shown to the user instead of thrown.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { kernelPool, kernelPoolFailure, registerThreadedWasm } from './compute/wasm-threads.ts';
import { chooseKernelBuild } from './compute/kernel-build.ts';
import { setFloat64Build } from '../models/linalg/gemm.ts';
import { installPoolKernels, installWasmKernelFixes } from './compute/wasm-kernels.ts';
import type { BackendAttempt, BackendInfo } from './contract.ts';
import { firstLine } from './errors.ts';
import { adapterLine, startWebGpu, webGpuAdapter } from './compute/webgpu.ts';
import { installCpuKernelFixes } from './compute/cpu-kernels.ts';

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
const ORDER: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
const NATIVE_PACKAGE: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let chosen: Promise<BackendInfo> | null = null;

function reasonOf(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
    // Distinguish "package absent" from "package present but its native binding is missing".
    if (
      /tfjs-node(-gpu)?['"]? /.test(err.message ?? '') ||
      /Cannot find package '@tensorflow\/tfjs-node/.test(err.message ?? '')
    ) {
      return 'not installed (optional dependency)';
    }
  }
  return firstLine(err?.message ?? String(e));
}

/** Threads for the WASM backend: KAIRO_THREADS, else every core the OS gives this process. */
export function wantedThreads(): number {
  const env = Number(process.env.KAIRO_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : availableParallelism();
}

/** KAIRO_KERNELS=xnnpack runs tfjs's own kernels only (for comparison); the default is Kairo's. */
function ownKernels(): boolean {
  const v = process.env.KAIRO_KERNELS || 'kairo';
  if (v !== 'kairo' && v !== 'xnnpack') throw new Error(`KAIRO_KERNELS=${v} is not one of kairo, xnnpack`);
  return v === 'kairo';
}

/** Returns a note on how the backend runs (e.g. why it is single-threaded). */
async function tryBackend(name: BackendName, forced: boolean): Promise<string> {
  if (name === 'webgpu') {
    // The software adapter only when asked: it is slower than WebAssembly.
    installCpuKernelFixes(); // the CPU backend stays registered beside it (the WebGPU tests' reference)
    const a = await startWebGpu(forced || process.env.KAIRO_WEBGPU === 'software');
    if (!(await tf.setBackend('webgpu'))) throw new Error(`${adapterLine(a)}: the tfjs WebGPU backend failed to initialise`);
    return adapterLine(a);
  }
  const pkg = NATIVE_PACKAGE[name];
  if (pkg) {
    // A variable specifier keeps bundlers and tsc from resolving a package that may be absent.
    await import(pkg);
    // tfjs-node registers 'tensorflow' for both packages.
    if (!(await tf.setBackend('tensorflow'))) throw new Error('backend registered but failed to initialise');
    return 'native TensorFlow';
  }
  if (name !== 'wasm') {
    installCpuKernelFixes();
    if (!(await tf.setBackend(name))) throw new Error('failed to initialise');
    return 'reference implementation, slow';
  }
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  installWasmKernelFixes();
  const threads = wantedThreads();
  const stock = tf.findBackendFactory('wasm');
  try {
    // The threaded build even for one thread: Kairo's kernel pool needs its shared heap.
    registerThreadedWasm(threads, ownKernels());
    if (!(await tf.setBackend('wasm'))) throw new Error('threaded module failed to initialise');
    const pool = kernelPool();
    installPoolKernels();
    return pool
      ? `SIMD, ${pool.threads} thread${pool.threads === 1 ? '' : 's'}, Kairo's matmul/conv kernels, ${pool.buildWhy}`
      : `SIMD, ${getThreadsCount()} threads, XNNPACK kernels only (Kairo's kernels: ${kernelPoolFailure()})`;
  } catch (e) {
    // Fall back to the stock single-threaded build, and say why.
    tf.removeBackend('wasm');
    if (stock) tf.registerBackend('wasm', stock, 2);
    if (!(await tf.setBackend('wasm'))) throw new Error('failed to initialise');
    return `single-threaded (threads unavailable: ${reasonOf(e)})`;
  }
}

/** Threads the chosen backend computes with: Kairo's kernel pool where it runs, else tfjs's. */
function backendThreads(name: BackendName): number {
  if (name !== 'wasm') return 1;
  return kernelPool()?.threads ?? getThreadsCount();
}

/**
 * `KAIRO_BACKEND` forces one backend (tests use `cpu` as the reference implementation);
 * otherwise the first that works in ORDER wins.
 */
export function initBackend(force: string | undefined = process.env.KAIRO_BACKEND): Promise<BackendInfo> {
  chosen ??= (async () => {
    const tried: BackendAttempt[] = [];
    const order = force ? ORDER.filter((n) => n === force) : ORDER;
    if (force && order.length === 0) throw new Error(`KAIRO_BACKEND=${force} is not one of ${ORDER.join(', ')}`);
    ownKernels(); // refuses a misspelt KAIRO_KERNELS here, not by silently falling back
    // And a misspelt KAIRO_FMA, or KAIRO_FMA=on where the runtime has no FMA; the float64 products
    // (curvature of the session's models runs them beside TensorFlow.js) follow the same choice.
    setFloat64Build(chooseKernelBuild().build);
    for (const name of order) {
      let how: string;
      try {
        how = await tryBackend(name, force === name);
        await tf.ready();
      } catch (e) {
        tried.push({ name, ok: false, reason: reasonOf(e) });
        continue;
      }
      tried.push({ name, ok: true, reason: `${force ? 'forced by KAIRO_BACKEND' : 'first available'}: ${how}` });
      return {
        name: tf.getBackend(),
        threads: backendThreads(name),
        simd: name === 'wasm' ? ((await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean) : false,
        fma: name === 'wasm' && kernelPool()?.build === 'fma',
        adapter: name === 'webgpu' ? adapterLine(webGpuAdapter()!) : null,
        tried,
      };
    }
    throw new Error(`no TensorFlow.js backend could start: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
  })();
  return chosen;
}
