// The augmentation lab: no, conventional, self-paced and RandAugment-style augmentation of a small
// classifier's training set, compared over seeds and training-set sizes (Takase, Karakida & Asoh 2021).
import { defineLab, jobsOf } from '../lab.ts';
import { compare } from './experiments/compare.ts';
import { augmentLabSchema, defaultAugmentLab } from './state.ts';

export const augmentLab = defineLab({
  id: 'augment',
  title: 'Augmentation',
  schema: augmentLabSchema,
  defaults: defaultAugmentLab,
  tensors: (s) => (s.result?.samples ? ['augment.samples'] : []),
  shapes: (s) => {
    const out = new Map<string, number[]>();
    const m = s.result?.samples;
    if (m) out.set('augment.samples', [m.most.length + m.least.length, -1, -1]);
    return out;
  },
  required: (s) => (s.result?.samples ? ['augment.samples'] : []),
  dtypeOf: (name) => (name === 'augment.samples' ? 'U8' : null),
  jobs: jobsOf([compare]),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {},
  cli: { name: 'augment', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
