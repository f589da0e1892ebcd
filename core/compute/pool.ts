// Kairo's own compute kernels inside TensorFlow.js's threaded WebAssembly heap.
//
// tfjs-wasm hands every MatMul and Conv2D to XNNPACK, which builds (and packs) an operator per
// weight tensor and caches it by tensor id. Training makes new weights and gradients every step,
// so each product paid operator creation and packing at ~3 ns per element, single-threaded,
// about as much as the product itself; its transposed and backward-convolution paths are naive
// loops. native/kernels/kernels.c packs 8-column panels of the right operand as it goes
// (< 1 ns per element, split across threads), takes any strides so transposed operands need no
// copy, and runs at ~45 GFLOP/s per thread here (XNNPACK: ~28); convolutions become im2col plus
// that product.
//
// The module imports tfjs's shared memory and reads/writes tensors in place. Threads: the
// calling thread plus `threads − 1` Node worker threads, each with its own instance, stack and
// packing scratch inside tfjs's heap, woken through Atomics on a small control block.
import { Worker } from 'node:worker_threads';
import { chooseKernelBuild, kernelBytes, type KernelBuild } from './kernel-build.ts';

// The WebAssembly API, typed locally: core/ compiles with Node's type library, which lacks it.
/** A WebAssembly.Memory, as far as this file needs it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module's exports, in the order workers index them. */
const FUNCTIONS = ['gemm', 'im2col', 'col2im', 'maxpool_grad', 'sum_leading', 'adam'] as const;
type KernelName = (typeof FUNCTIONS)[number];
type Fn = (...args: number[]) => void;

const NR = 8; // panel width in kernels.c
const MR = 4; // tile height in kernels.c
const KC = 256; // depth block in kernels.c
const SCRATCH_BYTES = KC * NR * 4;
const STACK_BYTES = 64 * 1024;
/**
 * Below this many flops (~50 µs on one thread) a call is not worth posting: a share its worker
 * does not claim in time is taken back, but posting and the wake still cost a few µs each.
 */
const PARALLEL_FLOPS = 2e6;

// Control block, one slot of SLOT int32s per worker: the generation the caller posted, the
// generation the worker finished, whether the worker is up, the claim on the posted call, how
// many calls it ran, the function, then its arguments.
//
// A worker wakes ~0.3 ms after it is posted on this VM, longer than many products take on one
// thread. So each post is claimed: the caller writes CLAIM = 2·gen, and the worker (when it
// wakes) and the caller (when its own share is done) both try to swap it for 2·gen + 1. If the
// worker wins, the caller waits for it; if the caller wins, the worker never started and the
// caller does that share itself (a shared product has none left) instead of waiting.
const SLOT = 24;
const GEN = 0;
const DONE = 1;
const READY = 2;
const CLAIM = 3;
const CALLS = 4; // calls the worker ran, for diagnostics and tests
const FN = 5;
const ARGS = 6;

// A product shared out in chunks that each thread takes from a counter as it gets free: the
// worker wakes late and either thread may be slowed by the host, and a fixed half each left
// the caller waiting ~15 % of every product. The same source runs in the
// workers and, through new Function, on the calling thread.
// Arguments: K, A, ars, acs, B, brs, bcs, C, ldc, scratch, M, N, byColumns, chunk.
const SHARED_GEMM_SOURCE = `
  const [K, A, ars, acs, B, brs, bcs, C, ldc, scratch, M, N, byColumns, chunk] = args;
  const total = byColumns ? N : M;
  for (;;) {
    const lo = Atomics.add(control, counter, chunk);
    if (lo >= total) return;
    const hi = Math.min(total, lo + chunk);
    if (byColumns) gemm(K, A, ars, acs, B, brs, bcs, C, ldc, scratch, 0, M, lo, hi);
    else gemm(K, A, ars, acs, B, brs, bcs, C, ldc, scratch, lo, hi, 0, N);
  }`;
type SharedGemm = (gemm: Fn, control: Int32Array, counter: number, args: ArrayLike<number>) => void;
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- fixed source above, shared with the workers
const sharedGemm = new Function('gemm', 'control', 'counter', 'args', SHARED_GEMM_SOURCE) as SharedGemm;
const SHARED = FUNCTIONS.length; // the function index that means sharedGemm

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control: buffer, slot, stackTop, counter } = workerData;
const c = new Int32Array(buffer);
const instance = new WebAssembly.Instance(module, { env: { memory } });
instance.exports.__stack_pointer.value = stackTop;
const fns = ${JSON.stringify(FUNCTIONS)}.map((name) => instance.exports[name]);
const sharedGemm = new Function('gemm', 'control', 'counter', 'args', ${JSON.stringify(SHARED_GEMM_SOURCE)});
fns.push((...args) => sharedGemm(instance.exports.gemm, c, counter, args));
const base = slot * ${SLOT};
// Read the generation before saying ready: nothing is posted to a worker before that.
let seen = Atomics.load(c, base + ${GEN});
Atomics.store(c, base + ${READY}, 1);
for (;;) {
  // Watch for the next post for ~1 ms before sleeping: in training the next product usually
  // follows within that, and a sleeping worker wakes ~0.3 ms late (back-to-back A/B: +5-10 %).
  const until = performance.now() + 1;
  for (let i = 1; Atomics.load(c, base + ${GEN}) === seen; i++) if ((i & 1023) === 0 && performance.now() > until) break;
  Atomics.wait(c, base + ${GEN}, seen);
  seen = Atomics.load(c, base + ${GEN});
  const open = seen << 1;
  if (Atomics.compareExchange(c, base + ${CLAIM}, open, open | 1) !== open) continue; // the caller did it
  fns[c[base + ${FN}]](...c.subarray(base + ${ARGS}, base + ${SLOT}));
  Atomics.add(c, base + ${CALLS}, 1);
  Atomics.store(c, base + ${DONE}, seen);
  Atomics.notify(c, base + ${DONE});
}
`;

export interface Heap {
  memory: WasmMemory;
  malloc(bytes: number): number;
}

/** One product's operands as byte offsets into the heap, with element strides. */
export interface Product {
  M: number;
  N: number;
  K: number;
  /** A[i][k] at a + 4·(i·ars + k·acs) */
  a: number;
  ars: number;
  acs: number;
  /** B[k][j] at b + 4·(k·brs + j·bcs) */
  b: number;
  brs: number;
  bcs: number;
  /** C row-major M × N at c */
  c: number;
}

/** A 2-D window over NHWC images: sizes, strides, dilations, padding and the output size. */
export interface Window {
  batch: number;
  H: number;
  W: number;
  C: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  DH: number;
  DW: number;
  PT: number;
  PL: number;
  OH: number;
  OW: number;
}

/** Splits [0, n) into `parts` contiguous ranges aligned to `unit` (the last takes the rest). */
function split(n: number, parts: number, unit: number): [number, number][] {
  const units = Math.ceil(n / unit);
  return Array.from({ length: parts }, (_, t) => [
    Math.min(n, Math.floor((units * t) / parts) * unit),
    Math.min(n, Math.floor((units * (t + 1)) / parts) * unit),
  ]);
}

export class KernelPool {
  readonly threads: number;
  /** The build of kernels.c the pool runs, and why that one. */
  readonly build: KernelBuild;
  readonly buildWhy: string;
  private readonly fns: Record<KernelName, Fn>;
  private readonly scratch: number[] = [];
  private readonly control: Int32Array;
  private readonly counter: number;
  private takenBack = 0;
  /** Below this many flops (or element moves) one thread does the whole call; see PARALLEL_FLOPS. */
  parallelWork = PARALLEL_FLOPS;

  constructor(heap: Heap, threads: number) {
    if (!(heap.memory.buffer instanceof SharedArrayBuffer))
      throw new Error('the kernels need the threaded (shared-memory) WebAssembly build');
    this.threads = Math.max(1, threads);
    ({ build: this.build, why: this.buildWhy } = chooseKernelBuild());
    const module = new WA.Module(kernelBytes(this.build));
    const stackTop = () => (heap.malloc(STACK_BYTES) + STACK_BYTES) & ~15;
    for (let t = 0; t < this.threads; t++) this.scratch.push(heap.malloc(SCRATCH_BYTES));
    if (this.scratch.some((p) => p === 0)) throw new Error('the kernels could not allocate their scratch memory');

    const exports = new WA.Instance(module, { env: { memory: heap.memory } }).exports as Record<KernelName, Fn> & {
      __stack_pointer: { value: number };
    };
    exports.__stack_pointer.value = stackTop();
    this.fns = exports;

    // One slot per worker, then the shared chunk counter.
    this.counter = SLOT * Math.max(1, this.threads - 1);
    this.control = new Int32Array(new SharedArrayBuffer(4 * (this.counter + 1)));
    for (let slot = 0; slot < this.threads - 1; slot++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module,
          memory: heap.memory,
          control: this.control.buffer,
          slot,
          stackTop: stackTop(),
          counter: this.counter,
        },
      });
      // Blocked in Atomics.wait between calls; it must not keep the process alive.
      worker.unref();
      // A worker that fails to start is simply never marked ready; the caller does its share.
      worker.on('error', () => Atomics.store(this.control, slot * SLOT + READY, 0));
    }
  }

  /**
   * Resolves once every worker is up (or after `timeoutMs`): work posted earlier runs on fewer
   * threads, which would make a job's first steps, and any timing, slower than the rest.
   */
  async started(timeoutMs: number): Promise<void> {
    for (let waited = 0; this.readyWorkers() < this.threads - 1 && waited < timeoutMs; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Calls the workers have run since they started: shows that shares really ran there. */
  workerCalls(): number {
    let n = 0;
    for (let s = 0; s < this.threads - 1; s++) n += Atomics.load(this.control, s * SLOT + CALLS);
    return n;
  }

  /** Posted shares the caller took back because their worker had not woken yet. */
  sharesTakenBack(): number {
    return this.takenBack;
  }

  /** How many worker threads have started and take shares now. */
  readyWorkers(): number {
    return this.ready().length;
  }

  /** Workers that have started and can take a share. */
  private ready(): number[] {
    const slots: number[] = [];
    for (let s = 0; s < this.threads - 1; s++) if (Atomics.load(this.control, s * SLOT + READY) === 1) slots.push(s);
    return slots;
  }

  /** Runs `fn` once per argument list: the first here, the others on the ready workers `slots`. */
  private run(fn: KernelName | 'shared gemm', calls: number[][], slots: number[]): void {
    const posted: [number, number, number[]][] = [];
    for (let t = 1; t < calls.length; t++) {
      if (calls[t]!.length > SLOT - ARGS) throw new Error(`compute kernels: ${fn} takes more arguments than a slot holds`);
      const base = slots[t - 1]! * SLOT;
      this.control[base + FN] = fn === 'shared gemm' ? SHARED : FUNCTIONS.indexOf(fn);
      this.control.set(calls[t]!, base + ARGS);
      const gen = (Atomics.load(this.control, base + GEN) + 1) | 0;
      Atomics.store(this.control, base + CLAIM, gen << 1);
      Atomics.store(this.control, base + GEN, gen);
      Atomics.notify(this.control, base + GEN);
      posted.push([base, gen, calls[t]!]);
    }
    const own = (args: number[]) =>
      fn === 'shared gemm' ? sharedGemm(this.fns.gemm, this.control, this.counter, args) : this.fns[fn](...args);
    own(calls[0]!);
    for (const [base, gen, args] of posted) {
      const open = gen << 1;
      if (Atomics.compareExchange(this.control, base + CLAIM, open, open | 1) === open) {
        // Not started yet: take its share back (a shared product has nothing left to take).
        this.takenBack++;
        own(args);
        continue;
      }
      for (let waited = 0; ; waited++) {
        // Wait on the value just compared: loading it afresh for the wait could read the new
        // generation, stored after the comparison, and sleep through the notify (a 100 ms stall).
        const done = Atomics.load(this.control, base + DONE);
        if (done === gen) break;
        // A worker cannot fail inside a kernel short of a bug that traps; don't hang forever.
        if (waited > 100) throw new Error('compute kernels: a worker thread stopped responding');
        Atomics.wait(this.control, base + DONE, done, 100);
      }
    }
  }

  /** Ready workers to use for `work` (flops or element moves), keeping `units` per thread ≥ 1. */
  private helpers(work: number, units: number): number[] {
    return work >= this.parallelWork ? this.ready().slice(0, Math.max(0, units - 1)) : [];
  }

  /** C = A · B, split over the threads when it is large enough to pay for waking them. */
  product(p: Product): void {
    const { M, N, K } = p;
    if (M === 0 || N === 0) return;
    const panels = Math.ceil(N / NR);
    const tiles = Math.ceil(M / MR);
    // Share out the columns when there are panels enough for all (each thread then packs only
    // the panels it takes), else the rows in whole tiles (every thread packs the same few
    // panels). About four chunks per thread, taken as threads get free.
    const byColumns = panels >= 2 * (1 + this.ready().length) || panels >= tiles;
    const units = byColumns ? panels : tiles;
    const slots = this.helpers(2 * M * N * K, Math.floor(units / 2));
    const parts = 1 + slots.length;
    const head = (t: number) => [K, p.a, p.ars, p.acs, p.b, p.brs, p.bcs, p.c, N, this.scratch[t]!];
    if (parts === 1) return this.run('gemm', [[...head(0), 0, M, 0, N]], []);
    const chunk = Math.max(1, Math.round(units / (4 * parts))) * (byColumns ? NR : MR);
    Atomics.store(this.control, this.counter, 0);
    this.run(
      'shared gemm',
      Array.from({ length: parts }, (_, t) => [...head(t), M, N, byColumns ? 1 : 0, chunk]),
      slots,
    );
  }

  /**
   * Runs a kernel whose work splits into independent ranges of [0, n) (rows, images, columns,
   * elements) aligned to `unit`: `argsFor(lo, hi)` gives its arguments for one range.
   */
  private splitRun(fn: KernelName, n: number, unit: number, work: number, argsFor: (lo: number, hi: number) => number[]): void {
    const slots = this.helpers(work, Math.floor(n / unit));
    this.run(
      fn,
      split(n, 1 + slots.length, unit).map(([lo, hi]) => argsFor(lo, hi)),
      slots,
    );
  }

  private windowArgs(w: Window): number[] {
    return [w.H, w.W, w.C, w.KH, w.KW, w.SH, w.SW, w.DH, w.DW, w.PT, w.PL, w.OH, w.OW];
  }

  /** The batch·OH·OW × KH·KW·C patch matrix of NHWC images x, written at cols. */
  im2col(x: number, w: Window, cols: number): void {
    const rows = w.batch * w.OH * w.OW;
    this.splitRun('im2col', rows, 1, rows * w.KH * w.KW * w.C, (r0, r1) => [x, ...this.windowArgs(w), cols, r0, r1]);
  }

  /** The adjoint of im2col: sums the patch columns back into NHWC images dx (overwritten). */
  col2im(cols: number, w: Window, dx: number): void {
    this.splitRun('col2im', w.batch, 1, w.batch * w.OH * w.OW * w.KH * w.KW * w.C, (b0, b1) => [
      cols,
      ...this.windowArgs(w),
      dx,
      b0,
      b1,
    ]);
  }

  /** Max-pool gradient: dy of each window goes to the first maximum of x in it (dx overwritten). */
  maxPoolGrad(x: number, dy: number, w: Window, dx: number): void {
    const args = [w.H, w.W, w.C, w.KH, w.KW, w.SH, w.SW, w.PT, w.PL, w.OH, w.OW];
    this.splitRun('maxpool_grad', w.batch, 1, w.batch * w.OH * w.OW * w.KH * w.KW * w.C, (b0, b1) => [
      x,
      dy,
      ...args,
      dx,
      b0,
      b1,
    ]);
  }

  /** out[j] = Σ_i x[i·C + j]: a float32 R × C matrix summed over its rows. */
  sumLeading(x: number, R: number, C: number, out: number): void {
    // At least 64 columns a thread: fewer are not worth a second thread's cache lines.
    this.splitRun('sum_leading', C, 64, R * C, (c0, c1) => [x, R, C, out, c0, c1]);
  }

  /** One Adam step over n float32 elements (see adam in kernels.c); writes w2, m2, v2. */
  adam(t: { w: number; g: number; m: number; v: number; w2: number; m2: number; v2: number }, n: number, s: AdamScalars): void {
    const bits = new Int32Array(
      new Float32Array([s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.c1, s.c2, s.epsilon, -s.learningRate]).buffer,
    );
    this.splitRun('adam', n, 1024, 8 * n, (i0, i1) => [t.w, t.g, t.m, t.v, t.w2, t.m2, t.v2, ...bits, i0, i1]);
  }
}

/** Adam's scalars for one step; c1 = 1 − β1ᵗ and c2 = 1 − β2ᵗ are the bias corrections. */
export interface AdamScalars {
  learningRate: number;
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  epsilon: number;
  c1: number;
  c2: number;
}
