// Entry point of a job worker thread: one job per worker, so a crash or a hard cancel
// (terminate) never leaves another job's state behind.
import { parentPort, workerData } from 'node:worker_threads';
import { PROGRESS_HZ, type BackendInfo, type JobProgress } from '../contract.ts';
import { toErrorValue } from '../errors.ts';
import { chooseKernelBuild } from '../compute/kernel-build.ts';
import { setFloat64Build } from '../../models/linalg/gemm.ts';
import { jobDef } from '../labs/index.ts';
import {
  progressOf,
  type JobContext,
  type JobHandler,
  type ProgressReport,
  type WorkerInput,
  type WorkerMessage,
} from './types.ts';

const port = parentPort!;
const input = workerData as WorkerInput;
const flag = new Int32Array(input.cancelFlag);
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/**
 * What a float64 job runs on: its products on native/f64's f64x2 kernels (fused multiply-add where
 * the runtime has relaxed SIMD, unless KAIRO_FMA=off), Eigen in WebAssembly for its eigensolver and
 * factorisations, the rest JavaScript; one thread.
 */
function float64Backend(): BackendInfo {
  const { build, why } = chooseKernelBuild();
  setFloat64Build(build);
  const reason = `float64 products on f64x2 WebAssembly SIMD kernels, ${why}; Eigen for eigensolver and Cholesky`;
  return {
    name: 'float64',
    threads: 1,
    simd: true,
    fma: build === 'fma',
    adapter: null,
    tried: [{ name: 'float64', ok: true, reason }],
  };
}

async function main(): Promise<void> {
  const def = jobDef(input.kind);
  if (!def) throw new Error(`unknown job kind ${input.kind}`);
  // The job's module loads first, before the job counts as started: a cancel terminates the
  // worker, and that should not land while a module is still being compiled and linked.
  if (!def.handler) throw new Error(`${input.kind} runs in the core, not in a worker`);
  const handler = (await def.handler()) as JobHandler<typeof input.kind>;
  // A float64 job never touches TensorFlow.js: neither it nor its backend is loaded (about 2 s).
  const tf = def.float64 ? null : await import('@tensorflow/tfjs');
  const backend = def.float64 ? float64Backend() : await (await import('../backend.ts')).initBackend();
  send({ type: 'started', backend });
  const t0 = performance.now();
  let lastSent = -Infinity;
  let pending: JobProgress | null = null;
  const toProgress = (p: ProgressReport): JobProgress => progressOf(p, (performance.now() - t0) / 1000);
  const ctx: JobContext = {
    progress(p) {
      // A preview survives throttling: it rides on the next report that goes out.
      const preview = p.preview ?? pending?.preview ?? null;
      pending = { ...toProgress(p), preview };
      const now = performance.now();
      if (now - lastSent >= 1000 / PROGRESS_HZ) {
        lastSent = now;
        send({ type: 'progress', progress: pending });
        pending = null;
      }
    },
    cancelled: () => Atomics.load(flag, 0) !== 0,
    inputs: input.inputs ?? { tensors: {}, state: null },
  };
  const before = tf?.memory().numTensors ?? 0;
  const output = await handler(input.params as never, ctx);
  const tensors = { before, after: tf?.memory().numTensors ?? 0 };
  if (pending) send({ type: 'progress', progress: pending });
  const buffers = Object.values(output.tensors).map((t) => t.data.buffer as ArrayBuffer);
  send({ type: 'done', output, cancelled: ctx.cancelled(), tensors }, buffers);
}

// The manager terminates the worker once it has the final message: exiting from here could
// drop a message still in flight.
main().catch((e: unknown) => send({ type: 'error', error: toErrorValue(e) }));
