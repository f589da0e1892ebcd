// The continual-learning lab's `npm run bench` workloads (float64 kernel regression; no peer runs them).
import { mulberry32 } from '../models/common/rng.ts';
import { compareGrid, type CompareSetting } from '../models/continual/compare.ts';
import { twoTaskGrid } from '../models/continual/monte-carlo.ts';
import { KERNELS } from '../models/continual/spectrum.ts';
import { time } from './workloads.ts';

/**
 * Seconds for a full self-knowledge curve of the continual-learning lab: N₁ = 500, ten values of N₂/N₁
 * up to 2 (N₂ ≤ 1,000), 30 draws, d = 10, the two-layer ReLU NTK, 1,000 test points (models/continual).
 */
export function selfKnowledgeCurveSeconds(blocks: number): number {
  const ratios = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.25, 1.5, 2];
  return time(() => {
    twoTaskGrid(
      500,
      ratios.map((r) => Math.round(r * 500)),
      [1],
      0.1,
      0,
      { kernel: KERNELS['ntk-relu'].k, d: 10, terms: 20, draws: 30, testPoints: 1000, rand: mulberry32(1) },
    );
  }, blocks);
}

/**
 * Seconds for `kairo continual compare` at its defaults: every correction at each setting of its grid (none, R ∈ {5, 20,
 * 100, 500}, λ_a ∈ {0.1, 1, 10, 100}, c ∈ {0.02, 0.05, 0.1, 0.2, 0.5}, the rule N₂/(N₁+N₂)), ten ratios N₂/N₁ from 0.01
 * to 1 with N₁ = 500, at σ = 0.005 and 0 on the same draws, 30 draws, d = 10, the two-layer ReLU NTK, 1,000 test points.
 */
export function correctionsCompareSeconds(blocks: number): number {
  const ratios = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1];
  const settings: CompareSetting[] = [
    { kind: 'none' },
    ...[5, 20, 100, 500].map((keep) => ({ kind: 'replay', keep }) as const),
    ...[0.1, 1, 10, 100].map((weight) => ({ kind: 'anchor', weight }) as const),
    ...[0.02, 0.05, 0.1, 0.2, 0.5].map((step) => ({ kind: 'balanced', step }) as const),
    { kind: 'balanced-auto' },
  ];
  return time(() => {
    compareGrid(
      500,
      ratios.map((r) => Math.round(r * 500)),
      1,
      [0.005, 0],
      0,
      settings,
      { kernel: KERNELS['ntk-relu'].k, d: 10, terms: 20, draws: 30, testPoints: 1000, rand: mulberry32(1) },
    );
  }, blocks);
}
