// The input-space metric (the Fisher with respect to the input) beside its mean-field theory.
import { eigh } from '../../../../models/linalg/dense.ts';
import type { FisherNetworkParams } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { networkSchema } from '../state.ts';
import { inputMetricDual, inputMetricTheory } from '../../../../models/fisher/input-metric.ts';
import { DENSE_LIMIT, build, theoryFor, checkSize } from './network.ts';

export async function runInputMetric(
  raw: { network: FisherNetworkParams },
  ctx: JobContext,
): Promise<JobOutput<'fisher.inputMetric'>> {
  const p = parseOrThrow(networkSchema, raw?.network, 'fisher.inputMetric.network');
  if (p.norm !== 'none')
    throw invalid('fisher.inputMetric: the input-space metric is computed without normalisation (--norm none)');
  checkSize(p);
  const n = p.samples * p.outputs;
  if (n > DENSE_LIMIT) throw invalid(`fisher.inputMetric: samples × outputs = ${n}; at most ${DENSE_LIMIT} dual rows`);
  ctx.progress({ step: 0, totalSteps: 2 });
  const b = build(p);
  const D = inputMetricDual(b.net, b.X, b.T, p.loss);
  ctx.progress({ step: 1, totalSteps: 2 });
  const ev = eigh(D, n).values;
  const M0 = b.widths[0]!;
  let tr = 0;
  let fro = 0;
  for (let i = 0; i < n; i++) tr += D[i * n + i]!;
  for (let i = 0; i < D.length; i++) fro += D[i]! * D[i]!;
  const th = theoryFor(p);
  const l1 = th?.layers[1];
  const theory =
    th && l1 && l1.qt1 !== null && l1.qt2 !== null
      ? {
          ...inputMetricTheory(l1.qt1, l1.qt2, p.sigmaW2, p.samples, p.outputs, M0, p.loss),
          note:
            p.loss === 'ce'
              ? 'cross-entropy: equal-logit approximation p = 1/C, which holds only while the logits are near equal'
              : null,
        }
      : null;
  ctx.progress({ step: 2, totalSteps: 2 });
  const sorted = Array.from(ev).sort((x, y) => y - x);
  return {
    result: {
      network: p,
      stats: { mLambda: tr / M0, sLambda: fro / M0, lambdaMax: sorted[0]! },
      theory,
      eigenvalues: sorted.slice(0, 2000),
    },
    tensors: {},
  };
}
