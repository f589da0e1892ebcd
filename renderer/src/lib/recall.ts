// Chart shaping for the VAE lab (training curves, recall runs, sweeps): pure functions, tested in
// test/unit/vae-recall-view.test.ts.
import type { RecallLevel, RecallRunResult, VaeSweepResult, VaeTrainResult } from '../../../core/contract';
import type { Series } from './series';

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

type Pt = { x: number; y: number };

/** Training curves: live progress points while a job trains, else the stored result's steps. */
export function trainingSeries(
  live: { step: number; metrics: Record<string, number> }[] | null,
  result: VaeTrainResult | null,
): Series[] {
  if (live) {
    const s = (k: string, label: string): Series => ({
      label,
      points: live.filter((p) => p.metrics[k] !== undefined).map((p) => ({ x: p.step, y: p.metrics[k]! })),
    });
    // Test −ELBO is measured once per epoch and repeated in later reports: one point per new value.
    const elbo = s('test_neg_elbo', 'test −ELBO (per epoch)');
    elbo.points = elbo.points.filter((p, i, all) => i === 0 || p.y !== all[i - 1]!.y);
    return [s('loss', 'loss (β-weighted)'), s('rec', 'reconstruction −log p(x|z)'), s('kl', 'KL'), { ...elbo, style: 'points' }];
  }
  if (!result) return [];
  return [
    { label: 'loss (β-weighted)', points: result.steps.map((p) => ({ x: p.step, y: p.loss })) },
    { label: 'reconstruction −log p(x|z)', points: result.steps.map((p) => ({ x: p.step, y: p.rec })) },
    { label: 'KL', points: result.steps.map((p) => ({ x: p.step, y: p.kl })) },
  ];
}

/** Test −ELBO and the training loss per epoch; nothing without a test split. */
export function elboSeries(result: VaeTrainResult | null): Series[] {
  if (!result || !result.epochs.some((e) => e.testNegElbo !== null)) return [];
  return [
    { label: 'test −ELBO', points: result.epochs.map((e) => ({ x: e.epoch, y: e.testNegElbo ?? NaN })) },
    { label: 'train loss (epoch mean)', points: result.epochs.map((e) => ({ x: e.epoch, y: e.trainLoss })) },
  ];
}

export type RecallMetric = 'meanDistOwn' | 'meanCosOwn' | 'fracNearestOwn' | 'spread' | 'withinConceptSpread';

/** One series per run: a metric against the iteration, skipping steps where it is undefined. */
export function metricSeries(runs: RecallRunResult[], key: RecallMetric): Series[] {
  return runs.map((r) => ({
    label: runLabel(r),
    points: r.points.filter((p) => p[key] !== null).map((p): Pt => ({ x: p.t, y: p[key]! })),
  }));
}

/** States per nearest concept at step t (clamped to the run's last step). */
export function nearestConceptSeries(run: RecallRunResult | null, t: number): Series[] {
  if (!run) return [];
  const at = Math.min(t, run.points.length - 1);
  return [{ label: `nearest concept at t = ${at}`, points: (run.points[at]?.nearestHistogram ?? []).map((y, x) => ({ x, y })) }];
}

/** The fraction of states nearest each level, against the iteration. */
export function nearestLevelSeries(run: RecallRunResult | null, levels: readonly RecallLevel[]): Series[] {
  if (!run) return [];
  return levels.map((l) => ({
    label: l,
    points: run.points.filter((p) => p.nearestLevel?.[l] != null).map((p) => ({ x: p.t, y: p.nearestLevel![l]! })),
  }));
}

/** Per latent size: a sweep cell's figure against the noise level. */
export function sweepCellSeries(sweep: VaeSweepResult, key: 'minConcept' | 'minStep' | 'fracEnd'): Series[] {
  return sweep.params.latents.map((d) => ({
    label: `d = ${d}`,
    points: sweep.cells.filter((c) => c.latent === d).map((c) => ({ x: c.noise, y: c[key] })),
  }));
}

/**
 * The state nearest a pointer at frame t of a [T, N, 2] array, in screen pixels (toScreen maps a data
 * point to pixels); null when none lies within `radius` pixels.
 */
export function nearestState(
  frames: Float32Array,
  n: number,
  t: number,
  at: { x: number; y: number },
  toScreen: (x: number, y: number) => [number, number],
  radius = 8,
): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  const o = t * n * 2;
  for (let i = 0; i < n; i++) {
    const [px, py] = toScreen(frames[o + 2 * i]!, frames[o + 2 * i + 1]!);
    const d = (px - at.x) ** 2 + (py - at.y) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
