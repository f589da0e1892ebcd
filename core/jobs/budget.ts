// Memory a job will need, estimated from its parameters before any worker starts, so a request
// that would exhaust the machine (a 64-layer width-8192 Fisher network needs ~34 GB) is refused
// with a one-line reason instead of growing until the OS stops it.
import { totalmem } from 'node:os';
import type { JobKind } from '../contract.ts';
import { KairoError } from '../errors.ts';
import { jobDef } from '../labs/index.ts';
import type { JobData } from '../labs/kit/job.ts';

const MB = 1024 * 1024;
/** KAIRO_MAX_JOB_MB, else 60 % of this machine's memory. */
export function jobMemoryLimit(): number {
  const v = Number(process.env.KAIRO_MAX_JOB_MB);
  return Number.isFinite(v) && v > 0 ? v * MB : 0.6 * totalmem();
}

/** Throws a one-line error when the job's estimated memory is above the limit. Malformed parameters are left to the job's schema. */
export function checkJobMemory(
  kind: JobKind,
  params: unknown,
  data: JobData = { imageSize: null },
  limit = jobMemoryLimit(),
): void {
  const memory = jobDef(kind)?.memory as ((p: unknown, d: JobData) => number | null) | undefined;
  const est = memory?.(params, data) ?? null;
  if (est === null || est <= limit) return;
  const gb = (b: number) => (b / 1024 ** 3).toFixed(b < 10 * 1024 ** 3 ? 1 : 0);
  throw new KairoError(
    'invalid_input',
    `${kind} would need about ${gb(est)} GB of memory; the limit is ${gb(limit)} GB (KAIRO_MAX_JOB_MB): use a smaller width, depth or sample count`,
  );
}
