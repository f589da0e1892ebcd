// The unit-wise block structure of the Fisher: how much of it lies in the blocks of single units.
import { z } from 'zod';
import type { FisherBlocksResult, FisherNetworkParams } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { type RunSummary } from '../../kit/runs.ts';
import { blocksBytes } from '../memory.ts';
import { imagesOf } from './common.ts';
import { networkSchema } from '../state.ts';

const summary = (_p: { network: FisherNetworkParams }, r: FisherBlocksResult): RunSummary => ({
  metrics: { 'off/on block ratio': r.offOnRatio, units: r.units },
  curves: [],
});

export const blocks = experiment('fisher.blocks', {
  job: {
    label: 'Fisher unit-wise blocks',
    params: z.object({ network: networkSchema }).strict(),
    source: (p) => imagesOf(p.network),
    memory: blocksBytes,
    handler: async () => (await import('../jobs/blocks.ts')).runBlocks,
    float64: true,
    summary,
    store: (s, o) => s.store('fisher', { ...s.labs.fisher, blocks: o.result }, o.tensors),
  },
});
