// A chain of sequential kernel regressions, in a worker: Monte Carlo errors on every task after
// every stage, beside the replica-style theory.
import { chainMonteCarlo } from '../../../../models/continual/monte-carlo.ts';
import { type MercerSpectrum } from '../../../../models/continual/spectrum.ts';
import { correctedTheory, memoryOf } from '../../../../models/continual/corrections.ts';
import type { ClChainParams } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { chainSchema } from '../state.ts';
import { correctionOf, fitOf, spectrumOf, guarded, monteCarloOptions } from './kernel.ts';

// Quadrature leaves ~1e-17 where an eigenvalue is exactly 0 (odd degrees ≥ 3 of the arc-cosine kernels): shown as 0.
const summary = (s: MercerSpectrum) => ({
  eta: Array.from(s.eta.slice(0, 8), (x) => (x > 1e-13 * s.eta[0]! ? x : 0)),
  mult: Array.from(s.mult.slice(0, 8)),
  tail: s.tail,
});

const yieldNow = () => new Promise((r) => setImmediate(r));

export async function runChain(raw: ClChainParams, ctx: JobContext): Promise<JobOutput<'continual.chain'>> {
  const p = parseOrThrow(chainSchema, raw, 'continual.chain');
  const spec = spectrumOf(p);
  const chain = { sizes: p.sizes, rho: p.similarity, noise: p.noise, ridge: p.ridge };
  const correction = correctionOf(p);
  const theory = correctedTheory(spec, chain, correction);
  await yieldNow();
  const mc = guarded(() => chainMonteCarlo(chain, monteCarloOptions(p, ctx), fitOf(correction)));
  return {
    result: {
      params: p,
      theory: theory.errors,
      theoryNote: 'why' in theory ? theory.why : null,
      memory: memoryOf(correction, p.sizes),
      mean: mc.mean,
      sd: mc.sd,
      draws: mc.draws,
      kappa: 'kappa' in theory ? theory.kappa.map((k) => (Number.isFinite(k) ? k : 0)) : [],
      spectrum: summary(spec),
      partial: mc.draws < p.draws,
    },
    tensors: {},
  };
}
