// The input-space metric: the Fisher information with respect to the input, beside its theory.
import { flagNames } from '../../kit/flags.ts';
import { z } from 'zod';
import type { FisherInputMetricResult, FisherNetworkParams } from '../../../contract.ts';
import { FISHER_NETWORK_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { spectrumBytes } from '../memory.ts';
import { imagesOf, network } from './common.ts';
import { networkSchema } from '../state.ts';

const summary = (_p: { network: FisherNetworkParams }, r: FisherInputMetricResult): RunSummary => ({
  metrics: {
    m_λ: r.stats.mLambda,
    s_λ: r.stats.sLambda,
    λ_max: r.stats.lambdaMax,
    'theory m_λ': r.theory?.mLambda,
    'theory λ_max': r.theory?.lambdaMax,
  },
  curves: [curve('eigenvalues (descending)', 'index', r.eigenvalues)],
});

export const inputMetric = experiment('fisher.inputMetric', {
  job: {
    label: 'Input-space metric',
    params: z.object({ network: networkSchema }).strict(),
    source: (p) => imagesOf(p.network),
    memory: spectrumBytes,
    handler: async () => (await import('../jobs/input-metric.ts')).runInputMetric,
    float64: true,
    summary,
    store: (s, o) => s.store('fisher', { ...s.labs.fisher, inputMetric: o.result, network: o.result.network }, o.tensors),
  },
  cli: {
    sub: 'input-metric',
    flags: [...flagNames(FISHER_NETWORK_FIELDS), 'eigenvalues'],
    run: async (p, out, ctx) => {
      const { result: r } = await ctx.runJob('fisher.inputMetric', { network: network(p) });
      out({
        m_lambda: r.stats.mLambda,
        s_lambda: r.stats.sLambda,
        lambda_max: r.stats.lambdaMax,
        theory: r.theory && {
          m_lambda: r.theory.mLambda,
          s_lambda: r.theory.sLambda,
          lambda_max: r.theory.lambdaMax,
          ...(r.theory.note ? { note: r.theory.note } : {}),
        },
        ...(p.flags.has('eigenvalues') ? { eigenvalues: r.eigenvalues } : {}),
      });
      return 0;
    },
  },
});
