// Multithreaded WebAssembly for TensorFlow.js in Node, worker threads and Electron's main
// process. Stock tfjs sets the multithread flag false in Node, and if forced, hands Node's
// worker_threads a blob: URL for the pthread worker, which Node refuses (ERR_WORKER_PATH).
// This re-registers the 'wasm' backend with the same kernels and the package's own threaded
// SIMD build, but with the pthread worker and main script written to real files, and starts
// Kairo's kernel pool (pool.ts) in the same shared heap.
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KernelPool, type WasmMemory } from './pool.ts';

type Factory = ((config: Record<string, unknown>) => Promise<EmscriptenModule>) & { toString(): string };
interface EmscriptenModule {
  wasmMemory?: WasmMemory;
  _malloc(bytes: number): number;
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => unknown;
  tfjs?: Record<string, unknown>;
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

const require = createRequire(import.meta.url);
let started: EmscriptenModule | null = null;
let pool: KernelPool | null = null;
let poolFailure = 'WebAssembly backend not started';

/** Kairo's own kernels in the threaded heap (core/compute/pool.ts), once the backend runs. */
export function kernelPool(): KernelPool | null {
  return pool;
}

/** Why kernelPool() is null, for the backend report. */
export function kernelPoolFailure(): string {
  return poolFailure;
}

/** Pthreads (Node worker threads) the threaded module is running: XNNPACK's pool (none when Kairo's pool runs). */
export function runningPthreads(): number {
  return started?.PThread.runningWorkers.length ?? 0;
}

function wasmDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** Writes a file once under a content-addressed name; concurrent writers race harmlessly. */
function materialise(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  }
  return path;
}

function threadFiles(factory: Factory): { main: string; worker: string } {
  const { wasmWorkerContents: raw } = require(join(wasmDir(), 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The contents were stored in a template literal, which turned the "\n" escapes inside its
  // string literals into real newlines; put the escapes back, as tfjs does for its blob.
  const wasmWorkerContents = raw.replace(/\n/g, '\\n');
  // The pthread worker evaluates the main script and expects this global, as tfjs's blob does.
  const main = `var WasmBackendModuleThreadedSimd = ${factory.toString()};\n`;
  const hash = createHash('sha256').update(main).update(wasmWorkerContents).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `kairo-tfjs-wasm-${hash}`);
  mkdirSync(dir, { recursive: true });
  // .cjs: the worker uses require(), whatever package.json sits above the cache directory.
  return { main: materialise(dir, 'main.cjs', main), worker: materialise(dir, 'worker.cjs', wasmWorkerContents) };
}

/**
 * Replaces the 'wasm' backend's factory with a threaded one using `threads` threads, computing
 * with Kairo's kernel pool unless `ownKernels` is false (then tfjs's XNNPACK kernels only).
 * Call before the backend is first used. Throws if the threaded build cannot be set up.
 */
export function registerThreadedWasm(threads: number, ownKernels = true): void {
  const dir = wasmDir();
  const factory = require(join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js')) as Factory;
  const files = threadFiles(factory);
  const wasmBinary = join(dir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // Emscripten sizes its pthread pool at start-up from half of os.cpus() (it assumes
      // hyper-threads), which leaves XNNPACK one thread on a two-core machine should it need
      // `threads` (no kernel pool). Report 2 × threads while the module starts, then restore.
      const os = require('node:os') as typeof import('node:os');
      const cpus = os.cpus;
      const one = cpus()[0]!;
      os.cpus = () => Array.from({ length: 2 * threads }, () => one);
      let module: EmscriptenModule;
      try {
        module = await factory({
          locateFile: (path: string, prefix: string) =>
            path.endsWith('.worker.js') ? files.worker : path.endsWith('.wasm') ? wasmBinary : prefix + path,
          mainScriptUrlOrBlob: files.main,
        });
      } finally {
        os.cpus = cpus;
      }
      // The same bridge tfjs's own init() builds.
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      try {
        if (!ownKernels) throw new Error('turned off by KAIRO_KERNELS=xnnpack');
        if (!module.wasmMemory) throw new Error('the module does not expose its memory');
        pool = new KernelPool({ memory: module.wasmMemory, malloc: (n) => module._malloc(n) }, threads);
        await pool.started(5000);
        poolFailure = '';
      } catch (e) {
        // MatMul and convolutions then stay on XNNPACK (see wasm-kernels.ts): slower, still correct.
        pool = null;
        poolFailure = e instanceof Error ? e.message : String(e);
      }
      // With Kairo's pool doing the products and convolutions, XNNPACK (elementwise ops, pooling)
      // gets one thread: its pool threads spin between operations and took the cores from the
      // pool's workers (MLP training 15.8k → 12.5k samples/s with both on two cores).
      setThreadsCount(pool ? 1 : threads);
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      // XNNPACK's pool threads are ref'd while they run, which would keep every process that
      // used tfjs alive forever. The main thread waits for them synchronously inside kernels,
      // never through the event loop, so unref'ing them is safe.
      for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
      started = module;
      return backend;
    },
    2,
  );
}
