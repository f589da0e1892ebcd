// The dataset lab's job: a softmax-regression baseline on the chosen dataset. Runs in a worker.
import * as tf from '@tensorflow/tfjs';
import { mulberry32, permutation } from '../../../../models/common/rng.ts';
import { warmTensor } from '../../kit/warm-start.ts';
import { createSoftmax, evaluateBatch, sgdStep, type SoftmaxModel } from '../../../../models/linear/softmax.ts';
import { fromSoftmax } from '../../../../models/curvature/from-labs.ts';
import { operatorOf } from '../../../../models/curvature/products.ts';
import { SharpnessTracker } from '../../../../models/curvature/track.ts';
import { BASELINE_TRACK_SAMPLES, type BaselineParams, type BaselineResult, type CurvePoint } from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import type { LabelledImages } from '../../../data/idx.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { baselineParamsSchema } from '../state.ts';
import { parseOrThrow } from '../../../validate.ts';
import { diverged, LossWatch } from '../../../errors.ts';
export const BASELINE_TENSORS = ['data.baseline.W', 'data.baseline.b'];

/** Pixels scaled to [0, 1], rows of `indices` only: the whole split as float32 would be 190 MB. */
function batchTensors(split: LabelledImages, indices: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const d = split.shape[0]! * split.shape[1]!;
  return {
    x: tf.tensor2d(pixelRows(split, indices), [indices.length, d]),
    y: tf.tensor1d(
      Int32Array.from(indices, (i) => split.labels[i]!),
      'int32',
    ),
  };
}

export async function evaluateSplit(
  model: ReturnType<typeof createSoftmax>,
  split: LabelledImages,
  /** Called after each chunk: the job reports, so a cancel's grace waits for the evaluation it keeps. */
  beat: () => void = () => {},
): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let acc = 0;
  const B = 1000;
  for (let start = 0; start < split.count; start += B) {
    const idx = Array.from({ length: Math.min(B, split.count - start) }, (_, k) => start + k);
    const { x, y } = batchTensors(split, idx);
    const s = await evaluateBatch(model, x, y);
    x.dispose();
    y.dispose();
    loss += s.loss * idx.length;
    acc += s.accuracy * idx.length;
    beat();
  }
  return { loss: loss / split.count, accuracy: acc / split.count };
}

/**
 * λ_max of the mean cross-entropy's Hessian on a fixed batch, the first `N` training images, at the
 * model's current weights (float64, models/curvature/).
 */
function sharpnessProbe(split: LabelledImages, N: number, p: BaselineParams) {
  const d = split.shape[0]! * split.shape[1]!;
  const idx = Array.from({ length: N }, (_, i) => i);
  const X = pixelRows(split, idx, new Float64Array(N * d));
  const labels = Int32Array.from(idx, (i) => split.labels[i]!);
  const tracker = new SharpnessTracker(p.seed, p.trackTrace);
  return {
    tracker,
    async measure(step: number, m: SoftmaxModel): Promise<void> {
      const ln = fromSoftmax(await m.W.data(), await m.b.data());
      const lm = tracker.measure(
        step,
        operatorOf({ net: ln.net, theta: ln.theta, X, N, loss: 'ce', labels, targets: null }, 'hessian'),
      );
      if (!Number.isFinite(lm)) throw diverged("the Hessian's λ_max", lm, step);
    },
    curve: () => ({
      steps: tracker.steps,
      lambdaMax: tracker.lambdaMax,
      trace: tracker.trace,
      samples: N,
      seconds: tracker.seconds,
    }),
  };
}

export async function runBaseline(raw: BaselineParams, ctx: JobContext): Promise<JobOutput<'data.baseline'>> {
  const params = parseOrThrow(baselineParamsSchema, raw, 'baseline');
  const ds = getDataset(params.source);
  const train = ds.train;
  const n = params.trainSize > 0 ? Math.min(params.trainSize, train.count) : train.count;
  const batch = Math.min(params.batchSize, n);
  const stepsPerEpoch = Math.ceil(n / batch);
  const totalSteps = stepsPerEpoch * params.epochs;
  const every = Math.max(1, Math.floor(totalSteps / 400));
  const rand = mulberry32(params.seed);
  const d = train.shape[0]! * train.shape[1]!;
  const classes = Math.max(train.classes, ds.test?.classes ?? 0);
  const model = createSoftmax(
    d,
    classes,
    params.warmStart
      ? {
          W: warmTensor(ctx.inputs.tensors, 'data.baseline.W', [d, classes], 'W'),
          b: warmTensor(ctx.inputs.tensors, 'data.baseline.b', [classes], 'b'),
        }
      : undefined,
  );
  const curve: CurvePoint[] = [];
  let step = 0;
  const track = params.trackEvery > 0 ? sharpnessProbe(train, Math.min(n, BASELINE_TRACK_SAMPLES), params) : null;
  const t0 = performance.now();
  try {
    const watch = new LossWatch('the training loss');
    await track?.measure(0, model);
    outer: for (let epoch = 0; epoch < params.epochs; epoch++) {
      const order = permutation(n, rand);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (ctx.cancelled()) break outer;
        const { x, y } = batchTensors(train, order.subarray(s * batch, Math.min(n, (s + 1) * batch)));
        const stats = await sgdStep(model, x, y, params.learningRate);
        x.dispose();
        y.dispose();
        step++;
        watch.check(stats.loss, step);
        if (track && (step % params.trackEvery === 0 || step === totalSteps)) await track.measure(step, model);
        if (step % every === 0 || step === totalSteps) curve.push({ step, epoch: step / stepsPerEpoch, ...stats });
        ctx.progress({ step, totalSteps, samples: step * batch, metrics: { loss: stats.loss, accuracy: stats.accuracy } });
        // Yield now and then so the worker can receive messages; the cancel flag itself is shared memory.
        if (step % 50 === 0) await new Promise((r) => setImmediate(r));
      }
    }
    const beat = () => ctx.progress({ step, totalSteps, samples: step * batch });
    const test = ds.test && step > 0 ? await evaluateSplit(model, ds.test, beat) : null;
    const W = (await model.W.data()) as Float32Array;
    const b = (await model.b.data()) as Float32Array;
    const result: BaselineResult = {
      params,
      curve,
      testAccuracy: test?.accuracy ?? null,
      testLoss: test?.loss ?? null,
      stepsDone: step,
      partial: step < totalSteps,
      tensors: BASELINE_TENSORS,
      sharpness: track && {
        ...track.curve(),
        twoOverLr: 2 / params.learningRate,
        trainSeconds: (performance.now() - t0) / 1000 - track.tracker.seconds,
      },
    };
    return {
      result,
      tensors: {
        'data.baseline.W': { dtype: 'F32', shape: [d, classes], data: Float32Array.from(W) },
        'data.baseline.b': { dtype: 'F32', shape: [classes], data: Float32Array.from(b) },
      },
    };
  } finally {
    model.dispose();
  }
}
