// The noise × latent-dimension sweep, in a worker: a VAE per latent size and seed, recall at each
// noise level, the concept approach summarised per cell.
import { mulberry32 } from '../../../../models/common/rng.ts';
import { curveMinimum, t90 } from '../../../../models/vae/recall.ts';
import type { NearestLevel, RecallPoint, VaeSweepCell, VaeSweepParams, VaeTrainParams } from '../../../contract.ts';
import { getDataset } from '../../../data/datasets.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { sweepSchema } from '../state.ts';
import { range, prepare, trainLoop, concepts, startSplit, type RecallRefs, recallOnce } from './model.ts';
import { mean, sampleSd as sd } from '../../../../models/common/stats.ts';

/** Means over seeds of the nearest-level fractions (null where a level is absent). */
function meanLevels(ls: (NearestLevel | null)[]): NearestLevel | null {
  const xs = ls.filter((l): l is NearestLevel => l !== null);
  if (!xs.length) return null;
  const opt = (k: 'memory' | 'root') => (xs.every((l) => l[k] !== null) ? mean(xs.map((l) => l[k]!)) : null);
  return {
    memory: opt('memory'),
    concept: mean(xs.map((l) => l.concept)),
    root: opt('root'),
    global: mean(xs.map((l) => l.global)),
  };
}

export async function runVaeSweep(raw: VaeSweepParams, ctx: JobContext): Promise<JobOutput<'vae.sweep'>> {
  const params = parseOrThrow(sweepSchema, raw, 'vae.sweep');
  const began = performance.now();
  const ds = getDataset(params.source);
  const split = startSplit(ds, params.start);
  const seeds = range(0, params.seeds).map((s) => params.seed + s);
  const n = params.trainSize > 0 ? Math.min(params.trainSize, ds.train.count) : ds.train.count;
  const perModel = Math.ceil(n / Math.min(params.batchSize, n)) * params.epochs;
  const total = perModel * params.latents.length * seeds.length;
  // Per (latent, noise) cell, one entry per seed.
  type Seeded = { pts: RecallPoint[]; min: NonNullable<ReturnType<typeof curveMinimum>>; negElbo: number | null };
  const byCell = new Map<string, Seeded[]>();
  let done = true;
  let model = 0;
  outer: for (const latent of params.latents) {
    for (const seed of seeds) {
      const prep = prepare({ source: params.source, trainSize: params.trainSize, seed });
      const tp: VaeTrainParams = {
        source: params.source,
        arch: 'mlp',
        hidden: params.hidden,
        latent,
        decoder: 'bernoulli',
        gaussianSigma: 0.1,
        beta: 1,
        learningRate: 1e-3,
        batchSize: params.batchSize,
        epochs: params.epochs,
        trainSize: params.trainSize,
        seed,
        // Each of a sweep's models is trained from fresh weights.
        warmStart: false,
      };
      const t = await trainLoop(tp, prep, ctx, {
        testCount: 2000,
        previews: false,
        stepOffset: model * perModel,
        stepTotal: total,
      });
      model++;
      try {
        if (ctx.cancelled()) {
          done = false;
          break outer;
        }
        const c = await concepts(t.vae, prep, false);
        const refs: RecallRefs = { concepts: c.concepts, classes: prep.classes, centres: c.centres };
        for (const [k, noise] of params.noise.entries()) {
          const r = await recallOnce(
            t.vae,
            split,
            refs,
            { ...params, mode: 'mean', xMode: 'mean' },
            noise,
            mulberry32(seed + 1000 * k),
            0,
          );
          const min = r.minima.concept;
          if (!min) throw invalid('the sweep needs states with a concept: pure noise has none');
          const key = `${latent}|${noise}`;
          byCell.set(key, [...(byCell.get(key) ?? []), { pts: r.points, min, negElbo: t.epochs.at(-1)?.testNegElbo ?? null }]);
        }
      } finally {
        t.vae.dispose();
      }
      await new Promise((res) => setImmediate(res));
    }
  }
  const cells: VaeSweepCell[] = [];
  for (const latent of params.latents)
    for (const noise of params.noise) {
      const xs = byCell.get(`${latent}|${noise}`);
      if (!xs?.length) continue;
      const at = (q: (p: RecallPoint[]) => number) => mean(xs.map((x) => q(x.pts)));
      const curve = range(0, params.iterations + 1).map((t) => at((p) => p[t]!.distConcept! / p[0]!.distConcept!));
      const elbos = xs.map((x) => x.negElbo).filter((v): v is number => v !== null);
      cells.push({
        latent,
        noise,
        distStart: at((p) => p[0]!.distConcept!),
        distEnd: at((p) => p.at(-1)!.distConcept!),
        fracStart: at((p) => p[0]!.fracNearestOwn!),
        fracEnd: at((p) => p.at(-1)!.fracNearestOwn!),
        minConcept: mean(xs.map((x) => x.min.min)),
        minConceptSd: sd(xs.map((x) => x.min.min)),
        minStep: mean(xs.map((x) => x.min.step)),
        nearestLevel: meanLevels(xs.map((x) => x.pts[params.levelStep]!.nearestLevel)),
        t90: t90(curve),
        testNegElbo: elbos.length ? mean(elbos) : null,
      });
    }
  return { result: { params, cells, partial: !done, seconds: (performance.now() - began) / 1000 }, tensors: {} };
}
