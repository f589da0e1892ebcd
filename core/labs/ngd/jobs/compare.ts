// The comparison, in a worker: every method from the same initial network on the same data, at
// its best η and/or the common one, beside its predicted function-space dynamics.
import { NgdError } from '../../../../models/ngd/methods.ts';
import { parameterCount } from '../../../../models/ngd/network.ts';
import { runMethod, thetaExtremes, type NgdRun } from '../../../../models/ngd/train.ts';
import type { NgdCompareParams, NgdRunResult } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { compareSchema } from '../state.ts';
import { finiteOr, yieldNow, prepareTask, networkOf, guarded } from './task.ts';

/** The isotropy diagnostic costs O(n⁴) for K-FAC: computed up to this many rows N·C. */
const SPECTRUM_ROWS = 200;

function toResult(r: NgdRun, at: 'best' | 'common'): NgdRunResult {
  return {
    method: r.method,
    at,
    eta: r.eta,
    losses: finiteOr(r.losses),
    testLosses: finiteOr(r.testLosses),
    theory: {
      alpha: r.theory.alpha,
      note: r.theory.note,
      losses: finiteOr(r.theory.losses),
      testLosses: finiteOr(r.theory.testLosses),
      testLossesAnalytic: r.theory.testLossesAnalytic && finiteOr(r.theory.testLossesAnalytic),
      analyticNote: r.theory.analyticNote,
    },
    spectrum: r.spectrum,
    spectrumNote: r.spectrumNote,
    stepSizes: finiteOr(r.stepSizes),
    linearErrors: finiteOr(r.linearErrors),
    signChanges: r.signChanges,
    diverged: r.diverged,
    error: null,
    stepsDone: r.stepsDone,
    secondsPerStep: r.secondsPerStep,
  };
}

const EMPTY_RUN: Omit<NgdRunResult, 'method' | 'at' | 'error'> = {
  eta: 0,
  losses: [],
  testLosses: [],
  theory: { alpha: null, note: null, losses: [], testLosses: [], testLossesAnalytic: null, analyticNote: null },
  spectrum: null,
  spectrumNote: null,
  stepSizes: [],
  linearErrors: [],
  signChanges: [],
  diverged: false,
  stepsDone: 0,
  secondsPerStep: 0,
};

export async function runCompare(raw: NgdCompareParams, ctx: JobContext): Promise<JobOutput<'ngd.compare'>> {
  const params = parseOrThrow(compareSchema, raw, 'ngd.compare');
  const p = params.network;
  const prep = prepareTask(p);
  const net = networkOf(p, prep.inputDim);
  const ext = guarded(() => thetaExtremes(net, prep.task.X, prep.task.T));
  const ats: ('best' | 'common')[] = params.at === 'both' ? ['best', 'common'] : [params.at];
  const total = params.methods.length * ats.length * Math.max(1, params.steps);
  const runs: NgdRunResult[] = [];
  let done = 0;
  outer: for (const at of ats)
    for (const method of params.methods) {
      if (ctx.cancelled()) break outer;
      let r: NgdRun;
      try {
        r = runMethod(net, prep.task, {
          method,
          eta: at === 'best' ? 'best' : params.lr,
          rho: params.damping,
          steps: params.steps,
          spectrum: at === ats[0] && p.samples * p.outputs <= SPECTRUM_ROWS,
          cancelled: ctx.cancelled,
          onStep: (step, loss) => ctx.progress({ step: done + step, totalSteps: total, metrics: { loss, step } }),
        });
      } catch (e) {
        if (!(e instanceof NgdError)) throw e;
        // One method's singular system leaves the others' curves standing.
        runs.push({ ...EMPTY_RUN, method, at, error: e.message });
        done += Math.max(1, params.steps);
        continue;
      }
      const res = toResult(r, at);
      if (at === ats[0] && r.spectrum === null && !r.spectrumNote && p.samples * p.outputs > SPECTRUM_ROWS)
        res.spectrumNote = `not computed: N·C = ${p.samples * p.outputs} > ${SPECTRUM_ROWS}`;
      runs.push(res);
      done += Math.max(1, params.steps);
      await yieldNow();
    }
  const expected = params.methods.length * ats.length;
  return {
    result: {
      params,
      parameters: parameterCount(net.widths),
      inputDim: prep.inputDim,
      lambdaMax: ext.max,
      lambdaMin: ext.min,
      forster: prep.forster,
      runs,
      partial: runs.length < expected || runs.some((r) => !r.diverged && !r.error && r.stepsDone < params.steps),
      finishedAt: new Date().toISOString(),
    },
    tensors: {},
  };
}
