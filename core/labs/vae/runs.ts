// What a VAE-lab run record keeps (core/labs/runs/): the model's curves, a recall run's distances.
import type {
  RecallParams,
  RecallRunResult,
  VaeSweepParams,
  VaeSweepResult,
  VaeTrainParams,
  VaeTrainResult,
} from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const trainSummary = (_p: VaeTrainParams, r: VaeTrainResult): RunSummary => {
  const ep = r.epochs.map((e) => e.epoch);
  return {
    metrics: {
      'test −ELBO': r.testNegElbo,
      'final train loss': r.steps.at(-1)?.loss,
      'final KL': r.steps.at(-1)?.kl,
      steps: r.stepsDone,
    },
    curves: [
      curve(
        'train loss (nats/image)',
        'step',
        r.steps.map((s) => s.loss),
        r.steps.map((s) => s.step),
      ),
      curve(
        'KL (nats/image)',
        'step',
        r.steps.map((s) => s.kl),
        r.steps.map((s) => s.step),
      ),
      curve(
        'test −ELBO (nats/image)',
        'epoch',
        r.epochs.map((e) => e.testNegElbo),
        ep,
      ),
    ],
  };
};

/** A recall job runs one or more noise levels; each keeps its concept-distance curve. */
export const recallSummary = (_p: RecallParams, runs: RecallRunResult[]): RunSummary => {
  const first = runs[0];
  const t = (r: RecallRunResult) => r.points.map((p) => p.t);
  return {
    metrics: {
      'min d_concept/d₀': first?.minima.concept?.min,
      'at step': first?.minima.concept?.step,
      'final frac. nearest own': first?.points.at(-1)?.fracNearestOwn,
      'final spread': first?.points.at(-1)?.spread,
    },
    curves: runs.flatMap((r) => [
      curve(
        `distance to concept, noise ${r.noise}`,
        'recall step t',
        r.points.map((p) => p.distConcept),
        t(r),
      ),
      curve(
        `distance to memory, noise ${r.noise}`,
        'recall step t',
        r.points.map((p) => p.distMemory),
        t(r),
      ),
      curve(
        `fraction nearest own concept, noise ${r.noise}`,
        'recall step t',
        r.points.map((p) => p.fracNearestOwn),
        t(r),
      ),
    ]),
  };
};

export const sweepSummary = (_p: VaeSweepParams, r: VaeSweepResult): RunSummary => ({
  metrics: {
    cells: r.cells.length,
    'best min d_concept/d₀': r.cells.length ? Math.min(...r.cells.map((c) => c.minConcept)) : undefined,
    seconds: r.seconds,
  },
  curves: [...new Set(r.cells.map((c) => c.latent))].map((d) => {
    const cells = r.cells.filter((c) => c.latent === d);
    return curve(
      `min d_concept/d₀, d = ${d}`,
      'noise',
      cells.map((c) => c.minConcept),
      cells.map((c) => c.noise),
    );
  }),
});
