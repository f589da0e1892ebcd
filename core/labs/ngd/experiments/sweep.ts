// The NGD sweep: each method at η = c/α against damping or width, and how far its loss strays
// from the predicted dynamics.
import type { NgdSweepParams, NgdSweepResult } from '../../../contract.ts';
import { NGD_SWEEP_FIELDS, NGD_NETWORK_FIELDS, NGD_TRAIN_FIELDS, NGD_COMPARE_FIELDS } from '../../../contract.ts';
import { parseOrThrow } from '../../../validate.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { defaultNgdLab, sweepSchema } from '../state.ts';
import { bytes, compareParams, methodsFlag, sourceOf } from './common.ts';

const summary = (p: NgdSweepParams, r: NgdSweepResult): RunSummary => {
  const methods = [...new Set(r.points.map((q) => q.method))];
  return {
    metrics: { points: r.points.length, 'largest gap': r.points.length ? Math.max(...r.points.map((q) => q.gap)) : undefined },
    curves: methods.map((m) => {
      const ps = r.points.filter((q) => q.method === m);
      return curve(
        `gap to theory, ${m}`,
        String(p.axis),
        ps.map((q) => q.gap),
        ps.map((q) => q.value),
      );
    }),
  };
};

export const sweep = experiment('ngd.sweep', {
  job: {
    label: 'NGD sweep',
    params: sweepSchema,
    source: (p) => sourceOf(p.network),
    memory: (p, data) => bytes(p.network, data, p.axis === 'width' ? Math.max(...p.values) : p.network.width),
    handler: async () => (await import('../jobs/sweep.ts')).runSweep,
    float64: true,
    summary,
    store: (session, o) => {
      const { axis, values, etaFactor } = o.result.params;
      session.store('ngd', { ...session.labs.ngd, sweep: o.result, sweepDraft: { axis, values, etaFactor } }, {});
    },
  },
  cli: {
    sub: 'sweep',
    flags: [...flagNames(NGD_NETWORK_FIELDS, NGD_TRAIN_FIELDS, NGD_SWEEP_FIELDS), NGD_COMPARE_FIELDS.methods.flag],
    run: async (p, out, ctx) => {
      const base = compareParams(p, methodsFlag(p), 'best');
      const d = defaultNgdLab().sweepDraft;
      const params = parseOrThrow(
        sweepSchema,
        {
          ...readFlags(p, NGD_SWEEP_FIELDS, d),
          damping: base.damping,
          steps: base.steps,
          network: base.network,
          methods: base.methods,
        },
        'ngd sweep',
      );
      const { result: s } = await ctx.runJob('ngd.sweep', params);
      out({
        axis: s.params.axis,
        points: s.points.map((q) => ({
          value: q.value,
          method: q.method,
          eta: q.eta,
          alpha: q.alpha,
          gap: q.gap,
          final_loss: q.losses.at(-1),
          theory_final_loss: q.theoryLosses.at(-1),
          diverged: q.diverged,
        })),
      });
      return 0;
    },
  },
});
