// Two tasks against N₂/N₁ or the target similarity ρ: forward and backward transfer, Monte Carlo
// beside theory, and the critical similarities.
import type { ClSweepParams, ClSweepResult, ClTwoTask } from '../../../contract.ts';
import { CL_CORRECTION_FIELDS, CL_MODEL_FIELDS, CL_SWEEP_FIELDS, defaultsOf } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, parseFlagged, readFlags } from '../../kit/flags.ts';
import { sweepSchema } from '../state.ts';
import { correctionJson, correctionParams, modelOf, correctionDraftOf } from './common.ts';

/** The x axis of a sweep, as its charts and run records name it. */
export const SWEEP_X_LABEL: Record<ClSweepParams['axis'], string> = {
  ratio: 'N₂/N₁',
  similarity: 'similarity ρ',
  replay: 'replayed samples R per stage',
  'anchor-weight': 'anchor weight λ_a',
  step: 'step c',
};

const summary = (p: ClSweepParams, r: ClSweepResult): RunSummary => {
  const xl = SWEEP_X_LABEL[p.axis];
  const measured = (label: string, f: (t: ClTwoTask) => number) =>
    curve(
      label,
      xl,
      r.points.map((q) => f(q.mean)),
      r.points.map((q) => q.value),
    );
  // Theory only where a formula covers the point's correction.
  const theory = (label: string, f: (t: ClTwoTask) => number) => {
    const pts = r.points.filter((q) => q.theory);
    return pts.length
      ? [
          curve(
            label,
            xl,
            pts.map((q) => f(q.theory!)),
            pts.map((q) => q.value),
          ),
        ]
      : [];
  };
  const forgetting = (t: ClTwoTask) => t.e12 / t.e11;
  const transfer = (t: ClTwoTask) => t.e22 / t.e2alone;
  return {
    metrics: { 'critical ρ forward': r.critical?.forward, 'critical ρ backward': r.critical?.backward, draws: r.draws },
    curves: [
      measured('E₁₂/E₁₁ (forgetting)', forgetting),
      ...theory('E₁₂/E₁₁ theory', forgetting),
      measured('E₂₂/E₂ alone (transfer)', transfer),
      ...theory('E₂₂/E₂ alone theory', transfer),
    ],
  };
};

export const sweep = experiment('continual.sweep', {
  job: {
    label: 'Continual-learning sweep',
    params: sweepSchema,
    memory: (p) => {
      const n2 = p.axis === 'ratio' ? Math.max(...p.ratios.map((r) => Math.round(r * p.n1))) : p.n2;
      // A corrected stage 2 fits at most its own samples and every stage-1 sample again (the anchor).
      const n = p.n1 + n2;
      return 8 * (3 * (p.n1 ** 2 + n ** 2) + p.testPoints * n * 2);
    },
    handler: async () => (await import('../jobs/sweep.ts')).runSweep,
    float64: true,
    summary,
    store: (session, output) => {
      const r = output.result;
      const { axis, n1, n2, ratios, similarity, rhos, replays, anchorWeights, steps } = r.params;
      session.store(
        'continual',
        {
          ...session.labs.continual,
          sweep: r,
          model: modelOf(r.params),
          sweepDraft: { axis, n1, n2, ratios, similarity, rhos, replays, anchorWeights, steps },
          correctionDraft: correctionDraftOf(r.params),
        },
        {},
      );
    },
  },
  cli: {
    sub: 'sweep',
    flags: [...flagNames(CL_MODEL_FIELDS, CL_SWEEP_FIELDS, CL_CORRECTION_FIELDS), 'out'],
    run: async (p, out, ctx) => {
      const params = parseFlagged(
        sweepSchema,
        {
          ...readFlags(p, CL_MODEL_FIELDS, defaultsOf(CL_MODEL_FIELDS)),
          ...readFlags(p, CL_SWEEP_FIELDS, defaultsOf(CL_SWEEP_FIELDS)),
          ...correctionParams(p),
        },
        'continual sweep',
        CL_MODEL_FIELDS,
        CL_SWEEP_FIELDS,
        CL_CORRECTION_FIELDS,
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
          theory: q.theory ? { E11: q.theory.e11, E12: q.theory.e12, E22: q.theory.e22, E2_alone: q.theory.e2alone } : null,
        })),
        ...(s.theoryNote ? { theory_note: s.theoryNote } : {}),
        correction: correctionJson(s.params),
        ...(s.critical ? { critical_forward: s.critical.forward, critical_backward: s.critical.backward } : {}),
      });
      return 0;
    },
  },
});
