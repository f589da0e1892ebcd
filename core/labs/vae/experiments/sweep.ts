// The noise × latent-dimension sweep: for each latent size (and seed) a VAE, recall at each noise
// level, and how close the states come to their concept.
import type { VaeSweepParams, VaeSweepResult } from '../../../contract.ts';
import { VAE_PAPER_PRESET, VAE_SWEEP_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags, parseFlagged } from '../../kit/flags.ts';
import { defaultSweep, sweepSchema } from '../state.ts';
import { HIERARCHICAL_FLAGS, IDX_FLAGS, source } from './common.ts';

const summary = (_p: VaeSweepParams, r: VaeSweepResult): RunSummary => ({
  metrics: {
    cells: r.cells.length,
    'best min d_concept/d₀': r.cells.length ? Math.min(...r.cells.map((c) => c.minConcept)) : undefined,
    seconds: r.seconds,
  },
  curves: [...new Set(r.cells.map((c) => c.latent))].map((d) => {
    const cells = r.cells.filter((c) => c.latent === d);
    return curve(
      `min d_concept/d₀, d = ${d}`,
      'noise',
      cells.map((c) => c.minConcept),
      cells.map((c) => c.noise),
    );
  }),
});

export const sweep = experiment('vae.sweep', {
  job: {
    label: 'VAE noise × latent sweep',
    params: sweepSchema,
    source: (p) => p.source,
    handler: async () => (await import('../jobs/sweep.ts')).runVaeSweep,
    summary,
    store: (session, o) => session.store('vae', { ...session.labs.vae, sweep: o.result }, {}),
  },
  cli: {
    sub: 'sweep',
    flags: [...flagNames(VAE_SWEEP_FIELDS), ...HIERARCHICAL_FLAGS, ...IDX_FLAGS, 'data'],
    run: async (p, out, ctx) => {
      const d = defaultSweep();
      const src = source(p);
      const preset =
        src.kind === 'hierarchical'
          ? {
              ...VAE_PAPER_PRESET.sweep,
              hidden: [...VAE_PAPER_PRESET.sweep.hidden],
              latents: [...VAE_PAPER_PRESET.sweep.latents],
              noise: [...VAE_PAPER_PRESET.sweep.noise],
            }
          : {};
      const params = parseFlagged(
        sweepSchema,
        { source: src, ...readFlags(p, VAE_SWEEP_FIELDS, { ...d, ...preset }) },
        'vae sweep',
        VAE_SWEEP_FIELDS,
      );
      const { result: s } = await ctx.runJob('vae.sweep', params);
      out({
        cells: s.cells.map((c) => ({
          latent: c.latent,
          noise: c.noise,
          dist_start: c.distStart,
          dist_end: c.distEnd,
          frac_nearest_own_start: c.fracStart,
          frac_nearest_own_end: c.fracEnd,
          min_concept: c.minConcept,
          min_concept_sd: c.minConceptSd,
          min_step: c.minStep,
          nearest_level: c.nearestLevel,
          t90: c.t90,
          test_neg_elbo: c.testNegElbo,
        })),
        level_step: s.params.levelStep,
        seeds: s.params.seeds,
        seconds: s.seconds,
      });
      return 0;
    },
  },
});
