// The natural-gradient lab: exact NGD and its approximations (block-diagonal, block-tri-diagonal,
// K-FAC, unit-wise) in the NTK regime beside their predicted function-space dynamics.
import { defineLab } from '../lab.ts';
import { compareSummary, sweepSummary, unitFisherSummary } from './runs.ts';
import { ngdAlpha, storeNgdCompare, storeNgdSweep, storeUnitFisher } from './service.ts';
import { compareSchema, defaultNgdLab, ngdLabSchema, sweepSchema, unitFisherSchema } from './state.ts';
import type { NgdNetworkParams } from '../../contract.ts';

const sourceOf = (p: NgdNetworkParams) =>
  p.data === 'mnist01' ? ({ kind: 'mnist' } as const) : p.data === 'dataset' ? p.source : null;

/** Float64 bytes of a run: two copies of the parameters (the initial network and the one trained), the dual Grams. */
function bytes(p: NgdNetworkParams, width = p.width): number {
  const M0 = p.data === 'gaussian' ? p.inputDim : 784;
  const widths = [M0, ...Array<number>(p.depth - 1).fill(width), p.outputs];
  let P = 0;
  for (let l = 1; l < widths.length; l++) P += widths[l]! * (widths[l - 1]! + 1);
  const n = p.samples * p.outputs;
  return 8 * (3 * P + (3 * p.depth + 6) * n * n + 2 * p.depth * n * width + (p.samples + p.testSamples) * M0);
}

export const ngdLab = defineLab({
  id: 'ngd',
  title: 'Natural gradient',
  schema: ngdLabSchema,
  defaults: defaultNgdLab,
  tensors: () => [],
  jobs: {
    'ngd.compare': {
      summary: compareSummary,
      label: 'NGD comparison',
      params: compareSchema,
      source: (p) => sourceOf(p.network),
      memory: (p) => bytes(p.network),
      store: storeNgdCompare,
      handler: async () => (await import('./jobs.ts')).runCompare,
      float64: true,
    },
    'ngd.sweep': {
      summary: sweepSummary,
      label: 'NGD sweep',
      params: sweepSchema,
      source: (p) => sourceOf(p.network),
      memory: (p) => bytes(p.network, p.axis === 'width' ? Math.max(...p.values) : p.network.width),
      store: storeNgdSweep,
      handler: async () => (await import('./jobs.ts')).runSweep,
      float64: true,
    },
    'ngd.unitFisher': {
      summary: unitFisherSummary,
      label: 'Unit-wise Fisher',
      params: unitFisherSchema,
      store: storeUnitFisher,
      handler: async () => (await import('./jobs.ts')).runUnitFisher,
      float64: true,
    },
  },
  methods: {
    'ngd.alpha': (_ctx, p) => ngdAlpha(p),
  },
  cli: { name: 'ngd', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
