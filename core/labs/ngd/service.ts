// The natural-gradient lab in the core's process: the theory's α for a setting (instant), and
// storing job results, keeping earlier comparisons as the lab's run history.
import { alphaOf } from '../../../models/ngd/theory.ts';
import { NGD_KEPT_RUNS, type LabStates, type NgdMethods } from '../../contract.ts';
import type { JobOutput } from '../../jobs/types.ts';
import type { LabSession } from '../kit/session.ts';
import { parseOrThrow } from '../../validate.ts';
import { z } from 'zod';
import { NGD_METHODS } from '../../contract.ts';
import { networkSchema } from './state.ts';

const alphaParams = z.object({ network: networkSchema, method: z.enum(NGD_METHODS) }).strict();

/** Images fix the input dimension (784 for MNIST); Gaussian inputs take the parameter's. */
export function ngdAlpha(raw: NgdMethods['ngd.alpha']['params']): NgdMethods['ngd.alpha']['result'] {
  const { network: p, method } = parseOrThrow(alphaParams, raw, 'ngd.alpha');
  const M0 = p.data === 'gaussian' ? p.inputDim : 784;
  return alphaOf({
    method,
    activation: p.activation,
    widths: [M0, ...Array<number>(p.depth - 1).fill(p.width), p.outputs],
    samples: p.samples,
    bias: p.sigmaB2 > 0,
    forster: p.forster,
  });
}

export function storeNgdCompare(session: LabSession, output: JobOutput<'ngd.compare'>): void {
  const lab: LabStates['ngd'] = session.labs.ngd;
  const r = output.result;
  // The comparison shown before becomes the newest kept run.
  const history = lab.compare ? [lab.compare, ...lab.history].slice(0, NGD_KEPT_RUNS) : lab.history;
  session.store('ngd', { ...lab, compare: r, history, draft: r.params }, {});
}

export function storeNgdSweep(session: LabSession, output: JobOutput<'ngd.sweep'>): void {
  const r = output.result;
  const { axis, values, etaFactor } = r.params;
  session.store('ngd', { ...session.labs.ngd, sweep: r, sweepDraft: { axis, values, etaFactor } }, {});
}

export function storeUnitFisher(session: LabSession, output: JobOutput<'ngd.unitFisher'>): void {
  session.store('ngd', { ...session.labs.ngd, unit: output.result, unitDraft: output.result.params }, {});
}
