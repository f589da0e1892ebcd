// The continual-learning lab: learning curves of sequential tasks in the NTK regime, the replica-style
// theory from the kernel's Mercer spectrum beside Monte Carlo, and the same protocol with a network.
import { defineLab, jobsOf } from '../lab.ts';
import { CONTINUAL_EXPERIMENTS } from './experiments/index.ts';
import { continualLabSchema, defaultContinualLab } from './state.ts';

export const continualLab = defineLab({
  id: 'continual',
  title: 'Continual learning',
  schema: continualLabSchema,
  defaults: defaultContinualLab,
  tensors: () => [],
  jobs: jobsOf(CONTINUAL_EXPERIMENTS),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {},
  cli: { name: 'continual', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
