// The Fisher/NTK lab: exact spectra of the Fisher information of random networks beside the
// mean-field theory; sweeps, the learning-rate bound, dynamical isometry, unit-wise blocks.
import { z } from 'zod';
import { defineLab } from '../lab.ts';
import {
  blocksSummary,
  inputMetricSummary,
  isometrySummary,
  lrSummary,
  signalSummary,
  spectrumSummary,
  sweepSummary,
} from './runs.ts';
import { blocksBytes, spectrumBytes, sweepBytes } from './memory.ts';
import { fisherTheoryMethod, storeFisher } from './service.ts';
import {
  defaultFisherLab,
  fisherLabSchema,
  isometrySchema,
  lrSchema,
  networkSchema,
  signalSchema,
  sweepSchema,
} from './state.ts';

const imagesOf = (n: { inputs: string; source: import('../../contract.ts').DatasetSource }) =>
  n.inputs === 'images' ? n.source : null;

export const fisherLab = defineLab({
  id: 'fisher',
  title: 'Fisher / NTK spectra',
  schema: fisherLabSchema,
  defaults: defaultFisherLab,
  tensors: (s) => [...(s.spectrum ? Object.values(s.spectrum.tensors) : []), ...(s.blocks ? [s.blocks.tensor] : [])],
  dtypeOf: (name) => (name === 'fisher.spectrum.eigenvalues' ? 'F64' : null),
  shapes: (s, shapeOf) => {
    const out = new Map<string, number[]>();
    if (s.spectrum) {
      const g = shapeOf(s.spectrum.tensors.gram)?.[0] ?? -1;
      out.set(s.spectrum.tensors.gram, [g, g]);
      out.set(s.spectrum.tensors.eigenvalues, [-1]);
    }
    if (s.blocks) out.set(s.blocks.tensor, [s.blocks.units, s.blocks.units]);
    return out;
  },
  required: (s) => [
    ...(s.spectrum ? [s.spectrum.tensors.gram, s.spectrum.tensors.eigenvalues] : []),
    ...(s.blocks ? [s.blocks.tensor] : []),
  ],
  jobs: {
    'fisher.spectrum': {
      summary: spectrumSummary,
      label: 'Fisher spectrum',
      params: z.object({ network: networkSchema, compare: z.boolean() }).strict(),
      source: (p) => imagesOf(p.network),
      memory: spectrumBytes,
      store: (s, o) => storeFisher(s, 'fisher.spectrum', o),
      handler: async () => (await import('./jobs.ts')).runSpectrum,
      float64: true,
    },
    'fisher.sweep': {
      summary: sweepSummary,
      label: 'Fisher sweep',
      params: sweepSchema,
      source: (p) => imagesOf(p.network),
      memory: sweepBytes,
      store: (s, o) => storeFisher(s, 'fisher.sweep', o),
      handler: async () => (await import('./jobs.ts')).runSweep,
      float64: true,
    },
    'fisher.lrsweep': {
      summary: lrSummary,
      label: 'Learning-rate experiment',
      params: lrSchema,
      source: (p) => imagesOf(p.network),
      memory: spectrumBytes,
      store: (s, o) => storeFisher(s, 'fisher.lrsweep', o),
      handler: async () => (await import('./jobs.ts')).runLrSweep,
      float64: true,
    },
    'fisher.isometry': {
      summary: isometrySummary,
      label: 'Conditional FIM vs depth',
      params: isometrySchema,
      store: (s, o) => storeFisher(s, 'fisher.isometry', o),
      handler: async () => (await import('./jobs.ts')).runIsometry,
      float64: true,
    },
    'fisher.signal': {
      summary: signalSummary,
      label: 'Signal propagation',
      params: signalSchema,
      store: (s, o) => storeFisher(s, 'fisher.signal', o),
      handler: async () => (await import('./jobs.ts')).runSignal,
      float64: true,
    },
    'fisher.inputMetric': {
      summary: inputMetricSummary,
      label: 'Input-space metric',
      params: z.object({ network: networkSchema }).strict(),
      source: (p) => imagesOf(p.network),
      memory: spectrumBytes,
      store: (s, o) => storeFisher(s, 'fisher.inputMetric', o),
      handler: async () => (await import('./jobs.ts')).runInputMetric,
      float64: true,
    },
    'fisher.blocks': {
      summary: blocksSummary,
      label: 'Fisher unit-wise blocks',
      params: z.object({ network: networkSchema }).strict(),
      source: (p) => imagesOf(p.network),
      memory: blocksBytes,
      store: (s, o) => storeFisher(s, 'fisher.blocks', o),
      handler: async () => (await import('./jobs.ts')).runBlocks,
      float64: true,
    },
  },
  methods: {
    'fisher.theory': (_ctx, p) => fisherTheoryMethod(p),
  },
  cli: { name: 'fisher', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
