// Chart shaping for the VAE lab's recall runs and sweeps: pure functions, tested in
// test/unit/vae-recall-view.test.ts.
import type { RecallLevel, RecallRunResult, VaeSweepResult } from '../../../core/contract';

export const LEVELS: readonly RecallLevel[] = ['memory', 'concept', 'root', 'global'];

const LEVEL_KEY = { memory: 'distMemory', concept: 'distConcept', root: 'distRoot', global: 'distGlobal' } as const;

/** The noise of a run as its kind names it: σ for Gaussian, p for bit flips and salt-and-pepper. */
export function noiseLabel(r: Pick<RecallRunResult, 'params' | 'noise'>): string {
  const k = r.params.noiseKind;
  if (k === 'pure') return 'pure noise';
  return `${k === 'gaussian' ? 'σ' : k === 'bitflip' ? 'flip p' : 'p'} = ${r.noise}`;
}

export function runLabel(r: Pick<RecallRunResult, 'params' | 'noise'>): string {
  const x = r.params.xMode === 'sample' ? ', x sampled' : '';
  return `${noiseLabel(r)} · ${r.params.mode}${x}`;
}

/**
 * One series per run: the mean distance to `level` at step t divided by its value at t = 0.
 * Runs without that level (no roots, a noiseless memory distance of 0) give no series.
 */
export function levelSeries(
  runs: RecallRunResult[],
  level: RecallLevel,
): { label: string; points: { x: number; y: number }[] }[] {
  const key = LEVEL_KEY[level];
  return runs.flatMap((r) => {
    const d0 = r.points[0]?.[key];
    if (d0 === null || d0 === undefined || !(d0 > 1e-12)) return [];
    return [{ label: runLabel(r), points: r.points.filter((p) => p[key] !== null).map((p) => ({ x: p.t, y: p[key]! / d0 })) }];
  });
}

/** Per latent size: the fraction of states nearest `level` at the sweep's level step, against noise. */
export function sweepLevelSeries(
  sweep: VaeSweepResult,
  level: RecallLevel,
): { label: string; points: { x: number; y: number }[] }[] {
  return sweep.params.latents.map((d) => ({
    label: `d = ${d}`,
    points: sweep.cells
      .filter((c) => c.latent === d && c.nearestLevel?.[level] != null)
      .map((c) => ({ x: c.noise, y: c.nearestLevel![level]! })),
  }));
}
