// Capacity in a worker: how many stored patterns a modern Hopfield network retrieves, against β
// and the number of patterns.
import { gaussian, mulberry32, permutation } from '../../../../models/common/rng.ts';
import { makeMachine, overlaps, retrieveStep } from '../../../../models/hopfield/machine.ts';
import type { CapacityParams, CapacityPoint, CapacityResult } from '../../../contract.ts';
import { getDataset } from '../../../data/datasets.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { corrupt, labelledRows, SUCCESS_OVERLAP } from '../prepare.ts';
import { capacitySchema } from '../state.ts';

/**
 * Retrieval from corrupted patterns with the patterns themselves as keys (W = Ξ, b = c = 0):
 * success when the final state's nearest stored pattern (by cosine) is the original and the
 * overlap is at least 0.9. Patterns are pixels in [0, 1] minus the pool's mean pixel image,
 * so overlaps measure more than "is an image of ink".
 */
export async function runCapacity(raw: CapacityParams, ctx: JobContext): Promise<JobOutput<'hopfield.capacity'>> {
  const params = parseOrThrow(capacitySchema, raw, 'hopfield.capacity');
  const ds = getDataset(params.source);
  const maxP = Math.max(...params.patternCounts);
  if (maxP > ds.train.count) throw new Error(`patternCounts: the training split has only ${ds.train.count} images`);
  const rand = mulberry32(params.seed);
  const pool = labelledRows(ds.train, permutation(ds.train.count, rand).subarray(0, maxP));
  const nv = ds.train.shape[0]! * ds.train.shape[1]!;
  const shape = [ds.train.shape[0]!, ds.train.shape[1]!];
  const mean = new Float64Array(nv);
  for (let i = 0; i < maxP; i++) for (let j = 0; j < nv; j++) mean[j] = mean[j]! + pool.X[i * nv + j]! / maxP;
  const centred = new Float64Array(maxP * nv);
  for (let i = 0; i < maxP; i++) for (let j = 0; j < nv; j++) centred[i * nv + j] = pool.X[i * nv + j]! - mean[j]!;
  const total = params.patternCounts.length * params.betas.length * params.levels.length * params.trials;
  const points: CapacityPoint[] = [];
  let done = 0;
  outer: for (const P of params.patternCounts) {
    const m = makeMachine(centred.subarray(0, P * nv), new Float64Array(nv), new Float64Array(P), P, nv);
    for (const beta of params.betas) {
      for (const level of params.levels) {
        let ok = 0;
        let ov = 0;
        const r = mulberry32(params.seed + 7919 * P + Math.round(1000 * level));
        for (let t = 0; t < params.trials; t++) {
          if (ctx.cancelled()) break outer;
          const target = Math.floor(r() * P);
          const x = pool.X.slice(target * nv, (target + 1) * nv);
          corrupt(x, shape, params.corruption, level, r, gaussian);
          let v: Float64Array = x.map((xi, j) => xi - mean[j]!);
          for (let s = 0; s < params.steps; s++) v = retrieveStep(m, v, beta).v;
          const o = overlaps(v, m.W, P, nv);
          let best = 0;
          for (let i = 1; i < P; i++) if (o[i]! > o[best]!) best = i;
          if (best === target && o[target]! >= SUCCESS_OVERLAP) ok++;
          ov += o[target]!;
          done++;
          ctx.progress({ step: done, totalSteps: total, samples: done, metrics: { patterns: P, beta } });
        }
        points.push({ beta, patterns: P, level, success: ok / params.trials, meanOverlap: ov / params.trials });
        await new Promise((res) => setImmediate(res));
      }
    }
  }
  const result: CapacityResult = { params, points, partial: done < total };
  return { result, tensors: {} };
}
