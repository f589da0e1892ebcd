// The Hopfield–Boltzmann lab: attention Boltzmann machines and GB-RBMs as modern Hopfield networks.
// Training and capacity are jobs; everything that reads the trained machine is float64 code run
// in the core's process (milliseconds).
import { defineLab, jobsOf } from '../lab.ts';
import { HOPFIELD_EXPERIMENTS } from './experiments/index.ts';
import { hopfieldAttention, hopfieldComplete, hopfieldDensity, hopfieldMachine, hopfieldRetrieve } from './service.ts';
import { defaultHopfieldLab, hopfieldLabSchema } from './state.ts';

export const hopfieldLab = defineLab({
  id: 'hopfield',
  title: 'Hopfield–Boltzmann',
  schema: hopfieldLabSchema,
  defaults: defaultHopfieldLab,
  tensors: (s) => s.result?.tensors ?? [],
  dtypeOf: (name) => (/^hopfield\.(train|test)Labels$/.test(name) ? 'I32' : null),
  shapes: (s, shapeOf) => {
    const out = new Map<string, number[]>();
    const hp = s.result;
    if (!hp) return out;
    const K = hp.params.hidden;
    const nv = hp.nv;
    const nTrain = shapeOf('hopfield.trainLabels')?.[0] ?? -1;
    const nTest = shapeOf('hopfield.testLabels')?.[0] ?? -1;
    for (const [n, shape] of [
      ['W', [K, nv]],
      ['b', [nv]],
      ['c', [K]],
      ['train', [nTrain, nv]],
      ['trainLabels', [nTrain]],
      ['test', [nTest, nv]],
      ['testLabels', [nTest]],
      ['zca.mean', [nv]],
      ['zca.A', [nv, nv]],
      ['zca.Ainv', [nv, nv]],
    ] as const)
      out.set(`hopfield.${n}`, [...shape]);
    return out;
  },
  required: (s) => {
    const r = s.result;
    if (!r) return [];
    const names = ['W', 'b', 'c', 'train', 'trainLabels', 'test', 'testLabels'];
    if (r.params.data.kind === 'images' && r.params.data.zca) names.push('zca.mean', 'zca.A', 'zca.Ainv');
    return names.map((n) => `hopfield.${n}`);
  },
  // A machine's kind, its pattern counts and its image shape are not in its tensors' shapes: each is
  // checked against what training wrote beside it.
  consistent: (s, shapeOf) => {
    const r = s.result;
    if (!r) return null;
    const K = r.params.hidden;
    const components = r.params.model === 'gbrbm' ? 2 ** K : K;
    if (r.components !== components)
      return `a ${r.params.model} with ${K} hidden units has ${components} components, the file says ${r.components}`;
    if (r.patterns !== shapeOf('hopfield.trainLabels')?.[0])
      return `patterns is ${r.patterns}, but the file holds ${shapeOf('hopfield.trainLabels')?.[0] ?? 0} training patterns`;
    if (r.testPatterns !== shapeOf('hopfield.testLabels')?.[0])
      return `testPatterns is ${r.testPatterns}, but the file holds ${shapeOf('hopfield.testLabels')?.[0] ?? 0} test patterns`;
    const pixels = r.imageShape ? r.imageShape.reduce((a, b) => a * b, 1) : 2;
    if (r.imageShape ? r.imageShape.length !== 2 || pixels !== r.nv : r.nv !== 2)
      return `image shape ${r.imageShape?.join('×') ?? 'none'} does not fit ${r.nv} visible units`;
    if ((r.params.data.kind === 'images') !== (r.imageShape !== null))
      return `${r.params.data.kind} data ${r.imageShape ? 'with' : 'without'} an image shape`;
    return null;
  },
  jobs: jobsOf(HOPFIELD_EXPERIMENTS),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {
    'hopfield.density': (ctx, p) => hopfieldDensity(ctx.session, p),
    'hopfield.machine': (ctx, p) => hopfieldMachine(ctx.session, p),
    'hopfield.attention': (ctx, p) => hopfieldAttention(ctx.session, p),
    'hopfield.retrieve': (ctx, p) => hopfieldRetrieve(ctx.session, p),
    'hopfield.complete': (ctx, p) => hopfieldComplete(ctx.session, p),
  },
  cli: { name: 'hopfield', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
