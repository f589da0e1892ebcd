// The unit-wise block structure of the Fisher: the norms of its unit-by-unit blocks.
import { unitBlockNorms } from '../../../../models/fisher/fisher.ts';
import type { FisherBlocksResult, FisherNetworkParams } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { networkSchema } from '../state.ts';
import { build } from './network.ts';

export async function runBlocks(raw: { network: FisherNetworkParams }, ctx: JobContext): Promise<JobOutput<'fisher.blocks'>> {
  const p = parseOrThrow(networkSchema, raw?.network, 'fisher.blocks.network');
  if (p.norm !== 'none' || p.loss !== 'mse')
    throw invalid('fisher.blocks: the block structure is computed for the MSE Fisher without normalisation');
  const units = (p.depth - 1) * p.width + p.outputs;
  if (units > 600) throw invalid(`fisher.blocks: ${units} units give ${units}² blocks; keep (depth − 1) × width + outputs ≤ 600`);
  if (p.samples * p.outputs > 400) throw invalid('fisher.blocks: keep samples × outputs ≤ 400');
  ctx.progress({ step: 0, totalSteps: 1 });
  const b = build(p);
  const r = unitBlockNorms(b.net, b.X, b.T);
  let on = 0;
  let off = 0;
  for (let i = 0; i < r.units; i++)
    for (let j = 0; j < r.units; j++) {
      if (i === j) on += r.norms[i * r.units + j]! / r.units;
      else off += r.norms[i * r.units + j]! / (r.units * (r.units - 1));
    }
  ctx.progress({ step: 1, totalSteps: 1 });
  const result: FisherBlocksResult = {
    network: p,
    units: r.units,
    layerOf: Array.from(r.layerOf),
    tensor: 'fisher.blocks.norms',
    offOnRatio: off / on,
  };
  return {
    result,
    tensors: { 'fisher.blocks.norms': { dtype: 'F32', shape: [r.units, r.units], data: Float32Array.from(r.norms) } },
  };
}
