// Two tasks against N₂/N₁ or the target similarity ρ: forward and backward transfer, Monte Carlo
// beside theory, and the critical similarities.
import type { ClSweepParams, ClSweepResult } from '../../../contract.ts';
import { CL_MODEL_FIELDS, CL_SWEEP_FIELDS, defaultsOf } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, parseFlagged, readFlags } from '../../kit/flags.ts';
import { sweepSchema } from '../state.ts';
import { modelOf } from './common.ts';

const summary = (p: ClSweepParams, r: ClSweepResult): RunSummary => {
  const x = r.points.map((q) => q.value);
  const xl = p.axis === 'ratio' ? 'N₂/N₁' : 'similarity ρ';
  return {
    metrics: { 'critical ρ forward': r.critical?.forward, 'critical ρ backward': r.critical?.backward, draws: r.draws },
    curves: [
      curve(
        'E₁₂/E₁₁ (forgetting)',
        xl,
        r.points.map((q) => q.mean.e12 / q.mean.e11),
        x,
      ),
      curve(
        'E₁₂/E₁₁ theory',
        xl,
        r.points.map((q) => q.theory.e12 / q.theory.e11),
        x,
      ),
      curve(
        'E₂₂/E₂ alone (transfer)',
        xl,
        r.points.map((q) => q.mean.e22 / q.mean.e2alone),
        x,
      ),
      curve(
        'E₂₂/E₂ alone theory',
        xl,
        r.points.map((q) => q.theory.e22 / q.theory.e2alone),
        x,
      ),
    ],
  };
};

export const sweep = experiment('continual.sweep', {
  job: {
    label: 'Continual-learning sweep',
    params: sweepSchema,
    memory: (p) => {
      const n2 = p.axis === 'ratio' ? Math.max(...p.ratios.map((r) => Math.round(r * p.n1))) : p.n2;
      return 8 * (3 * (p.n1 ** 2 + n2 ** 2) + p.testPoints * (p.n1 + n2) * 2);
    },
    handler: async () => (await import('../jobs/sweep.ts')).runSweep,
    float64: true,
    summary,
    store: (session, output) => {
      const r = output.result;
      const { axis, n1, n2, ratios, similarity, rhos } = r.params;
      session.store(
        'continual',
        { ...session.labs.continual, sweep: r, model: modelOf(r.params), sweepDraft: { axis, n1, n2, ratios, similarity, rhos } },
        {},
      );
    },
  },
  cli: {
    sub: 'sweep',
    flags: [...flagNames(CL_MODEL_FIELDS, CL_SWEEP_FIELDS), 'out'],
    run: async (p, out, ctx) => {
      const params = parseFlagged(
        sweepSchema,
        {
          ...readFlags(p, CL_MODEL_FIELDS, defaultsOf(CL_MODEL_FIELDS)),
          ...readFlags(p, CL_SWEEP_FIELDS, defaultsOf(CL_SWEEP_FIELDS)),
        },
        'continual sweep',
        CL_MODEL_FIELDS,
        CL_SWEEP_FIELDS,
      );
      const { result: s } = await ctx.runJob('continual.sweep', params);
      const file = p.flags.get('out');
      if (typeof file === 'string') await ctx.save(file);
      out({
        axis: s.params.axis,
        points: s.points.map((q) => ({
          value: q.value,
          n2: q.n2,
          rho: q.rho,
          E11: q.mean.e11,
          E12: q.mean.e12,
          E22: q.mean.e22,
          E2_alone: q.mean.e2alone,
          theory: { E11: q.theory.e11, E12: q.theory.e12, E22: q.theory.e22, E2_alone: q.theory.e2alone },
        })),
        ...(s.critical ? { critical_forward: s.critical.forward, critical_backward: s.critical.backward } : {}),
      });
      return 0;
    },
  },
});
