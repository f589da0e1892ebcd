// Memory a job will need, estimated from its parameters before any worker starts, so a request
// that would exhaust the machine (a 64-layer width-8192 Fisher network needs ~34 GB) is refused
// with a one-line reason instead of growing until the OS stops it.
import { totalmem } from 'node:os';
import type { FisherNetworkParams, JobKind } from '../contract.ts';
import { KairoError } from '../errors.ts';
import { own } from '../own.ts';

const MB = 1024 * 1024;
/** The Fisher lab's dense solver works up to this many dual rows (DENSE_LIMIT in services/fisher/jobs.ts). */
const DENSE_ROWS = 4000;

/** KAIRO_MAX_JOB_MB, else 60 % of this machine's memory. */
export function jobMemoryLimit(): number {
  const v = Number(process.env.KAIRO_MAX_JOB_MB);
  return Number.isFinite(v) && v > 0 ? v * MB : 0.6 * totalmem();
}

/**
 * Float64 bytes of one Fisher computation: weights, each layer's pre- and post-activations and
 * the per-output backpropagated errors (the layer-wise Gram needs them all at once), the inputs,
 * and the dual with the eigensolver's copy (or the Lanczos basis above the dense limit).
 */
export function fisherBytes(p: FisherNetworkParams): number {
  const M0 = p.inputDim;
  const widths = [M0, ...Array.from({ length: p.depth - 1 }, () => p.width), p.outputs];
  let weights = 0;
  let units = 0;
  for (let l = 1; l < widths.length; l++) {
    weights += widths[l - 1]! * widths[l]! + widths[l]!;
    units += widths[l]!;
  }
  const T = p.samples;
  const n = T * p.outputs;
  const dual = n <= DENSE_ROWS ? 2 * n * n : 40 * n;
  return 8 * (weights + T * M0 + 2 * T * units + T * p.outputs * units + dual);
}

const withAxis = (net: FisherNetworkParams, axis: string, v: number): FisherNetworkParams =>
  axis === 'width'
    ? { ...net, width: v }
    : axis === 'depth'
      ? { ...net, depth: v }
      : axis === 'samples'
        ? { ...net, samples: v }
        : { ...net, outputs: v };

type Estimator = (params: unknown) => number | null;
const net = (p: unknown): FisherNetworkParams | null => {
  const n = (p as { network?: unknown } | null)?.network;
  return n && typeof n === 'object' ? (n as FisherNetworkParams) : null;
};
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** Jobs whose memory grows with their parameters; the others need well under a gigabyte at any valid setting. */
const ESTIMATORS: Partial<Record<JobKind, Estimator>> = {
  'fisher.spectrum': (p) => {
    const n = net(p);
    // The comparison runs one normalisation at a time on the same network.
    return n ? finiteOrNull(fisherBytes(n)) : null;
  },
  'fisher.lrsweep': (p) => {
    const n = net(p);
    return n ? finiteOrNull(fisherBytes(n)) : null;
  },
  'fisher.blocks': (p) => {
    const n = net(p);
    if (!n) return null;
    const units = (n.depth - 1) * n.width + n.outputs;
    return finiteOrNull(fisherBytes(n) + 8 * units * units);
  },
  'fisher.sweep': (p) => {
    const n = net(p);
    const q = p as { axis?: unknown; values?: unknown };
    if (!n || typeof q.axis !== 'string' || !Array.isArray(q.values)) return null;
    const vs = q.values.filter((v): v is number => typeof v === 'number');
    return vs.length ? finiteOrNull(Math.max(...vs.map((v) => fisherBytes(withAxis(n, q.axis as string, v))))) : null;
  },
};

/** Throws a one-line error when the job's estimated memory is above the limit. Malformed parameters are left to the job's schema. */
export function checkJobMemory(kind: JobKind, params: unknown, limit = jobMemoryLimit()): void {
  const est = own(ESTIMATORS as Record<string, Estimator>, kind)?.(params) ?? null;
  if (est === null || est <= limit) return;
  const gb = (b: number) => (b / 1024 ** 3).toFixed(b < 10 * 1024 ** 3 ? 1 : 0);
  throw new KairoError(
    'invalid_input',
    `${kind} would need about ${gb(est)} GB of memory; the limit is ${gb(limit)} GB (KAIRO_MAX_JOB_MB): use a smaller width, depth or sample count`,
  );
}
