// The job manager's side of a job: the messages between a worker and the manager, and how a
// progress report becomes what the jobs panel shows. What a lab's job sees is core/labs/kit/job.ts.
import type { BackendInfo, JobKind, JobProgress, KairoErrorValue } from '../contract.ts';
import type { JobInputs, JobOutput, ProgressReport } from '../labs/kit/job.ts';

export type { JobContext, JobHandler, JobInputs, JobOutput, ProgressReport } from '../labs/kit/job.ts';
export type { DriverContext, JobDriver } from '../labs/kit/cli.ts';

/** A report as the jobs panel shows it: fraction, elapsed time, ETA and throughput. */
export function progressOf(p: ProgressReport, elapsedSeconds: number): JobProgress {
  const fraction = p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 0;
  return {
    fraction,
    step: p.step,
    totalSteps: p.totalSteps,
    elapsedSeconds,
    etaSeconds: fraction > 0 ? (elapsedSeconds * (1 - fraction)) / fraction : null,
    samplesPerSecond: p.samples !== undefined && elapsedSeconds > 0 ? p.samples / elapsedSeconds : null,
    metrics: p.metrics ?? {},
    preview: p.preview ?? null,
  };
}

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
