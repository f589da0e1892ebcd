// The continual-learning lab in the core's process: storing job results and the forms that made them.
import type { LabStates } from '../../contract.ts';
import type { JobOutput } from '../../jobs/types.ts';
import type { LabSession } from '../kit/session.ts';

type Model = LabStates['continual']['model'];
const modelOf = (p: Model): Model => ({
  kernel: p.kernel,
  kernelExpr: p.kernelExpr,
  dim: p.dim,
  targetTerms: p.targetTerms,
  noise: p.noise,
  ridge: p.ridge,
  draws: p.draws,
  testPoints: p.testPoints,
  seed: p.seed,
});

export function storeChain(session: LabSession, output: JobOutput<'continual.chain'>): void {
  const r = output.result;
  const { sizes, similarity } = r.params;
  session.store(
    'continual',
    { ...session.labs.continual, chain: r, model: modelOf(r.params), chainDraft: { sizes, similarity } },
    {},
  );
}

export function storeSweep(session: LabSession, output: JobOutput<'continual.sweep'>): void {
  const r = output.result;
  const { axis, n1, n2, ratios, similarity, rhos } = r.params;
  session.store(
    'continual',
    { ...session.labs.continual, sweep: r, model: modelOf(r.params), sweepDraft: { axis, n1, n2, ratios, similarity, rhos } },
    {},
  );
}

export function storeNetwork(session: LabSession, output: JobOutput<'continual.network'>): void {
  const r = output.result;
  const { data, parameterisation, width, depth, steps, lrFactor } = r.params;
  session.store(
    'continual',
    {
      ...session.labs.continual,
      network: r,
      model: modelOf(r.params),
      networkDraft: { data, parameterisation, width, depth, steps, lrFactor },
    },
    {},
  );
}
