// What a lab's job is written against: the handler a worker runs (or the driver that runs other
// jobs in the core's process), what it is given and what it returns. The job manager implements
// these; a lab sees nothing else of it.
import type { JobKind, JobKinds, JobPreview } from '../../contract.ts';
import type { NamedTensor } from '../../session/safetensors.ts';

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

/** What a job's memory estimate may know about its data before any worker starts. */
export interface JobData {
  /** Pixels per image of the dataset the job reads, from its file headers; null when it reads none. */
  imageSize: number | null;
}
