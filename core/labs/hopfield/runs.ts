// What a Hopfield–Boltzmann run record keeps (core/labs/runs/).
import type { CapacityParams, CapacityResult, HopfieldTrainParams, HopfieldTrainResult } from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const trainSummary = (_p: HopfieldTrainParams, r: HopfieldTrainResult): RunSummary => ({
  metrics: { 'train NLL (nats)': r.trainNll, 'test NLL (nats)': r.testNll, steps: r.stepsDone, components: r.components },
  curves: [
    curve(
      'train NLL (nats)',
      'step',
      r.curve.map((c) => c.train),
      r.curve.map((c) => c.step),
    ),
    curve(
      'test NLL (nats)',
      'step',
      r.curve.map((c) => c.test),
      r.curve.map((c) => c.step),
    ),
  ],
});

export const capacitySummary = (_p: CapacityParams, r: CapacityResult): RunSummary => {
  const keys = [...new Set(r.points.map((q) => `${q.beta}|${q.level}`))];
  return {
    metrics: { points: r.points.length, 'mean success': r.points.reduce((a, q) => a + q.success, 0) / (r.points.length || NaN) },
    curves: keys.map((k) => {
      const ps = r.points.filter((q) => `${q.beta}|${q.level}` === k);
      return curve(
        `success, β = ${ps[0]!.beta}, noise ${ps[0]!.level}`,
        'patterns',
        ps.map((q) => q.success),
        ps.map((q) => q.patterns),
      );
    }),
  };
};
