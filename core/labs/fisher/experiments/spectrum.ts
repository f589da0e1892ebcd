// The Fisher spectrum of one random network (eigenvalues of the dual Gram), beside the
// mean-field theory; the view's comparison also measures the same weights under each normalisation.
import { flagNames } from '../../kit/flags.ts';
import { z } from 'zod';
import type { FisherNetworkParams, FisherSpectrumResult } from '../../../contract.ts';
import { FISHER_NETWORK_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { type RunSummary } from '../../kit/runs.ts';
import { spectrumBytes } from '../memory.ts';
import { imagesOf, network, theoryJson } from './common.ts';
import { networkSchema } from '../state.ts';

const summary = (_p: { network: FisherNetworkParams }, r: FisherSpectrumResult): RunSummary => ({
  metrics: {
    m_λ: r.stats.mLambda,
    s_λ: r.stats.sLambda,
    λ_max: r.stats.lambdaMax,
    'theory m_λ': r.theory?.mLambda,
    'theory λ_max': r.theory?.lambdaMax,
    P: r.stats.P,
    seconds: r.seconds,
  },
  curves: [],
});

export const spectrum = experiment('fisher.spectrum', {
  job: {
    label: 'Fisher spectrum',
    params: z.object({ network: networkSchema, compare: z.boolean() }).strict(),
    source: (p) => imagesOf(p.network),
    memory: spectrumBytes,
    handler: async () => (await import('../jobs/spectrum.ts')).runSpectrum,
    float64: true,
    summary,
    store: (s, o) => s.store('fisher', { ...s.labs.fisher, spectrum: o.result, network: o.result.network }, o.tensors),
  },
  cli: {
    sub: 'spectrum',
    flags: [...flagNames(FISHER_NETWORK_FIELDS), 'eigenvalues'],
    run: async (p, out, ctx) => {
      const { result: r, tensors } = await ctx.runJob('fisher.spectrum', { network: network(p), compare: false });
      const ev = tensors[r.tensors.eigenvalues]!.data;
      out({
        P: r.stats.P,
        m_lambda: r.stats.mLambda,
        s_lambda: r.stats.sLambda,
        lambda_max: r.stats.lambdaMax,
        theory: theoryJson(r.theory),
        method: r.method,
        ...(p.flags.has('eigenvalues') ? { eigenvalues: Array.from(ev) } : {}),
      });
      return 0;
    },
  },
});
