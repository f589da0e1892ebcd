// Capacity of the modern Hopfield network: retrieval of stored patterns against their number and β.
import type { CapacityParams, CapacityResult } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { capacitySchema } from '../state.ts';

const summary = (_p: CapacityParams, r: CapacityResult): RunSummary => {
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

export const capacity = experiment('hopfield.capacity', {
  job: {
    label: 'Hopfield capacity',
    params: capacitySchema,
    source: (p) => p.source,
    handler: async () => (await import('../jobs/capacity.ts')).runCapacity,
    // Float64 JavaScript only: its worker skips TensorFlow.js (found when the lab's jobs.ts was split).
    float64: true,
    summary,
    store: (session, o) => session.store('hopfield', { ...session.labs.hopfield, capacity: o.result }, {}),
  },
});
