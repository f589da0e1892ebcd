// Dynamical isometry: the conditional FIM of deep orthogonal and Gaussian networks against depth,
// beside its free-probability law.
import type { FisherIsometryParams, FisherIsometryResult } from '../../../contract.ts';
import { FISHER_ISOMETRY_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { defaultFisherLab, isometrySchema } from '../state.ts';

const summary = (_p: FisherIsometryParams, r: FisherIsometryResult): RunSummary => {
  const kinds = [...new Set(r.runs.map((q) => q.weights))];
  return {
    metrics: { depths: new Set(r.runs.map((q) => q.depth)).size },
    curves: kinds.flatMap((w) => {
      const rs = r.runs.filter((q) => q.weights === w);
      const L = rs.map((q) => q.depth);
      return [
        curve(
          `λ_max, ${w} weights`,
          'depth L',
          rs.map((q) => Math.max(...q.eigenvalues)),
          L,
        ),
        curve(
          `λ_max theory, ${w} weights`,
          'depth L',
          rs.map((q) => q.theory?.lambdaMax ?? null),
          L,
        ),
      ];
    }),
  };
};

export const isometry = experiment('fisher.isometry', {
  job: {
    label: 'Conditional FIM vs depth',
    params: isometrySchema,
    handler: async () => (await import('../jobs/isometry.ts')).runIsometry,
    float64: true,
    summary,
    store: (s, o) => s.store('fisher', { ...s.labs.fisher, isometry: o.result, isometryDraft: o.result.params }, o.tensors),
  },
  cli: {
    sub: 'isometry',
    flags: [...flagNames(FISHER_ISOMETRY_FIELDS), 'spectrum'],
    run: async (p, out, ctx) => {
      const { result: r } = await ctx.runJob(
        'fisher.isometry',
        readFlags(p, FISHER_ISOMETRY_FIELDS, defaultFisherLab().isometryDraft),
      );
      const moment = (ev: number[], k: number) => ev.reduce((a, b) => a + b ** k, 0) / ev.length;
      out({
        runs: r.runs.map((q) => ({
          depth: q.depth,
          weights: q.weights,
          lambda_max: Math.max(...q.eigenvalues),
          lambda_min: Math.min(...q.eigenvalues),
          mean: moment(q.eigenvalues, 1),
          theory: q.theory && { lambda_max: q.theory.lambdaMax, mean: q.theory.moments[0]! },
          ...(q.lr ? { lr: { eta: q.lr.eta, curves: q.lr.curves } } : {}),
          ...(p.flags.has('spectrum')
            ? { moments: { empirical: [1, 2, 3].map((k) => moment(q.eigenvalues, k)), theory: q.theory?.moments ?? null } }
            : {}),
        })),
      });
      return 0;
    },
  },
});
