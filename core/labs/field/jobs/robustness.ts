// Robustness in a worker: field and vanilla networks over seeds, their accuracy under each
// perturbation level.
import { mulberry32 } from '../../../../models/common/rng.ts';
import { addNoise, elastic, fgsm, shift } from '../../../../models/field/perturb.ts';
import { FIELD_PERTURBATIONS, type FieldRobustnessCurve, type FieldRobustnessParams } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { robustnessSchema } from '../state.ts';
import { targets, loadData, accuracy, trainField } from './network.ts';
import { meanSd } from '../../../../models/common/stats.ts';

export async function runFieldRobustness(raw: FieldRobustnessParams, ctx: JobContext): Promise<JobOutput<'field.robustness'>> {
  const params = parseOrThrow(robustnessSchema, raw, 'field.robustness');
  const base = params.train;
  if (base.kind === 'vanilla')
    throw invalid(
      'field.robustness: choose a field layer (gaussian, mexican or matern); vanilla is the baseline it is compared with',
    );
  const kinds = [
    ['field', base],
    ['vanilla', { ...base, kind: 'vanilla' as const }],
  ] as const;
  const perts = FIELD_PERTURBATIONS.filter((k) => params[k].length > 0);
  const acc: Record<string, number[][]> = {};
  const total = kinds.length * params.seeds;
  let done = 0;
  let partial = false;
  outer: for (let s = 0; s < params.seeds; s++)
    for (const [model, p0] of kinds) {
      if (ctx.cancelled()) {
        partial = true;
        break outer;
      }
      const p = { ...p0, seed: base.seed + s };
      const d = loadData(p);
      const t = await trainField(p, d, ctx, () => {});
      try {
        const rand = mulberry32(p.seed + 99);
        for (const pert of perts) {
          const row: number[] = [];
          for (const level of params[pert]) {
            const Xp =
              pert === 'noise'
                ? addNoise(d.Xt, level, rand)
                : pert === 'shift'
                  ? shift(d.Xt, d.shape, level, rand)
                  : pert === 'elastic'
                    ? elastic(d.Xt, d.shape, level, rand)
                    : await fgsm(t.net, d.Xt, targets(d.labelsT, d.C), d.nt, level);
            row.push(await accuracy(t.net, Xp, d.labelsT, d.nt, d.D));
          }
          ((acc[`${model}.${pert}`] ??= []) as number[][]).push(row);
        }
      } finally {
        t.net.dispose();
      }
      done++;
      ctx.progress({ step: done, totalSteps: total, metrics: { seed: s } });
      await new Promise((r) => setImmediate(r));
    }
  const curves: FieldRobustnessCurve[] = [];
  for (const [model] of kinds)
    for (const pert of perts) {
      const runs = acc[`${model}.${pert}`] ?? [];
      if (!runs.length) continue;
      const levels = params[pert];
      const at = levels.map((_, i) => meanSd(runs.map((r) => r[i]!)));
      const mean = at.map((x) => x.mean);
      const sd = at.map((x) => x.sd);
      curves.push({ model, perturbation: pert, levels, mean, sd });
    }
  return { result: { params, curves, partial }, tensors: {} };
}
