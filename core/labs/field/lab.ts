// The random-neural-field lab: structured initialisers, NTK-regime training, robustness.
import { layerShapes } from '../../../models/field/shapes.ts';
import { defineLab, jobsOf } from '../lab.ts';
import { exploreField } from './explore.ts';
import { FIELD_EXPERIMENTS } from './experiments/index.ts';
import { defaultFieldLab, fieldLabSchema } from './state.ts';

export const fieldLab = defineLab({
  id: 'field',
  title: 'Random neural fields',
  schema: fieldLabSchema,
  defaults: defaultFieldLab,
  tensors: (s) => s.result?.tensors ?? [],
  shapes: (s, shapeOf) => {
    const out = new Map<string, number[]>();
    const f = s.result;
    if (!f) return out;
    const D = shapeOf('field.model.W1')?.[0] ?? -1;
    const C = shapeOf('field.model.bout')?.[0] ?? -1;
    for (const [n, shape] of layerShapes({
      inputDim: D,
      width: f.params.width,
      classes: C,
      maxpool: f.params.maxpool,
      sigmaW: 1,
      sigmaB: 0,
    }))
      out.set(`field.model.${n}`, shape);
    return out;
  },
  required: (s) =>
    s.result
      ? layerShapes({ inputDim: 1, width: 1, classes: 1, maxpool: s.result.params.maxpool, sigmaW: 1, sigmaB: 0 }).map(
          ([n]) => `field.model.${n}`,
        )
      : [],
  jobs: jobsOf(FIELD_EXPERIMENTS),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {
    'field.explore': (_ctx, p) => exploreField(p),
  },
  cli: { name: 'field', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
