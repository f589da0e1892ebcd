// The curvature lab: Hessian, Gauss–Newton and Fisher spectra of a fresh random network or a
// PyTorch network of the user's own, and sharpness during full-batch gradient descent.
import { defineLab, jobsOf } from '../lab.ts';
import { CURVATURE_EXPERIMENTS } from './experiments/index.ts';
import { curvatureLabSchema, defaultCurvatureLab } from './state.ts';

export const curvatureLab = defineLab({
  id: 'curvature',
  title: 'Curvature',
  schema: curvatureLabSchema,
  defaults: defaultCurvatureLab,
  tensors: () => [],
  jobs: jobsOf(CURVATURE_EXPERIMENTS),
  methods: {},
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  cli: { name: 'curvature', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
