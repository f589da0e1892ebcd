// The two-task sweep, in a worker: forward and backward transfer against N₂/N₁ or the target
// similarity ρ, Monte Carlo beside theory, and the critical ρ.
import { type Correction } from '../../../../models/continual/corrections.ts';
import { chainMonteCarlo, twoTaskGrid, type McStats } from '../../../../models/continual/monte-carlo.ts';
import { mulberry32 } from '../../../../models/common/rng.ts';
import { type MercerSpectrum } from '../../../../models/continual/spectrum.ts';
import type { ClSweepParams, ClSweepPoint, ClTwoTask } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { sweepSchema } from '../state.ts';
import { correctionOf, fitOf, spectrumOf, guarded, monteCarloOptions, twoTaskTheory } from './kernel.ts';

/** The plain two-task theory (no correction). */
const theoryTwoTask = (spec: MercerSpectrum, n1: number, n2: number, rho: number, noise: number, ridge: number): ClTwoTask =>
  twoTaskTheory(spec, { n1, n2, rho, noise, ridge }, { kind: 'none' }).theory!;

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

/** The points of a sweep: its value, N₂, ρ and the correction each uses. */
function settings(p: ClSweepParams): { value: number; n2: number; rho: number; c: Correction }[] {
  const c = correctionOf(p);
  switch (p.axis) {
    case 'ratio':
      return p.ratios.map((r) => ({ value: r, n2: Math.round(r * p.n1), rho: p.similarity, c }));
    case 'similarity':
      return p.rhos.map((rho) => ({ value: rho, n2: p.n2, rho, c }));
    case 'replay':
      return p.replays.map((R) => ({ value: R, n2: p.n2, rho: p.similarity, c: { kind: 'replay', keep: R } }));
    case 'anchor-weight':
      return p.anchorWeights.map((w) => ({ value: w, n2: p.n2, rho: p.similarity, c: { kind: 'anchor', weight: w } }));
    case 'step':
      return p.steps.map((s) => ({ value: s, n2: p.n2, rho: p.similarity, c: { kind: 'balanced', step: s } }));
  }
}

export async function runSweep(raw: ClSweepParams, ctx: JobContext): Promise<JobOutput<'continual.sweep'>> {
  const p = parseOrThrow(sweepSchema, raw, 'continual.sweep');
  const spec = spectrumOf(p);
  if ((p.axis === 'ratio' || p.axis === 'similarity') && p.correction === 'none') return plainSweep(p, spec, ctx);
  // A corrected chain per point: each point starts from the seed, so every point sees the same teachers and samples.
  const pts = settings(p);
  const points: ClSweepPoint[] = [];
  const alone = new Map<string, McStats>();
  let why: string | null = null;
  let draws = p.draws;
  for (const [i, q] of pts.entries()) {
    // Cancelled between points: keep the points done (a cancel before the first is the job's own error).
    if (points.length && ctx.cancelled()) break;
    const chain = { sizes: [p.n1, q.n2], rho: q.rho, noise: p.noise, ridge: p.ridge };
    const o = { ...monteCarloOptions(p, ctx), rand: mulberry32(p.seed) };
    o.onDraw = (done) => ctx.progress({ step: i * p.draws + done, totalSteps: pts.length * p.draws });
    const mc = guarded(() => chainMonteCarlo(chain, o, fitOf(q.c)));
    const key = `${q.n2} ${q.rho}`;
    if (!alone.has(key))
      alone.set(key, chainMonteCarlo({ ...chain, sizes: [0, q.n2] }, { ...o, rand: mulberry32(p.seed), onDraw: undefined }));
    const a = alone.get(key)!;
    const t = twoTaskTheory(spec, { ...p, n2: q.n2, rho: q.rho }, q.c);
    why ??= t.why;
    const two = (m: McStats['mean'], s: McStats['mean']): ClTwoTask => ({
      e11: m[0]![0]!,
      e12: m[0]![1]!,
      e22: m[1]![1]!,
      e2alone: s[1]![1]!,
    });
    points.push({ value: q.value, n2: q.n2, rho: q.rho, mean: two(mc.mean, a.mean), sd: two(mc.sd, a.sd), theory: t.theory });
    draws = Math.min(draws, mc.draws, a.draws);
    if (mc.draws < p.draws) break;
    await yieldNow();
  }
  const critical =
    p.axis === 'similarity' && points.every((q) => q.theory)
      ? criticalOf((rho) => twoTaskTheory(spec, { ...p, rho }, correctionOf(p)).theory!)
      : null;
  return {
    result: { params: p, points, draws, critical, theoryNote: why, partial: draws < p.draws || points.length < pts.length },
    tensors: {},
  };
}

/** Forward transfer: task 2 better learned after task 1 than alone; backward: task 1 better after task 2 than before. */
const criticalOf = (at: (rho: number) => ClTwoTask) => ({
  forward: rootOn01((rho) => {
    const t = at(rho);
    return t.e2alone - t.e22;
  }),
  backward: rootOn01((rho) => {
    const t = at(rho);
    return t.e11 - t.e12;
  }),
});

const yieldNow = () => new Promise((r) => setImmediate(r));

/** No correction on the ratio or similarity axis: one factorisation per draw serves every point. */
function plainSweep(p: ClSweepParams, spec: MercerSpectrum, ctx: JobContext): JobOutput<'continual.sweep'> {
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
  const critical = ratio ? null : criticalOf((rho) => theoryTwoTask(spec, p.n1, p.n2, rho, p.noise, p.ridge));
  return {
    result: { params: p, points, draws: grid.draws, critical, theoryNote: null, partial: grid.draws < p.draws },
    tensors: {},
  };
}
