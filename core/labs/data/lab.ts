// The Datasets lab: MNIST, IDX pairs and generated hierarchical patterns; the softmax baseline job.
import { defineLab, jobsOf } from '../lab.ts';
import { baseline } from './experiments/baseline.ts';
import { dataPage, dataSummary } from './service.ts';
import { dataLabSchema, defaultDataLab } from './state.ts';

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
  jobs: jobsOf([baseline]),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {
    'data.summary': (_ctx, p) => dataSummary(p),
    'data.page': (_ctx, p) => dataPage(p),
  },
  cli: { name: 'data', sweepable: false, load: async () => (await import('./cli.ts')).command },
});
