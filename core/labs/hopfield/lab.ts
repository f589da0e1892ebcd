// The Hopfield–Boltzmann lab: attention Boltzmann machines and GB-RBMs as modern Hopfield networks.
// Training and capacity are jobs; everything that reads the trained machine is float64 code run
// in the core's process (milliseconds).
import { defineLab } from '../lab.ts';
import { capacitySummary, trainSummary } from './runs.ts';
import {
  hopfieldAttention,
  hopfieldComplete,
  hopfieldDensity,
  hopfieldMachine,
  hopfieldRetrieve,
  storeCapacity,
  storeHopfieldTrain,
} from './service.ts';
import { capacitySchema, defaultHopfieldLab, hopfieldLabSchema, hopfieldTrainSchema } from './state.ts';

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
  jobs: {
    'hopfield.train': {
      summary: trainSummary,
      label: 'Train Boltzmann machine',
      params: hopfieldTrainSchema,
      source: (p) => (p.data.kind === 'images' ? p.data.source : null),
      store: storeHopfieldTrain,
      handler: async () => (await import('./jobs.ts')).runHopfieldTrain,
    },
    'hopfield.capacity': {
      summary: capacitySummary,
      label: 'Hopfield capacity',
      params: capacitySchema,
      source: (p) => p.source,
      store: storeCapacity,
      handler: async () => (await import('./jobs.ts')).runCapacity,
    },
  },
  methods: {
    'hopfield.density': (ctx, p) => hopfieldDensity(ctx.session, p),
    'hopfield.machine': (ctx, p) => hopfieldMachine(ctx.session, p),
    'hopfield.attention': (ctx, p) => hopfieldAttention(ctx.session, p),
    'hopfield.retrieve': (ctx, p) => hopfieldRetrieve(ctx.session, p),
    'hopfield.complete': (ctx, p) => hopfieldComplete(ctx.session, p),
  },
  cli: { name: 'hopfield', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
