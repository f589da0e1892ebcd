// Sharpness during training: the loss Hessian's λ_max at the current weights by Lanczos warm-started
// from the previous top eigenvector (so a measurement costs a few products, not a cold start),
// optionally with Hutchinson's trace; the edge of stability (Cohen et al., ICLR 2021) is λ_max
// rising to 2/η and hovering there. Used by the curvature lab's own gradient descent and by the
// other labs' training jobs.
import { mulberry32 } from '../common/rng.ts';
import type { Operator } from './products.ts';
import { hutchinson, topEigen } from './spectra.ts';

/** Products per measurement at most; warm-started, λ_max settles to 1e-6 in far fewer. */
export const TRACK_LANCZOS_STEPS = 20;
export const TRACK_TRACE_PROBES = 10;

export class SharpnessTracker {
  readonly steps: number[] = [];
  readonly lambdaMax: number[] = [];
  readonly trace: number[] | null;
  /** Seconds spent in measurements. */
  seconds = 0;
  private start: Float64Array | undefined;
  private readonly rand: () => number;

  constructor(
    private readonly seed: number,
    withTrace: boolean,
  ) {
    this.trace = withTrace ? [] : null;
    this.rand = mulberry32(seed + 2);
  }

  /** Measures at `step` with the operator of the loss Hessian there; returns λ_max. */
  measure(step: number, op: Operator): number {
    const t = Date.now();
    const top = topEigen(op.P, 1, op.matvec, TRACK_LANCZOS_STEPS, this.seed, { start: this.start, tol: 1e-6 });
    this.start = top.vectors[0];
    this.steps.push(step);
    this.lambdaMax.push(top.values[0]!);
    this.trace?.push(hutchinson(op.P, op.matvec, TRACK_TRACE_PROBES, this.rand).mean);
    this.seconds += (Date.now() - t) / 1000;
    return top.values[0]!;
  }
}
