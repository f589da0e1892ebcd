import type { BackendInfo, JobKind, JobKinds, JobPreview, JobProgress, KairoErrorValue } from '../contract.ts';
import type { CliContext } from '../labs/kit/cli.ts';
import type { NamedTensor } from '../session/safetensors.ts';

export interface ProgressReport {
  step: number;
  totalSteps: number;
  /** Samples processed so far, for the samples/s figure. */
  samples?: number;
  metrics?: Record<string, number>;
  preview?: JobPreview;
}

export interface JobContext {
  /** Throttled to PROGRESS_HZ on the way out; the last report before the end is always sent. */
  progress(p: ProgressReport): void;
  /** Cheap to call every step: reads a flag in shared memory. */
  cancelled(): boolean;
  /** What the job reads from the session, copied when it started (e.g. the trained model it analyses). */
  inputs: JobInputs;
  /**
   * Runs `body` with a fresh core of the worker's own, for jobs that run lab commands (a sweep of
   * them): each command starts its jobs in that core's empty session, never in the app's, as the
   * same command does from a shell. The core is shut down when `body` ends.
   */
  withCli<T>(body: (cli: CliContext) => Promise<T>): Promise<T>;
}

export interface JobInputs {
  tensors: Record<string, NamedTensor>;
  /** The lab's state at the start, unvalidated here: the handler parses what it uses. */
  state: unknown;
}

export interface JobOutput<K extends JobKind> {
  result: JobKinds[K]['result'];
  /** Tensors to store in the session (e.g. trained weights), keyed by session tensor name. */
  tensors: Record<string, NamedTensor>;
}

export type JobHandler<K extends JobKind> = (params: JobKinds[K]['params'], ctx: JobContext) => Promise<JobOutput<K>>;

export type WorkerMessage =
  | { type: 'started'; backend: BackendInfo }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'done'; output: JobOutput<JobKind>; cancelled: boolean; tensors: { before: number; after: number } }
  | { type: 'error'; error: KairoErrorValue };

export interface WorkerInput {
  kind: JobKind;
  params: unknown;
  inputs: JobInputs;
  cancelFlag: SharedArrayBuffer;
}
