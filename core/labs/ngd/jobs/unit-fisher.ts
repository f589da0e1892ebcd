// The unit-wise Fisher of one unit, in a worker: closed-form eigenvalues beside Monte Carlo.
import { mulberry32 } from '../../../../models/common/rng.ts';
import {
  eigenvaluesOf,
  randomDirection,
  unitFisherEigenvalues,
  unitFisherInverse,
  unitFisherMatrix,
  unitFisherMonteCarlo,
  unitMoments,
} from '../../../../models/ngd/unit-fisher.ts';
import type { UnitFisherParams } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { unitFisherSchema } from '../state.ts';
import { yieldNow } from './task.ts';

export async function runUnitFisher(raw: UnitFisherParams, ctx: JobContext): Promise<JobOutput<'ngd.unitFisher'>> {
  const params = parseOrThrow(unitFisherSchema, raw, 'ngd.unitFisher');
  const rand = mulberry32(params.seed);
  const n = params.inputs;
  const e = randomDirection(n, rand);
  const m = unitMoments(params.activation, params.biasRatio, params.weightNorm);
  const G = unitFisherMatrix(m, e);
  const inv = unitFisherInverse(m, e);
  const N = n + 1;
  let inverseError = 0;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += G[i * N + k]! * inv[k * N + j]!;
      inverseError = Math.max(inverseError, Math.abs(s - (i === j ? 1 : 0)));
    }
  // Monte Carlo in chunks so that progress and cancel work.
  const chunks = 20;
  const Gmc = new Float64Array(N * N);
  let drawn = 0;
  for (let c = 0; c < chunks && !ctx.cancelled(); c++) {
    const s = Math.floor(((c + 1) * params.samples) / chunks) - drawn;
    const part = unitFisherMonteCarlo(params.activation, e, params.biasRatio, params.weightNorm, s, rand);
    for (let i = 0; i < Gmc.length; i++) Gmc[i]! += part[i]! * s;
    drawn += s;
    ctx.progress({ step: c + 1, totalSteps: chunks, samples: drawn });
    await yieldNow();
  }
  if (drawn === 0) throw invalid('ngd.unitFisher: cancelled before any Monte-Carlo sample');
  for (let i = 0; i < Gmc.length; i++) Gmc[i]! /= drawn;
  return {
    result: {
      params: drawn < params.samples ? { ...params, samples: Math.max(100, drawn) } : params,
      moments: m,
      closedForm: unitFisherEigenvalues(m, n),
      monteCarlo: eigenvaluesOf(Gmc, N),
      matrix: [...G],
      matrixMc: [...Gmc],
      inverse: [...inv],
      inverseError,
    },
    tensors: {},
  };
}
