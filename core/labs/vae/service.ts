// The VAE lab in the core's process: what a recall job needs from the session, and storing
// the results of the lab's jobs.
import type { LabStates } from '../../contract.ts';
import type { JobInputs, JobOutput } from '../../jobs/types.ts';
import { invalid } from '../../errors.ts';
import type { LabSession } from '../kit/session.ts';

/** Recall runs kept per model; older ones (and their tensors) are dropped first. */
export const MAX_RUNS = 16;

export function recallInputs(session: LabSession): JobInputs {
  const lab = session.labs.vae;
  if (!lab.result) throw invalid('no trained VAE in this session: train one first');
  const tensors = Object.fromEntries(lab.result.tensors.map((n) => [n, session.tensor(n)!]));
  return { tensors, state: { result: lab.result } };
}

export function storeVaeTrain(session: LabSession, output: JobOutput<'vae.train'>): void {
  // Recall runs belong to the model they ran on: a new model starts with none.
  const lab: LabStates['vae'] = { ...session.labs.vae, result: output.result, draft: output.result.params, runs: [] };
  session.store('vae', lab, output.tensors);
}

export function storeVaeRecall(session: LabSession, output: JobOutput<'vae.recall'>): void {
  const lab = session.labs.vae;
  const runs = [...lab.runs, ...output.result].slice(-MAX_RUNS);
  session.store('vae', { ...lab, runs, recallDraft: output.result[0]?.params ?? lab.recallDraft }, output.tensors);
}

export function storeVaeSweep(session: LabSession, output: JobOutput<'vae.sweep'>): void {
  session.store('vae', { ...session.labs.vae, sweep: output.result }, {});
}
