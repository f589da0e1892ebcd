// Runs jobs in worker threads, never on the thread that answers the UI. Jobs queue and run
// `concurrency` at a time. Cancel sets a shared flag the job polls every step, and the job ends
// with what it has (a partial model). A job that has not ended within its grace is terminated:
// `cancelGraceMs`, or three times the longest step it has shown (the gap between its progress
// reports) when that is longer, so a slow step on a loaded machine still keeps its result; at
// most MAX_GRACE_MS.
import { prepareSoftwareWebGpu } from '../compute/webgpu-env.ts';
import { randomUUID } from 'node:crypto';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendInfo, JobInfo, JobKind, JobKinds, KairoErrorValue } from '../contract.ts';
import { KairoError, toErrorValue } from '../errors.ts';
import { knownWorkerEntry, workerEntry } from './worker-bundle.ts';
import {
  progressOf,
  type JobInputs,
  type JobOutput,
  type ProgressReport,
  type WorkerInput,
  type WorkerMessage,
} from './types.ts';

export interface JobManagerOptions {
  /** Worker entry; Electron passes its bundle. Default: workerEntry() (worker-bundle.ts). */
  workerUrl?: URL;
  concurrency?: number;
  cancelGraceMs?: number;
  /**
   * The JavaScript heap a job's worker may grow to, in MB (KAIRO_WORKER_HEAP_MB; default half the
   * machine's memory, 1–8 GB). A worker past it fails its own job with 'out of memory' and the
   * process, with every other job and the open session, goes on. Typed arrays and the WebAssembly
   * heap live outside this limit; the memory estimate at jobs.start (core/jobs/budget.ts) covers those.
   */
  workerHeapMb?: number;
  /** Every state or progress change of any job. */
  onUpdate?: (info: JobInfo) => void;
  /**
   * A job ended with output (done, or cancelled with a partial result). An error it returns
   * (a non-finite result, one the session refused) becomes the job's outcome instead of 'done'.
   */
  onOutput?: (info: JobInfo, output: JobOutput<JobKind>) => KairoErrorValue | null | void;
}

interface Entry {
  info: JobInfo;
  input: WorkerInput;
  worker: Worker | null;
  settled: Promise<JobInfo>;
  settle: (i: JobInfo) => void;
  killTimer: NodeJS.Timeout | null;
  /** When cancel was asked for (the grace counts from here). */
  cancelledAt?: number;
  backend: BackendInfo | null;
  tensors: { before: number; after: number } | null;
  /** When the worker last reported, and the longest gap between reports (a step's duration, roughly). */
  lastReport: number;
  longestGap: number;
  /** A driver job: it runs in this process, takes no worker and no slot, and is cancelled through its children. */
  driver: boolean;
}

/** What a driver job's body is given by the manager. */
export interface DriverRun {
  id: string;
  progress(p: ProgressReport): void;
  cancelled(): boolean;
}

const MAX_GRACE_MS = 60_000;

export function defaultWorkerHeapMb(): number {
  const env = Number(process.env.KAIRO_WORKER_HEAP_MB);
  if (Number.isFinite(env) && env >= 16) return Math.floor(env);
  return Math.max(1024, Math.min(8192, Math.floor(totalmem() / 2 ** 21)));
}

const KEEP_FINISHED = 50;

export class JobManager {
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private running = 0;
  private entry: URL | null = null;
  private readonly opts: Required<Pick<JobManagerOptions, 'concurrency' | 'cancelGraceMs'>> & JobManagerOptions;

  constructor(opts: JobManagerOptions = {}) {
    this.opts = { concurrency: 1, cancelGraceMs: 800, ...opts };
  }

  /** `inputs` are what the job reads from the session (e.g. a trained model); they are copied to the worker. */
  start<K extends JobKind>(
    kind: K,
    params: JobKinds[K]['params'],
    label: string,
    inputs: JobInputs = { tensors: {}, state: null },
    parent?: string,
  ): JobInfo {
    const e = this.add(kind, params, label, inputs, parent, false);
    this.queue.push(e.info.id);
    this.emit(e.info);
    this.pump();
    return { ...e.info };
  }

  /**
   * Starts a driver job: `body` runs here at once (it starts its own runs as child jobs, which
   * queue like any other, so it must not hold a slot they wait for). Its outcome is `body`'s:
   * output, or the error it throws. Cancel cancels its children and lets `body` end with what it has.
   */
  startDriver<K extends JobKind>(
    kind: K,
    params: JobKinds[K]['params'],
    label: string,
    body: (run: DriverRun) => Promise<JobOutput<K>>,
  ): JobInfo {
    const e = this.add(kind, params, label, { tensors: {}, state: null }, undefined, true);
    e.info.state = 'running';
    e.info.startedAt = Date.now();
    this.emit(e.info);
    const t0 = performance.now();
    const flag = new Int32Array(e.input.cancelFlag);
    const run: DriverRun = {
      id: e.info.id,
      progress: (p) => {
        if (e.info.finishedAt !== null) return;
        e.info.progress = progressOf(p, (performance.now() - t0) / 1000);
        this.emit(e.info);
      },
      cancelled: () => Atomics.load(flag, 0) !== 0,
    };
    body(run).then(
      (output) => this.ended(e, output, run.cancelled()),
      (err: unknown) => {
        const v = toErrorValue(err);
        this.finish(e, v.code === 'cancelled' ? 'cancelled' : v.code === 'diverged' ? 'diverged' : 'failed', v);
      },
    );
    return { ...e.info };
  }

  private add<K extends JobKind>(
    kind: K,
    params: JobKinds[K]['params'],
    label: string,
    inputs: JobInputs,
    parent: string | undefined,
    driver: boolean,
  ): Entry {
    const id = randomUUID();
    let settle!: (i: JobInfo) => void;
    const settled = new Promise<JobInfo>((r) => (settle = r));
    const info: JobInfo = {
      id,
      kind,
      label,
      state: 'queued',
      progress: null,
      error: null,
      createdAt: Date.now(),
      startedAt: null,
      finishedAt: null,
      ...(parent !== undefined ? { parent } : {}),
    };
    const input: WorkerInput = { kind, params, inputs, cancelFlag: new SharedArrayBuffer(4) };
    const entry: Entry = {
      info,
      input,
      worker: null,
      settled,
      settle,
      killTimer: null,
      backend: null,
      tensors: null,
      lastReport: 0,
      longestGap: 0,
      driver,
    };
    this.jobs.set(id, entry);
    return entry;
  }

  cancel(id: string): JobInfo {
    const e = this.get(id);
    if (e.info.state === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(e, 'cancelled', null);
    } else if (e.info.state === 'running') {
      Atomics.store(new Int32Array(e.input.cancelFlag), 0, 1);
      // A driver stops starting runs and its children end with what they have; it has no worker to stop.
      if (e.driver) {
        for (const c of this.jobs.values())
          if (c.info.parent === id && (c.info.state === 'queued' || c.info.state === 'running')) this.cancel(c.info.id);
        return { ...e.info };
      }
      // The step under way when cancel arrives may take as long as the longest one so far (a
      // silent, hung job gets no more than its steps have shown it needs).
      e.cancelledAt ??= Date.now();
      if (!e.killTimer) this.armKill(e);
    }
    return { ...e.info };
  }

  /**
   * Stops the worker hard if it has not ended within its grace. A report after the cancel re-arms it: the
   * job is finishing what it keeps (a final evaluation), not hung; MAX_GRACE_MS from the cancel caps it.
   */
  private armKill(e: Entry): void {
    if (e.killTimer) clearTimeout(e.killTimer);
    const grace = Math.min(MAX_GRACE_MS, Math.max(this.opts.cancelGraceMs, 3 * e.longestGap));
    const left = Math.max(0, Math.min(grace, e.cancelledAt! + MAX_GRACE_MS - Date.now()));
    e.killTimer = setTimeout(() => {
      // The job did not notice the flag in time (a long op in progress): stop it hard.
      void e.worker?.terminate();
      this.finish(e, 'cancelled', {
        code: 'cancelled',
        message: `stopped after ${((Date.now() - e.cancelledAt!) / 1000).toFixed(1)} s without ending its step; nothing was kept`,
      });
    }, left);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => ({ ...e.info }));
  }

  /** Resolves when the job has ended, whatever the outcome. */
  wait(id: string): Promise<JobInfo> {
    return this.get(id).settled;
  }

  backendOf(id: string): BackendInfo | null {
    return this.get(id).backend;
  }

  /** tf.memory().numTensors in the worker before and after the job: equal unless it leaked. */
  tensorsOf(id: string): { before: number; after: number } | null {
    return this.get(id).tensors;
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.queue]) this.cancel(id);
    for (const e of this.jobs.values()) if (e.driver && e.info.state === 'running') this.cancel(e.info.id);
    await Promise.all([...this.jobs.values()].map((e) => e.worker?.terminate()));
  }

  private get(id: string): Entry {
    const e = this.jobs.get(id);
    if (!e) throw new KairoError('not_found', `no job with id ${id}`);
    return e;
  }

  private emit(info: JobInfo): void {
    this.opts.onUpdate?.({ ...info });
  }

  private pump(): void {
    // Jobs wait queued until the worker entry is known (built once per process, at its first job: worker-bundle.ts).
    this.entry ??= this.opts.workerUrl ?? knownWorkerEntry();
    if (!this.entry) {
      if (this.queue.length > 0)
        void workerEntry().then((u) => {
          this.entry = u;
          this.pump();
        });
      return;
    }
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const e = this.jobs.get(this.queue.shift()!)!;
      this.run(e);
    }
  }

  private run(e: Entry): void {
    this.running++;
    e.info.state = 'running';
    e.info.startedAt = Date.now();
    this.emit(e.info);
    const url = this.entry!;
    prepareSoftwareWebGpu();
    const worker = new Worker(url, {
      workerData: e.input,
      // Inherited by the job's own workers, so a job that runs other jobs starts them from the same entry.
      env: { ...process.env, KAIRO_WORKER_URL: url.href },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.workerHeapMb ?? defaultWorkerHeapMb() },
    });
    e.worker = worker;
    worker.on('message', (m: WorkerMessage) => {
      if (e.info.finishedAt !== null) return;
      switch (m.type) {
        case 'started':
          e.backend = m.backend;
          e.lastReport = Date.now();
          break;
        case 'progress': {
          const now = Date.now();
          if (e.lastReport) e.longestGap = Math.max(e.longestGap, now - e.lastReport);
          e.lastReport = now;
          e.info.progress = m.progress;
          if (e.killTimer) this.armKill(e);
          this.emit(e.info);
          break;
        }
        case 'done':
          e.tensors = m.tensors;
          this.ended(e, m.output, m.cancelled);
          break;
        case 'error':
          this.finish(
            e,
            m.error.code === 'cancelled' ? 'cancelled' : m.error.code === 'diverged' ? 'diverged' : 'failed',
            m.error,
          );
          break;
      }
    });
    worker.on('error', (err) => {
      const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.finish(e, 'failed', {
        code: 'crashed',
        message: oom
          ? `job ran out of memory (its worker may use ${this.opts.workerHeapMb ?? defaultWorkerHeapMb()} MB of JavaScript heap; KAIRO_WORKER_HEAP_MB sets it): try smaller parameters`
          : `job crashed: ${err.message.split('\n')[0]}`,
      });
    });
    worker.on('exit', (code) => {
      this.finish(e, 'failed', { code: 'crashed', message: `job worker exited unexpectedly (code ${code})` });
    });
  }

  /** A job's output came: stored (or refused, which becomes its outcome), then the job ends. */
  private ended(e: Entry, output: JobOutput<JobKind>, cancelled: boolean): void {
    if (e.info.finishedAt !== null) return;
    const refused = this.opts.onOutput?.({ ...e.info, state: cancelled ? 'cancelled' : 'done' }, output) ?? null;
    if (refused) this.finish(e, refused.code === 'diverged' ? 'diverged' : 'failed', refused);
    else this.finish(e, cancelled ? 'cancelled' : 'done', null);
  }

  private finish(e: Entry, state: JobInfo['state'], error: KairoErrorValue | null): void {
    if (e.info.finishedAt !== null) return; // first outcome wins; later exit events are expected
    if (e.killTimer) clearTimeout(e.killTimer);
    e.info.state = state;
    e.info.error = error;
    e.info.finishedAt = Date.now();
    if (e.worker) {
      this.running--;
      void e.worker.terminate();
    }
    this.emit(e.info);
    e.settle({ ...e.info });
    this.prune();
    this.pump();
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.info.finishedAt !== null);
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.info.id);
  }
}
