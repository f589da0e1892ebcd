// What a continual-learning run record keeps (core/labs/runs/): task errors after each stage.
import type {
  ClChainParams,
  ClChainResult,
  ClNetworkParams,
  ClNetworkResult,
  ClSweepParams,
  ClSweepResult,
} from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

/** errors[t][m] (task t+1 after stage m+1) as one curve per task over the stages it has seen. */
const perTask = (label: string, errors: number[][]) =>
  errors.map((row, t) =>
    curve(
      `task ${t + 1} ${label}`,
      'stage',
      row.slice(t),
      row.slice(t).map((_, m) => m + t + 1),
    ),
  );

export const chainSummary = (_p: ClChainParams, r: ClChainResult): RunSummary => ({
  metrics: {
    'task 1 after stage 1': r.mean[0]?.[0],
    'task 1 at the end': r.mean[0]?.at(-1),
    'theory task 1 at the end': r.theory[0]?.at(-1),
    draws: r.draws,
  },
  curves: [...perTask('error', r.mean), ...perTask('theory', r.theory)],
});

export const sweepSummary = (p: ClSweepParams, r: ClSweepResult): RunSummary => {
  const x = r.points.map((q) => q.value);
  const xl = p.axis === 'ratio' ? 'N₂/N₁' : 'similarity ρ';
  return {
    metrics: { 'critical ρ forward': r.critical?.forward, 'critical ρ backward': r.critical?.backward, draws: r.draws },
    curves: [
      curve(
        'E₁₂/E₁₁ (forgetting)',
        xl,
        r.points.map((q) => q.mean.e12 / q.mean.e11),
        x,
      ),
      curve(
        'E₁₂/E₁₁ theory',
        xl,
        r.points.map((q) => q.theory.e12 / q.theory.e11),
        x,
      ),
      curve(
        'E₂₂/E₂ alone (transfer)',
        xl,
        r.points.map((q) => q.mean.e22 / q.mean.e2alone),
        x,
      ),
      curve(
        'E₂₂/E₂ alone theory',
        xl,
        r.points.map((q) => q.theory.e22 / q.theory.e2alone),
        x,
      ),
    ],
  };
};

export const networkSummary = (_p: ClNetworkParams, r: ClNetworkResult): RunSummary => ({
  metrics: {
    'task 1 at the end': r.measured[0]?.at(-1),
    'linearised prediction': r.predicted[0]?.at(-1),
    'kernel change': r.kernelChange,
  },
  curves: [...perTask('error (network)', r.measured), ...perTask('error (linearised)', r.predicted)],
});
