// Robustness of field and vanilla networks to input perturbations, over seeds.
import type { FieldRobustnessParams, FieldRobustnessResult } from '../../../contract.ts';
import { FIELD_ROBUSTNESS_FIELDS, FIELD_TRAIN_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { readFlags, flagNames } from '../../kit/flags.ts';
import { defaultFieldLab, robustnessSchema } from '../state.ts';
import { trainParams } from './train.ts';

const summary = (_p: FieldRobustnessParams, r: FieldRobustnessResult): RunSummary => ({
  metrics: Object.fromEntries(r.curves.map((c) => [`${c.model} ${c.perturbation}, strongest`, c.mean.at(-1)])),
  curves: r.curves.map((c) => curve(`${c.model} under ${c.perturbation}`, 'perturbation level', c.mean, c.levels)),
});

export const robustness = experiment('field.robustness', {
  job: {
    label: 'Field robustness',
    params: robustnessSchema,
    source: (p) => p.train.source,
    handler: async () => (await import('../jobs/robustness.ts')).runFieldRobustness,
    summary,
    store: (session, o) => session.store('field', { ...session.labs.field, robustness: o.result }, {}),
  },
  cli: {
    sub: 'robustness',
    flags: flagNames(FIELD_TRAIN_FIELDS, FIELD_ROBUSTNESS_FIELDS),
    run: async (p, out, ctx) => {
      const d = defaultFieldLab().robustnessDraft;
      const { result: r } = await ctx.runJob('field.robustness', {
        train: trainParams(p),
        ...readFlags(p, FIELD_ROBUSTNESS_FIELDS, d),
      });
      out({
        curves: r.curves.map((c) => ({
          model: c.model,
          perturbation: c.perturbation,
          levels: c.levels,
          accuracy_mean: c.mean,
          accuracy_sd: c.sd,
        })),
      });
      return 0;
    },
  },
});
