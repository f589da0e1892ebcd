// The Fisher statistics against width, depth, samples or outputs, over several seeds.
import type { FisherNetworkParams, FisherSweepParams, FisherSweepPoint, FisherTheoryValues } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { networkSchema, sweepSchema } from '../state.ts';
import { DENSE_LIMIT, build, theoryFor, checkSize, measure } from './network.ts';
import { mean as meanOf, sampleSd } from '../../../../models/common/stats.ts';

function withAxis(p: FisherNetworkParams, axis: FisherSweepParams['axis'], v: number, seed: number): FisherNetworkParams {
  const q = { ...p, seed };
  if (axis === 'width') q.width = v;
  else if (axis === 'depth') q.depth = v;
  else if (axis === 'samples') q.samples = v;
  else q.outputs = v;
  return q;
}

export async function runSweep(raw: FisherSweepParams, ctx: JobContext): Promise<JobOutput<'fisher.sweep'>> {
  const params = parseOrThrow(sweepSchema, raw, 'fisher.sweep');
  const points: FisherSweepPoint[] = [];
  const total = params.values.length * params.seeds;
  let done = 0;
  outer: for (const v of params.values) {
    const runs: { m: number; s: number; l: number; P: number }[] = [];
    let theory: FisherTheoryValues | null = null;
    for (let s = 0; s < params.seeds; s++) {
      if (ctx.cancelled()) break outer;
      const q = parseOrThrow(
        networkSchema,
        withAxis(params.network, params.axis, v, params.network.seed + s),
        `fisher.sweep (${params.axis} = ${v})`,
      );
      checkSize(q);
      if (q.samples * q.outputs > DENSE_LIMIT)
        throw invalid(
          `fisher.sweep: ${params.axis} = ${v} gives ${q.samples * q.outputs} dual rows; sweeps use the dense dual (≤ ${DENSE_LIMIT})`,
        );
      const b = build(q);
      const m = measure(b, q.norm, q.loss);
      runs.push({ m: m.stats.mLambda, s: m.stats.sLambda!, l: m.stats.lambdaMax, P: m.stats.P });
      theory ??= theoryFor(q);
      done++;
      ctx.progress({ step: done, totalSteps: total, metrics: { [params.axis]: v } });
      await new Promise((r) => setImmediate(r));
    }
    const mean = (k: 'm' | 's' | 'l') => meanOf(runs.map((r) => r[k]));
    const sd = (k: 'm' | 's' | 'l') => sampleSd(runs.map((r) => r[k]));
    points.push({
      value: v,
      mean: { P: runs[0]!.P, mLambda: mean('m'), sLambda: mean('s'), lambdaMax: mean('l') },
      sd: { mLambda: sd('m'), sLambda: sd('s'), lambdaMax: sd('l') },
      theory,
    });
  }
  return { result: { params, points, partial: points.length < params.values.length }, tensors: {} };
}
