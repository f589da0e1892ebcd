// The Fisher spectrum of one random network, and optionally the same weights under each normalisation.
import { hiddenNorm } from '../../../../models/fisher/fisher.ts';
import type { FisherNetworkParams, FisherSpectrumResult } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { parseOrThrow } from '../../../validate.ts';
import { networkSchema } from '../state.ts';
import { z } from 'zod';
import { DENSE_LIMIT, BN_HIDDEN_LIMIT, build, theoryFor, checkSize, downsample, measure } from './network.ts';

export async function runSpectrum(
  raw: { network: FisherNetworkParams; compare: boolean },
  ctx: JobContext,
): Promise<JobOutput<'fisher.spectrum'>> {
  const p = parseOrThrow(networkSchema, raw?.network, 'fisher.spectrum.network');
  const compare = parseOrThrow(z.boolean(), raw?.compare, 'fisher.spectrum.compare');
  checkSize(p);
  const t0 = performance.now();
  ctx.progress({ step: 0, totalSteps: compare ? 5 : 1 });
  const b = build(p);
  const m = measure(b, p.norm, p.loss);
  const seconds = (performance.now() - t0) / 1000;
  const theory = theoryFor(p);
  const tensors: Record<string, NamedTensor> = {
    'fisher.spectrum.eigenvalues': { dtype: 'F64', shape: [m.eigenvalues.length], data: m.eigenvalues },
  };
  const n = b.T * p.outputs;
  const ds = m.dual ? downsample(m.dual, n) : { data: new Float32Array(1), size: 1 };
  tensors['fisher.spectrum.gram'] = { dtype: 'F32', shape: [ds.size, ds.size], data: ds.data };
  let comparison: FisherSpectrumResult['comparison'] = null;
  if (compare) {
    comparison = [];
    for (const [i, norm] of (['none', 'bn-last', 'ln', 'bn-hidden'] as const).entries()) {
      if (ctx.cancelled()) break;
      ctx.progress({ step: i + 1, totalSteps: 5 });
      await new Promise((r) => setImmediate(r));
      if (norm === 'bn-hidden' && n > BN_HIDDEN_LIMIT) continue;
      const q = { ...p, norm };
      if (n > DENSE_LIMIT && norm !== 'none' && norm !== 'ln') continue;
      // The same weights and inputs: the seed fixes them, normalisation only changes the forward pass.
      const mm = measure({ ...b, net: { ...b.net, norm: hiddenNorm(norm) } }, norm, p.loss);
      comparison.push({
        norm,
        lambdaMax: mm.stats.lambdaMax,
        mLambda: mm.stats.mLambda,
        theoryLambdaMax: theoryFor(q)?.lambdaMax ?? null,
      });
    }
  }
  ctx.progress({ step: compare ? 5 : 1, totalSteps: compare ? 5 : 1 });
  const result: FisherSpectrumResult = {
    network: p,
    stats: m.stats,
    theory,
    method: m.method,
    seconds,
    tensors: { eigenvalues: 'fisher.spectrum.eigenvalues', gram: 'fisher.spectrum.gram' },
    comparison,
  };
  return { result, tensors };
}
