// The augmentation lab in the core's process: storing a comparison and the form that made it.
import type { AugmentFields } from '../../contract.ts';
import type { JobOutput } from '../../jobs/types.ts';
import type { LabSession } from '../kit/session.ts';

export function storeCompare(session: LabSession, output: JobOutput<'augment.compare'>): void {
  const r = output.result;
  const { source: _source, ...draft } = r.params;
  session.store('augment', { draft: draft as AugmentFields, result: r }, output.tensors);
}
