// Chart shaping for the Hopfield–Boltzmann lab: pure functions from stored results to chart
// series, tested in test/unit/hopfield-view.test.ts.
import type { CapacityResult, HopfieldTrainResult, RetrievalSummary } from '../../../core/contract';
import type { Series } from './series';

/** NLL per step: live progress points while training (batch, train and per-epoch test), else the stored curve. */
export function nllSeries(
  live: { step: number; metrics: Record<string, number> }[] | null,
  result: HopfieldTrainResult | null,
): Series[] {
  if (live)
    return [
      { label: 'batch NLL', points: live.map((p) => ({ x: p.step, y: p.metrics.batch_nll ?? NaN })) },
      { label: 'train NLL', points: live.map((p) => ({ x: p.step, y: p.metrics.train_nll ?? NaN })) },
      {
        label: 'test NLL',
        points: live.filter((p) => p.metrics.test_nll !== undefined).map((p) => ({ x: p.step, y: p.metrics.test_nll! })),
      },
    ];
  if (!result) return [];
  return [
    { label: 'train NLL', points: result.curve.map((p) => ({ x: p.step, y: p.train })) },
    { label: 'test NLL', points: result.curve.filter((p) => p.test !== null).map((p) => ({ x: p.step, y: p.test! })) },
  ];
}

/** Overlap with the original and the largest with any other stored pattern, per retrieval step. */
export function overlapSeries(s: RetrievalSummary | null): Series[] {
  if (!s) return [];
  return [
    { label: 'overlap with the original', points: s.overlapTarget.map((y, x) => ({ x, y })) },
    { label: 'largest overlap with another pattern', points: s.overlapOther.map((y, x) => ({ x, y })) },
  ];
}

/** Success rate against the number of stored patterns, one series per β, at one corruption level. */
export function capacityVsPatterns(c: CapacityResult, level: number | null): Series[] {
  return c.params.betas.map((beta) => ({
    label: `β = ${beta}`,
    points: c.points.filter((p) => p.beta === beta && p.level === level).map((p) => ({ x: p.patterns, y: p.success })),
  }));
}

/** Success rate against the corruption level, one series per (β, P). */
export function capacityVsLevel(c: CapacityResult): Series[] {
  return c.params.betas.flatMap((beta) =>
    c.params.patternCounts.map((P) => ({
      label: `β = ${beta}, P = ${P}`,
      points: c.points.filter((p) => p.beta === beta && p.patterns === P).map((p) => ({ x: p.level, y: p.success })),
    })),
  );
}
