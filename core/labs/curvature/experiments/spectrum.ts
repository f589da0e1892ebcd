// The curvature of one network: the matrix's top eigenvalues (Lanczos), the per-layer picture,
// and optionally the trace (Hutchinson) and the spectral density (SLQ), beside the Fisher lab's
// λ_max and the mean-field prediction for a fresh network.
import type { CurvatureParams, CurvatureResult } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { type RunSummary } from '../../kit/runs.ts';
import { spectrumSchema } from '../state.ts';
import { checkSpectrum } from './common.ts';
import { sessionInputs } from './session.ts';
import { spectrumCli } from './spectrum-cli.ts';

const summary = (_p: CurvatureParams, r: CurvatureResult): RunSummary => ({
  metrics: {
    λ_max: r.top[0],
    'λ₂': r.top[1],
    trace: r.trace?.mean,
    'trace se': r.trace?.se,
    loss: r.loss,
    'Fisher lab λ_max': r.fisherLab?.lambdaMax,
    'theory λ_max': r.fisherLab?.theoryLambdaMax,
    P: r.parameters,
    products: r.matvecs,
    seconds: r.seconds,
  },
  curves: [],
});

export const spectrum = experiment('curvature.spectrum', {
  job: {
    label: 'Curvature spectrum',
    params: spectrumSchema,
    // A session's model read its data when it trained; its start check reads the dataset again.
    source: (p) =>
      p.model === 'import' ? p.imported.source : p.model === 'fresh' && p.network.inputs === 'images' ? p.network.source : null,
    prepare: (ctx, p) => {
      if (p.model !== 'session') return void checkSpectrum(p);
      const held = sessionInputs(ctx, p.session.lab);
      checkSpectrum(p, held);
      return { tensors: held.tensors, state: held.state };
    },
    handler: async () => (await import('../jobs/spectrum.ts')).runSpectrum,
    float64: true,
    summary,
    store: (s, o) => s.store('curvature', { ...s.labs.curvature, result: o.result, draft: o.result.params }, {}),
  },
  cli: spectrumCli,
});
