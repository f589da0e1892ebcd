// The Fisher statistics (m_λ, s_λ, λ_max) against width, depth, samples or outputs, over seeds,
// beside the mean-field theory.
import type { FisherSweepParams, FisherSweepResult } from '../../../contract.ts';
import { FISHER_NETWORK_FIELDS, FISHER_SWEEP_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { sweepBytes } from '../memory.ts';
import { imagesOf, network, theoryJson } from './common.ts';
import { defaultFisherLab, sweepSchema } from '../state.ts';

const summary = (p: FisherSweepParams, r: FisherSweepResult): RunSummary => {
  const x = r.points.map((q) => q.value);
  return {
    metrics: {
      points: r.points.length,
      'last λ_max': r.points.at(-1)?.mean.lambdaMax,
      'last m_λ': r.points.at(-1)?.mean.mLambda,
    },
    // Each statistic measured, then its theory line.
    curves: (
      [
        ['λ_max', 'lambdaMax'],
        ['m_λ', 'mLambda'],
      ] as const
    ).flatMap(([name, k]) => [
      curve(
        name,
        p.axis,
        r.points.map((q) => q.mean[k]),
        x,
      ),
      curve(
        `${name} theory`,
        p.axis,
        r.points.map((q) => q.theory?.[k] ?? null),
        x,
      ),
    ]),
  };
};

export const sweep = experiment('fisher.sweep', {
  job: {
    label: 'Fisher sweep',
    params: sweepSchema,
    source: (p) => imagesOf(p.network),
    memory: sweepBytes,
    handler: async () => (await import('../jobs/sweep.ts')).runSweep,
    float64: true,
    summary,
    store: (s, o) =>
      s.store(
        'fisher',
        {
          ...s.labs.fisher,
          sweep: o.result,
          sweepDraft: { axis: o.result.params.axis, values: o.result.params.values, seeds: o.result.params.seeds },
        },
        o.tensors,
      ),
  },
  cli: {
    sub: 'sweep',
    flags: flagNames(FISHER_NETWORK_FIELDS, FISHER_SWEEP_FIELDS),
    run: async (p, out, ctx) => {
      const { result: r } = await ctx.runJob('fisher.sweep', {
        network: network(p),
        ...readFlags(p, FISHER_SWEEP_FIELDS, defaultFisherLab().sweepDraft),
      });
      out({
        axis: r.params.axis,
        points: r.points.map((q) => ({
          value: q.value,
          P: q.mean.P,
          // The contract's camelCase becomes the CLI's snake_case here, at the edge.
          mean: { m_lambda: q.mean.mLambda, s_lambda: q.mean.sLambda, lambda_max: q.mean.lambdaMax },
          sd: { m_lambda: q.sd.mLambda, s_lambda: q.sd.sLambda, lambda_max: q.sd.lambdaMax },
          theory: theoryJson(q.theory),
        })),
      });
      return 0;
    },
  },
});
