// The two-task sweep, in a worker: forward and backward transfer against N₂/N₁ or the target
// similarity ρ, Monte Carlo beside theory, and the critical ρ.
import { twoTaskGrid } from '../../../../models/continual/monte-carlo.ts';
import { type MercerSpectrum } from '../../../../models/continual/spectrum.ts';
import { chainTheory, singleTaskError } from '../../../../models/continual/theory.ts';
import type { ClSweepParams, ClSweepPoint, ClTwoTask } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { sweepSchema } from '../state.ts';
import { spectrumOf, guarded, monteCarloOptions } from './kernel.ts';

function theoryTwoTask(spec: MercerSpectrum, n1: number, n2: number, rho: number, noise: number, ridge: number): ClTwoTask {
  const e = chainTheory(spec, { sizes: [n1, n2], rho, noise, ridge }).errors;
  // Task 2 alone: one stage of N₂ samples on a teacher of the same law (N₂ = 0: the error of f = 0).
  return { e11: e[0]![0]!, e12: e[0]![1]!, e22: e[1]![1]!, e2alone: singleTaskError(spec, n2, noise, ridge) };
}

/** Where a theory curve changes sign on [0, 1], by bisection on a fine grid. */
function rootOn01(f: (rho: number) => number): number | null {
  const grid = Array.from({ length: 201 }, (_, i) => i / 200);
  const vals = grid.map(f);
  for (let i = 0; i + 1 < grid.length; i++) {
    if (Math.sign(vals[i]!) === Math.sign(vals[i + 1]!) || vals[i] === 0) continue;
    let lo = grid[i]!;
    let hi = grid[i + 1]!;
    const sLo = Math.sign(vals[i]!);
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (Math.sign(f(mid)) === sLo) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }
  return null;
}

export async function runSweep(raw: ClSweepParams, ctx: JobContext): Promise<JobOutput<'continual.sweep'>> {
  const p = parseOrThrow(sweepSchema, raw, 'continual.sweep');
  const spec = spectrumOf(p);
  const ratio = p.axis === 'ratio';
  const n2s = ratio ? p.ratios.map((r) => Math.round(r * p.n1)) : [p.n2];
  const rhos = ratio ? [p.similarity] : p.rhos;
  const grid = guarded(() => twoTaskGrid(p.n1, n2s, rhos, p.noise, p.ridge, monteCarloOptions(p, ctx)));
  const points: ClSweepPoint[] = [];
  n2s.forEach((n2, i) =>
    rhos.forEach((rho, j) =>
      points.push({
        value: ratio ? p.ratios[i]! : rho,
        n2,
        rho,
        mean: grid.mean[i]![j]!,
        sd: grid.sd[i]![j]!,
        theory: theoryTwoTask(spec, p.n1, n2, rho, p.noise, p.ridge),
      }),
    ),
  );
  // Forward transfer: task 2 better learned after task 1 than alone; backward: task 1 better after task 2 than before.
  const critical = ratio
    ? null
    : {
        forward: rootOn01((rho) => {
          const t = theoryTwoTask(spec, p.n1, p.n2, rho, p.noise, p.ridge);
          return t.e2alone - t.e22;
        }),
        backward: rootOn01((rho) => {
          const t = theoryTwoTask(spec, p.n1, p.n2, rho, p.noise, p.ridge);
          return t.e11 - t.e12;
        }),
      };
  return { result: { params: p, points, draws: grid.draws, critical, partial: grid.draws < p.draws }, tensors: {} };
}
