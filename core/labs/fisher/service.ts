// The Fisher/NTK lab in the core's process: instant theory, and storing job results.
import type { FisherNetworkParams, FisherTheoryValues, LabStates } from '../../contract.ts';
import type { JobOutput } from '../../jobs/types.ts';
import type { LabSession } from '../kit/session.ts';
import { parseOrThrow } from '../../validate.ts';
import { theoryFor } from './jobs.ts';
import { networkSchema } from './state.ts';

export function fisherTheoryMethod(p: { network: FisherNetworkParams }): FisherTheoryValues | null {
  return theoryFor(parseOrThrow(networkSchema, p?.network, 'fisher.theory.network'));
}

type Out = {
  [
    K in
      | 'fisher.spectrum'
      | 'fisher.sweep'
      | 'fisher.lrsweep'
      | 'fisher.isometry'
      | 'fisher.blocks'
      | 'fisher.signal'
      | 'fisher.inputMetric'
  ]: JobOutput<K>;
};

/** Stores any Fisher job's result in the lab's slice (and the drafts that produced it). */
export function storeFisher(session: LabSession, kind: keyof Out, output: Out[keyof Out]): void {
  const lab: LabStates['fisher'] = { ...session.labs.fisher };
  if (kind === 'fisher.spectrum') {
    const r = (output as Out['fisher.spectrum']).result;
    Object.assign(lab, { spectrum: r, network: r.network });
  } else if (kind === 'fisher.sweep') {
    const r = (output as Out['fisher.sweep']).result;
    Object.assign(lab, { sweep: r, sweepDraft: { axis: r.params.axis, values: r.params.values, seeds: r.params.seeds } });
  } else if (kind === 'fisher.lrsweep') {
    const r = (output as Out['fisher.lrsweep']).result;
    Object.assign(lab, { lr: r, lrDraft: { factors: r.params.factors, steps: r.params.steps } });
  } else if (kind === 'fisher.isometry') {
    const r = (output as Out['fisher.isometry']).result;
    Object.assign(lab, { isometry: r, isometryDraft: r.params });
  } else if (kind === 'fisher.signal') {
    const r = (output as Out['fisher.signal']).result;
    Object.assign(lab, { signal: r, signalDraft: r.params });
  } else if (kind === 'fisher.inputMetric') {
    const r = (output as Out['fisher.inputMetric']).result;
    Object.assign(lab, { inputMetric: r, network: r.network });
  } else {
    Object.assign(lab, { blocks: (output as Out['fisher.blocks']).result });
  }
  session.store('fisher', lab, output.tensors);
}
