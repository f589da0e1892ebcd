// The continual-learning lab: learning curves of sequential tasks in the NTK regime, the replica-style
// theory from the kernel's Mercer spectrum beside Monte Carlo, and the same protocol with a network.
import { defineLab } from '../lab.ts';
import { chainSummary, networkSummary, sweepSummary } from './runs.ts';
import { storeChain, storeNetwork, storeSweep } from './service.ts';
import { chainSchema, continualLabSchema, defaultContinualLab, networkSchema, sweepSchema } from './state.ts';

export const continualLab = defineLab({
  id: 'continual',
  title: 'Continual learning',
  schema: continualLabSchema,
  defaults: defaultContinualLab,
  tensors: () => [],
  jobs: {
    'continual.chain': {
      summary: chainSummary,
      label: 'Continual-learning chain',
      params: chainSchema,
      // Kernel matrices of the largest stage and the test points against it, in float64.
      memory: (p) => 8 * (3 * Math.max(...p.sizes) ** 2 + p.testPoints * p.sizes.reduce((s, n) => s + n, 0)),
      store: storeChain,
      handler: async () => (await import('./jobs.ts')).runChain,
      float64: true,
    },
    'continual.sweep': {
      summary: sweepSummary,
      label: 'Continual-learning sweep',
      params: sweepSchema,
      memory: (p) => {
        const n2 = p.axis === 'ratio' ? Math.max(...p.ratios.map((r) => Math.round(r * p.n1))) : p.n2;
        return 8 * (3 * (p.n1 ** 2 + n2 ** 2) + p.testPoints * (p.n1 + n2) * 2);
      },
      store: storeSweep,
      handler: async () => (await import('./jobs.ts')).runSweep,
      float64: true,
    },
    'continual.network': {
      summary: networkSummary,
      label: 'Continual learning, network',
      params: networkSchema,
      memory: (p) => {
        const total = p.sizes.reduce((s, n) => s + n, 0) + p.testPoints;
        const d = p.data === 'mnist' ? 784 : p.dim;
        return 8 * (3 * total ** 2 + 4 * (p.width * p.width * (p.depth - 1) + p.width * d) + 2 * total * (p.width * p.depth + d));
      },
      source: (p) => (p.data === 'mnist' ? { kind: 'mnist' } : null),
      store: storeNetwork,
      handler: async () => (await import('./jobs.ts')).runNetwork,
      float64: true,
    },
  },
  methods: {},
  cli: { name: 'continual', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
