// Signal propagation: the length and correlation maps layer by layer, theory beside sampled networks.
import { mulberry32 } from '../../../../models/common/rng.ts';
import type { FisherSignalParams } from '../../../contract.ts';
import { KairoError } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { signalSchema } from '../state.ts';
import {
  fixedPoint as fixedPointOf,
  phaseDiagram,
  signalSampled,
  signalTheory,
  type SignalLayer,
} from '../../../../models/fisher/signal.ts';
import { meanSd } from '../../../../models/common/stats.ts';

/** The (σ_w², σ_b²) grid of the phase diagram: σ_w² up to 4 (ReLU: 3, past which q* is gone), σ_b² up to 0.5. */
function phaseGrid(activation: FisherSignalParams['activation']): { sigmaW2: number[]; sigmaB2: number[] } {
  const wMax = activation === 'relu' ? 3 : 4;
  return {
    sigmaW2: Array.from({ length: 33 }, (_, i) => 0.1 + ((wMax - 0.1) * i) / 32),
    sigmaB2: Array.from({ length: 21 }, (_, i) => (0.5 * i) / 20),
  };
}

export async function runSignal(raw: FisherSignalParams, ctx: JobContext): Promise<JobOutput<'fisher.signal'>> {
  const params = parseOrThrow(signalSchema, raw, 'fisher.signal');
  const theory = signalTheory(params);
  const sampled: SignalLayer[][] = [];
  const total = params.networks + 1;
  for (let s = 0; s < params.networks; s++) {
    if (ctx.cancelled()) break;
    sampled.push(signalSampled(params, params.width, mulberry32(params.seed + 7919 * s)));
    ctx.progress({ step: s + 1, totalSteps: total, metrics: { network: s + 1 } });
    await new Promise((r) => setImmediate(r));
  }
  if (!sampled.length) throw new KairoError('cancelled', 'cancelled before any network was sampled');
  const stat = (xs: number[]) => {
    const { mean: m, sd } = meanSd(xs);
    return { m, sd };
  };
  const layers = theory.map((t, i) => {
    const q = stat(sampled.map((s) => s[i]!.q));
    const c = stat(sampled.map((s) => s[i]!.c));
    return { l: t.l, q: q.m, c: c.m, qTheory: t.q, cTheory: t.c, qSd: q.sd, cSd: c.sd };
  });
  const start = theory.at(-1)!.q;
  const fixedPoint = fixedPointOf(params.activation, params.sigmaW2, params.sigmaB2, start);
  const grid = phaseGrid(params.activation);
  const chi = phaseDiagram(params.activation, grid.sigmaW2, grid.sigmaB2);
  ctx.progress({ step: total, totalSteps: total });
  return {
    result: { params, layers, fixedPoint, phase: { ...grid, chi1: Array.from(chi, (v) => (Number.isFinite(v) ? v : null)) } },
    tensors: {},
  };
}
