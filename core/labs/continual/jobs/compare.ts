// Every correction against forgetting at its best setting, over N₂/N₁, with and without label noise, in a
// worker: the comparison that answers the programme's open question (Monte Carlo, theory where a formula exists).
import { compareGrid, type CompareSetting } from '../../../../models/continual/compare.ts';
import { memoryOf, type Correction } from '../../../../models/continual/corrections.ts';
import {
  CONTINUAL_COMPARED,
  type ClCompareParams,
  type ClComparePoint,
  type ClCompareRow,
  type ClCompared,
  type ClTwoTask,
} from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { compareSchema } from '../state.ts';
import { guarded, monteCarloOptions, spectrumOf, twoTaskTheory } from './kernel.ts';

/** Each setting of the grid with the correction family it belongs to and its value. */
function gridOf(p: ClCompareParams): { family: ClCompared; value: number | null; setting: CompareSetting }[] {
  return [
    { family: 'none', value: null, setting: { kind: 'none' } },
    ...p.replays.map((R) => ({ family: 'replay' as const, value: R, setting: { kind: 'replay', keep: R } as const })),
    ...p.anchorWeights.map((w) => ({ family: 'anchor' as const, value: w, setting: { kind: 'anchor', weight: w } as const })),
    ...p.steps.map((c) => ({ family: 'balanced' as const, value: c, setting: { kind: 'balanced', step: c } as const })),
    { family: 'balanced-auto', value: null, setting: { kind: 'balanced-auto' } },
  ];
}

/** The criterion a setting is chosen by: both tasks' mean error after stage 2 (at ρ = 1, task 1's). */
const cost = (t: ClTwoTask) => (t.e12 + t.e22) / 2;

export async function runCompare(raw: ClCompareParams, ctx: JobContext): Promise<JobOutput<'continual.compare'>> {
  const p = parseOrThrow(compareSchema, raw, 'continual.compare');
  const spec = spectrumOf(p);
  const n2s = p.ratios.map((r) => Math.round(r * p.n1));
  const noises = p.levels === 'both' && p.noise > 0 ? [p.noise, 0] : [p.noise];
  const grid = gridOf(p);
  const mc = guarded(() =>
    compareGrid(
      p.n1,
      n2s,
      p.similarity,
      noises,
      p.ridge,
      grid.map((g) => g.setting),
      monteCarloOptions(p, ctx),
    ),
  );
  const points: ClComparePoint[] = [];
  noises.forEach((noise, nu) =>
    n2s.forEach((n2, i) => {
      const rows: ClCompareRow[] = CONTINUAL_COMPARED.map((family) => {
        const members = grid.map((g, s) => ({ ...g, s })).filter((g) => g.family === family);
        const best = members.reduce((a, b) => (cost(mc.mean[nu]![i]![b.s]!) < cost(mc.mean[nu]![i]![a.s]!) ? b : a));
        const c: Correction = best.setting.kind === 'balanced-auto' ? { kind: 'balanced', step: 'auto' } : best.setting;
        return {
          correction: family,
          setting: best.value,
          mean: mc.mean[nu]![i]![best.s]!,
          sd: mc.sd[nu]![i]![best.s]!,
          theory: twoTaskTheory(spec, { n1: p.n1, n2, rho: p.similarity, noise, ridge: p.ridge }, c).theory,
          memory: memoryOf(c, [p.n1, n2]),
        };
      });
      const best = rows.reduce((a, b) => (cost(b.mean) < cost(a.mean) ? b : a)).correction;
      points.push({ noise, ratio: p.ratios[i]!, n2, rows, best });
    }),
  );
  return { result: { params: p, points, draws: mc.draws, partial: mc.draws < p.draws }, tensors: {} };
}
