// The Datasets lab: MNIST, IDX pairs and generated hierarchical patterns; the softmax baseline job.
import { defineLab } from '../lab.ts';
import { baselineSummary } from './runs.ts';
import { dataPage, dataSummary, storeBaseline } from './service.ts';
import { baselineParamsSchema, dataLabSchema, defaultDataLab } from './state.ts';

export const dataLab = defineLab({
  id: 'data',
  title: 'Datasets',
  schema: dataLabSchema,
  defaults: defaultDataLab,
  tensors: (s) => s.baseline?.tensors ?? [],
  shapes: (s, shapeOf) => {
    const out = new Map<string, number[]>();
    if (s.baseline) {
      const C = shapeOf('data.baseline.b')?.[0] ?? -1;
      out.set('data.baseline.W', [-1, C]);
      out.set('data.baseline.b', [C]);
    }
    return out;
  },
  required: (s) => (s.baseline ? ['data.baseline.W', 'data.baseline.b'] : []),
  jobs: {
    'data.baseline': {
      summary: baselineSummary,
      label: 'Softmax baseline',
      params: baselineParamsSchema,
      source: (p) => p.source,
      store: storeBaseline,
      handler: async () => (await import('./jobs.ts')).runBaseline,
    },
  },
  methods: {
    'data.summary': (_ctx, p) => dataSummary(p),
    'data.page': (_ctx, p) => dataPage(p),
  },
  cli: { name: 'data', sweepable: false, load: async () => (await import('./cli.ts')).command },
});
