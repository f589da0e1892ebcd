// Every correction at its best setting over N₂/N₁, with and without noise (`kairo continual compare`):
// the open question of the programme's report, answered as a table, a chart and sentences.
import type { ClCompareParams, ClCompareResult, ClCompared } from '../../../contract.ts';
import { CL_COMPARE_FIELDS, CL_MODEL_FIELDS, compareVerdict, CONTINUAL_COMPARED, defaultsOf } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, parseFlagged, readFlags } from '../../kit/flags.ts';
import { compareSchema } from '../state.ts';
import { modelOf } from './common.ts';

const summary = (_p: ClCompareParams, r: ClCompareResult): RunSummary => {
  const noise = r.points[0]?.noise;
  const pts = r.points.filter((q) => q.noise === noise);
  return {
    metrics: { draws: r.draws, 'σ of the curves': noise },
    curves: CONTINUAL_COMPARED.map((c: ClCompared, k) =>
      curve(
        `E₁₂/E₁₁, ${c}`,
        'N₂/N₁',
        pts.map((q) => q.rows[k]!.mean.e12 / q.rows[k]!.mean.e11),
        pts.map((q) => q.ratio),
      ),
    ),
  };
};

export const compare = experiment('continual.compare', {
  job: {
    label: 'Corrections against forgetting',
    params: compareSchema,
    // The anchor's system: every stage-1 sample and the largest stage 2, beside the test points against both.
    memory: (p) => {
      const n = p.n1 + Math.max(...p.ratios.map((r) => Math.round(r * p.n1)));
      return 8 * (4 * n * n + 3 * p.testPoints * n);
    },
    handler: async () => (await import('../jobs/compare.ts')).runCompare,
    float64: true,
    summary,
    store: (session, output) => {
      const r = output.result;
      const { n1, ratios, similarity, replays, anchorWeights, steps, levels } = r.params;
      session.store(
        'continual',
        {
          ...session.labs.continual,
          compare: r,
          model: modelOf(r.params),
          compareDraft: { n1, ratios, similarity, replays, anchorWeights, steps, levels },
        },
        {},
      );
    },
  },
  cli: {
    sub: 'compare',
    flags: [...flagNames(CL_MODEL_FIELDS, CL_COMPARE_FIELDS), 'out'],
    run: async (p, out, ctx) => {
      const params = parseFlagged(
        compareSchema,
        {
          ...readFlags(p, CL_MODEL_FIELDS, defaultsOf(CL_MODEL_FIELDS)),
          ...readFlags(p, CL_COMPARE_FIELDS, defaultsOf(CL_COMPARE_FIELDS)),
        },
        'continual compare',
        CL_MODEL_FIELDS,
        CL_COMPARE_FIELDS,
      );
      const { result: r } = await ctx.runJob('continual.compare', params);
      const file = p.flags.get('out');
      if (typeof file === 'string') await ctx.save(file);
      const two = (t: { e11: number; e12: number; e22: number; e2alone: number }) => ({
        E11: t.e11,
        E12: t.e12,
        E22: t.e22,
        E2_alone: t.e2alone,
      });
      out({
        points: r.points.map((q) => ({
          noise: q.noise,
          ratio: q.ratio,
          n2: q.n2,
          best: q.best,
          rows: q.rows.map((x) => ({
            correction: x.correction,
            setting: x.setting,
            ...two(x.mean),
            forgetting: x.mean.e12 / x.mean.e11,
            transfer: x.mean.e22 / x.mean.e2alone,
            memory: x.memory,
            theory: x.theory ? two(x.theory) : null,
          })),
        })),
        verdict: compareVerdict(r),
        draws: r.draws,
      });
      return 0;
    },
  },
});
