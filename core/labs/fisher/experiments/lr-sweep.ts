// The learning-rate bound: gradient descent at multiples c of 2/λ_max, converging below c = 1.
import type { FisherLrParams, FisherLrResult } from '../../../contract.ts';
import { FISHER_LR_FIELDS, FISHER_NETWORK_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { spectrumBytes } from '../memory.ts';
import { imagesOf, network } from './common.ts';
import { defaultFisherLab, lrSchema } from '../state.ts';

const summary = (_p: FisherLrParams, r: FisherLrResult): RunSummary => ({
  metrics: {
    λ_max: r.lambdaMax,
    'largest converging c': Math.max(0, ...r.curves.filter((c) => !c.diverged).map((c) => c.factor)) || undefined,
  },
  curves: r.curves.map((c) =>
    curve(
      `loss at c = ${c.factor}`,
      'step',
      c.losses.map((v) => (v >= 1e300 ? NaN : v)),
    ),
  ),
});

export const lrSweep = experiment('fisher.lrsweep', {
  job: {
    label: 'Learning-rate experiment',
    params: lrSchema,
    source: (p) => imagesOf(p.network),
    memory: spectrumBytes,
    handler: async () => (await import('../jobs/lr-sweep.ts')).runLrSweep,
    float64: true,
    summary,
    store: (s, o) =>
      s.store(
        'fisher',
        { ...s.labs.fisher, lr: o.result, lrDraft: { factors: o.result.params.factors, steps: o.result.params.steps } },
        o.tensors,
      ),
  },
  cli: {
    sub: 'lr-sweep',
    flags: flagNames(FISHER_NETWORK_FIELDS, FISHER_LR_FIELDS),
    run: async (p, out, ctx) => {
      const { result: r } = await ctx.runJob('fisher.lrsweep', {
        network: network(p),
        ...readFlags(p, FISHER_LR_FIELDS, defaultFisherLab().lrDraft),
      });
      out({
        lambda_max: r.lambdaMax,
        curves: r.curves.map((c) => ({ factor: c.factor, eta: c.eta, losses: c.losses, diverged: c.diverged })),
      });
      return 0;
    },
  },
});
