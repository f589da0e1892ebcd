// The Fisher/NTK lab: exact spectra of the Fisher information of random networks beside the
// mean-field theory; sweeps, the learning-rate bound, dynamical isometry, unit-wise blocks.
import type { FisherNetworkParams, FisherTheoryValues } from '../../contract.ts';
import { parseOrThrow } from '../../validate.ts';
import { defineLab, jobsOf } from '../lab.ts';
import { FISHER_EXPERIMENTS } from './experiments/index.ts';
import { defaultFisherLab, fisherLabSchema, networkSchema } from './state.ts';

/** `fisher.theory`: the mean-field prediction for a network, instantly (it loads the theory on first use). */
async function fisherTheory(p: { network: FisherNetworkParams }): Promise<FisherTheoryValues | null> {
  const network = parseOrThrow(networkSchema, p?.network, 'fisher.theory.network');
  return (await import('./jobs/network.ts')).theoryFor(network);
}

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
  jobs: jobsOf(FISHER_EXPERIMENTS),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {
    'fisher.theory': (_ctx, p) => fisherTheory(p),
  },
  cli: { name: 'fisher', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
