// Training a Boltzmann machine (AttnBM or GB-RBM) in a worker: its NLL curves, the data and the
// model stored for the quick float64 views.
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32, permutation } from '../../../../models/common/rng.ts';
import { warmTensor } from '../../kit/warm-start.ts';
import { makeMachine, rbmAsMachine } from '../../../../models/hopfield/machine.ts';
import { createTrainer } from '../../../../models/hopfield/train.ts';
import type { JobPreview, HopfieldCurvePoint, HopfieldTrainParams, HopfieldTrainResult } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { parseOrThrow } from '../../../validate.ts';
import { LossWatch } from '../../../errors.ts';
import { densityGrid, prepareData } from '../prepare.ts';
import { hopfieldTrainSchema } from '../state.ts';

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
  // Drawn even for a warm start, so the batches that follow are the seed's as in a fresh run.
  const warm = params.warmStart ? ctx.inputs.tensors : null;
  const trainer = createTrainer({
    kind: params.model,
    nv,
    hidden: K,
    W0: warm ? warmTensor(warm, 'hopfield.W', [K, nv], 'W') : W0,
    b0: warm ? warmTensor(warm, 'hopfield.b', [nv], 'b') : b0,
    c0: warm ? warmTensor(warm, 'hopfield.c', [K], 'c') : new Float32Array(K),
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
