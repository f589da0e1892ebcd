// The Hopfield–Boltzmann lab's jobs, run in a worker: training a machine by exact maximum
// likelihood, and the capacity/basin experiment of the modern Hopfield retrieval.
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../../../models/common/rng.ts';
import { makeMachine, overlaps, rbmAsMachine, retrieveStep } from '../../../models/hopfield/machine.ts';
import { createTrainer } from '../../../models/hopfield/train.ts';
import type {
  JobPreview,
  CapacityParams,
  CapacityPoint,
  CapacityResult,
  HopfieldCurvePoint,
  HopfieldTrainParams,
  HopfieldTrainResult,
} from '../../contract.ts';
import { getDataset } from '../../data/datasets.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import type { NamedTensor } from '../../session/safetensors.ts';
import { parseOrThrow } from '../../validate.ts';
import { LossWatch } from '../../errors.ts';
import { corrupt, densityGrid, labelledRows, prepareData, SUCCESS_OVERLAP } from './prepare.ts';
import { capacitySchema, hopfieldTrainSchema } from './state.ts';

const f32 = (shape: number[], data: ArrayLike<number>): NamedTensor => ({ dtype: 'F32', shape, data: Float32Array.from(data) });

export async function runHopfieldTrain(raw: HopfieldTrainParams, ctx: JobContext): Promise<JobOutput<'hopfield.train'>> {
  const params = parseOrThrow(hopfieldTrainSchema, raw, 'hopfield.train');
  const d = prepareData(params.data, params.seed);
  const rand = mulberry32(params.seed ^ 0x5bd1e995);
  const { nv, nTrain } = d;
  const K = params.hidden;
  // b starts at the data mean when it is trained (so keys only learn offsets), else at 0.
  const b0 = new Float32Array(nv);
  if (params.trainB) for (let i = 0; i < nTrain; i++) for (let j = 0; j < nv; j++) b0[j] = b0[j]! + d.train[i * nv + j]! / nTrain;
  const W0 = new Float32Array(K * nv);
  if (params.init === 'data') {
    const pick = permutation(nTrain, rand);
    for (let k = 0; k < K; k++) {
      const i = pick[k % nTrain]!;
      // An RBM's components are subset sums of rows, so its rows start smaller.
      const s = params.model === 'gbrbm' ? 1 / Math.max(1, K / 2) : 1;
      for (let j = 0; j < nv; j++) W0[k * nv + j] = s * (d.train[i * nv + j]! - b0[j]!);
    }
  } else {
    for (let i = 0; i < W0.length; i++) W0[i] = gaussian(rand) / Math.sqrt(nv);
  }
  const trainer = createTrainer({
    kind: params.model,
    nv,
    hidden: K,
    W0,
    b0,
    c0: new Float32Array(K),
    trainB: params.trainB,
    trainC: params.trainC,
    optimizer: params.optimizer,
    learningRate: params.learningRate,
  });
  const X32 = Float32Array.from(d.train);
  const T32 = Float32Array.from(d.test);
  const batch = Math.min(params.batchSize, nTrain);
  const stepsPerEpoch = Math.ceil(nTrain / batch);
  const totalSteps = stepsPerEpoch * params.epochs;
  const evalEvery = Math.max(1, Math.floor(params.epochs / 200));
  const curve: HopfieldCurvePoint[] = [];
  const evaluate = async (epoch: number, step: number) => {
    const point = {
      epoch,
      step,
      train: await trainer.evaluate(X32, nTrain),
      test: d.nTest > 0 ? await trainer.evaluate(T32, d.nTest) : null,
    };
    curve.push(point);
    return point;
  };
  // The 2-D toy streams its density as it trains, a few times a second.
  const trueCentres = d.trueCentres
    ? Array.from({ length: d.trueCentres.length / 2 }, (_, k) => [d.trueCentres![2 * k]!, d.trueCentres![2 * k + 1]!])
    : null;
  let lastPreview = -Infinity;
  const preview = async (): Promise<JobPreview | undefined> => {
    if (nv !== 2 || performance.now() - lastPreview < 250) return undefined;
    lastPreview = performance.now();
    const w = await trainer.read();
    const m = params.model === 'gbrbm' ? rbmAsMachine(w.W, w.b, w.c, K, 2) : makeMachine(w.W, w.b, w.c, K, 2);
    return { kind: 'density', grid: densityGrid(m, d.train, d.trainLabels, nTrain, 60, trueCentres) };
  };
  let step = 0;
  let last: HopfieldCurvePoint;
  try {
    last = await evaluate(0, 0);
    const xb = new Float32Array(batch * nv);
    const watch = new LossWatch('the batch NLL');
    outer: for (let epoch = 0; epoch < params.epochs; epoch++) {
      const order = permutation(nTrain, rand);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (ctx.cancelled()) break outer;
        const rows = order.subarray(s * batch, Math.min(nTrain, (s + 1) * batch));
        for (let r = 0; r < rows.length; r++) xb.set(X32.subarray(rows[r]! * nv, (rows[r]! + 1) * nv), r * nv);
        const V = tf.tensor2d(xb.subarray(0, rows.length * nv), [rows.length, nv]);
        const loss = await trainer.step(V);
        V.dispose();
        step++;
        watch.check(loss, step);
        ctx.progress({
          step,
          totalSteps,
          samples: step * batch,
          metrics: { batch_nll: loss, train_nll: last.train, ...(last.test !== null ? { test_nll: last.test } : {}) },
          preview: await preview(),
        });
        if (step % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      if ((epoch + 1) % evalEvery === 0 || epoch + 1 === params.epochs) last = await evaluate(epoch + 1, step);
    }
    if (curve[curve.length - 1]!.step !== step) last = await evaluate(step / stepsPerEpoch, step);
    const w = await trainer.read();
    const components = params.model === 'gbrbm' ? 1 << K : K;
    const tensors: Record<string, NamedTensor> = {
      'hopfield.W': f32([K, nv], w.W),
      'hopfield.b': f32([nv], w.b),
      'hopfield.c': f32([K], w.c),
      'hopfield.train': f32([nTrain, nv], d.train),
      'hopfield.trainLabels': { dtype: 'I32', shape: [nTrain], data: d.trainLabels },
      'hopfield.test': f32([d.nTest, nv], d.test),
      'hopfield.testLabels': { dtype: 'I32', shape: [d.nTest], data: d.testLabels },
    };
    if (d.whitening) {
      tensors['hopfield.zca.mean'] = f32([nv], d.whitening.mean);
      tensors['hopfield.zca.A'] = f32([nv, nv], d.whitening.A);
      tensors['hopfield.zca.Ainv'] = f32([nv, nv], d.whitening.Ainv);
    }
    const result: HopfieldTrainResult = {
      params,
      curve,
      trainNll: last.train,
      testNll: last.test,
      stepsDone: step,
      partial: step < totalSteps,
      nv,
      components,
      imageShape: d.imageShape,
      trueCentres,
      patterns: nTrain,
      testPatterns: d.nTest,
      tensors: Object.keys(tensors),
    };
    return { result, tensors };
  } finally {
    trainer.dispose();
  }
}

/**
 * Retrieval from corrupted patterns with the patterns themselves as keys (W = Ξ, b = c = 0):
 * success when the final state's nearest stored pattern (by cosine) is the original and the
 * overlap is at least 0.9. Patterns are pixels in [0, 1] minus the pool's mean pixel image,
 * so overlaps measure more than "is an image of ink".
 */
export async function runCapacity(raw: CapacityParams, ctx: JobContext): Promise<JobOutput<'hopfield.capacity'>> {
  const params = parseOrThrow(capacitySchema, raw, 'hopfield.capacity');
  const ds = getDataset(params.source);
  const maxP = Math.max(...params.patternCounts);
  if (maxP > ds.train.count) throw new Error(`patternCounts: the training split has only ${ds.train.count} images`);
  const rand = mulberry32(params.seed);
  const pool = labelledRows(ds.train, permutation(ds.train.count, rand).subarray(0, maxP));
  const nv = ds.train.shape[0]! * ds.train.shape[1]!;
  const shape = [ds.train.shape[0]!, ds.train.shape[1]!];
  const mean = new Float64Array(nv);
  for (let i = 0; i < maxP; i++) for (let j = 0; j < nv; j++) mean[j] = mean[j]! + pool.X[i * nv + j]! / maxP;
  const centred = new Float64Array(maxP * nv);
  for (let i = 0; i < maxP; i++) for (let j = 0; j < nv; j++) centred[i * nv + j] = pool.X[i * nv + j]! - mean[j]!;
  const total = params.patternCounts.length * params.betas.length * params.levels.length * params.trials;
  const points: CapacityPoint[] = [];
  let done = 0;
  outer: for (const P of params.patternCounts) {
    const m = makeMachine(centred.subarray(0, P * nv), new Float64Array(nv), new Float64Array(P), P, nv);
    for (const beta of params.betas) {
      for (const level of params.levels) {
        let ok = 0;
        let ov = 0;
        const r = mulberry32(params.seed + 7919 * P + Math.round(1000 * level));
        for (let t = 0; t < params.trials; t++) {
          if (ctx.cancelled()) break outer;
          const target = Math.floor(r() * P);
          const x = pool.X.slice(target * nv, (target + 1) * nv);
          corrupt(x, shape, params.corruption, level, r, gaussian);
          let v: Float64Array = x.map((xi, j) => xi - mean[j]!);
          for (let s = 0; s < params.steps; s++) v = retrieveStep(m, v, beta).v;
          const o = overlaps(v, m.W, P, nv);
          let best = 0;
          for (let i = 1; i < P; i++) if (o[i]! > o[best]!) best = i;
          if (best === target && o[target]! >= SUCCESS_OVERLAP) ok++;
          ov += o[target]!;
          done++;
          ctx.progress({ step: done, totalSteps: total, samples: done, metrics: { patterns: P, beta } });
        }
        points.push({ beta, patterns: P, level, success: ok / params.trials, meanOverlap: ov / params.trials });
        await new Promise((res) => setImmediate(res));
      }
    }
  }
  const result: CapacityResult = { params, points, partial: done < total };
  return { result, tensors: {} };
}
