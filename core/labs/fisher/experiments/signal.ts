// Signal propagation: the length map q_l and the correlation map c_l layer by layer, theory
// beside sampled networks, with the order-to-chaos phase diagram.
import type { FisherSignalParams, FisherSignalResult } from '../../../contract.ts';
import { FISHER_SIGNAL_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { defaultFisherLab, signalSchema } from '../state.ts';

const summary = (_p: FisherSignalParams, r: FisherSignalResult): RunSummary => {
  const l = r.layers.map((x) => x.l);
  return {
    metrics: {
      'q*': r.fixedPoint.q,
      'c*': r.fixedPoint.c,
      'χ₁': r.fixedPoint.chi1,
      ξ_c: r.fixedPoint.xiC,
      'final c': r.layers.at(-1)?.c,
    },
    curves: [
      curve(
        'q_l',
        'layer l',
        r.layers.map((x) => x.q),
        l,
      ),
      curve(
        'q_l theory',
        'layer l',
        r.layers.map((x) => x.qTheory),
        l,
      ),
      curve(
        'c_l',
        'layer l',
        r.layers.map((x) => x.c),
        l,
      ),
      curve(
        'c_l theory',
        'layer l',
        r.layers.map((x) => x.cTheory),
        l,
      ),
    ],
  };
};

export const signal = experiment('fisher.signal', {
  job: {
    label: 'Signal propagation',
    params: signalSchema,
    handler: async () => (await import('../jobs/signal.ts')).runSignal,
    float64: true,
    summary,
    store: (s, o) => s.store('fisher', { ...s.labs.fisher, signal: o.result, signalDraft: o.result.params }, o.tensors),
  },
  cli: {
    sub: 'signal',
    flags: flagNames(FISHER_SIGNAL_FIELDS),
    run: async (p, out, ctx) => {
      const { result: r } = await ctx.runJob('fisher.signal', readFlags(p, FISHER_SIGNAL_FIELDS, defaultFisherLab().signalDraft));
      out({
        layers: r.layers.map((x) => ({
          l: x.l,
          q: x.q,
          c: x.c,
          q_theory: x.qTheory,
          c_theory: x.cTheory,
          q_sd: x.qSd,
          c_sd: x.cSd,
        })),
        fixed_point: {
          q: r.fixedPoint.q,
          c: r.fixedPoint.c,
          chi1: r.fixedPoint.chi1,
          xi_q: r.fixedPoint.xiQ,
          xi_c: r.fixedPoint.xiC,
        },
      });
      return 0;
    },
  },
});
