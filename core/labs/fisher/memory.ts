// Memory of the Fisher lab's jobs, estimated from their parameters before any worker starts: a
// 64-layer width-8192 network needs ~34 GB, refused at jobs.start (core/jobs/budget.ts).
import type { FisherNetworkParams, FisherSweepParams } from '../../contract.ts';

/** The Fisher lab's dense solver works up to this many dual rows (DENSE_LIMIT in jobs.ts). */
const DENSE_ROWS = 4000;

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

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export const spectrumBytes = (p: { network: FisherNetworkParams }): number | null => finiteOrNull(fisherBytes(p.network));

/** The unit-wise blocks add a units × units matrix. */
export function blocksBytes(p: { network: FisherNetworkParams }): number | null {
  const n = p.network;
  const units = (n.depth - 1) * n.width + n.outputs;
  return finiteOrNull(fisherBytes(n) + 8 * units * units);
}

/** A sweep holds one network at a time: its largest. */
export function sweepBytes(p: FisherSweepParams): number | null {
  return p.values.length ? finiteOrNull(Math.max(...p.values.map((v) => fisherBytes(withAxis(p.network, p.axis, v))))) : null;
}
