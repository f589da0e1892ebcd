// The augmentation lab's job, run in a worker: every policy at every training-set size and seed, from
// the same initial weights, batches and augmentation stream per seed (models/augment/train.ts), then
// the mean ± sd over seeds and which samples self-paced augmentation picked.
import { mulberry32, permutation } from '../../../../models/common/rng.ts';
import {
  BN_CNN_MIN_SIDE,
  trainPolicy,
  warmUp,
  type LrSchedule,
  type OptimizerSpec,
  type PolicyResult,
} from '../../../../models/augment/train.ts';
import type { AugmentCell, AugmentParams, AugmentRun, AugmentSample, AugmentSamples } from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import type { LabelledImages } from '../../../data/idx.ts';
import { invalid, KairoError } from '../../../errors.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import type { NamedTensor } from '../../../session/safetensors.ts';
import { parseOrThrow } from '../../../validate.ts';
import { compareSchema } from '../state.ts';
import { meanSd } from '../../../../models/common/stats.ts';
/** Images shown for each end of the "which samples SPA augments" grid. */
export const SAMPLES_SHOWN = 10;

/** Repetition k's seed: far enough apart that one's streams (seed, +1, …, +6) never meet another's. */
export const seedOf = (seed: number, k: number) => seed + 1000 * k;

export { meanSd };

/**
 * Each class's training images in a seeded order: a set of N per class is the first N of each list, so
 * the smaller sets are subsets of the larger ones and every policy of a seed sees the same images.
 */
export function classOrder(split: LabelledImages, rand: () => number): number[][] {
  const byClass = Array.from({ length: split.classes }, () => [] as number[]);
  for (let i = 0; i < split.count; i++) byClass[split.labels[i]!]!.push(i);
  return byClass.map((idx) => Array.from(permutation(idx.length, rand), (j) => idx[j]!));
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Mean ± sd over the finished runs of each policy at each size, in the order of the parameters. */
export function cellsOf(p: AugmentParams, runs: readonly AugmentRun[]): AugmentCell[] {
  const cells: AugmentCell[] = [];
  for (const perClass of p.perClass)
    for (const policy of p.policies) {
      const rs = runs.filter((r) => r.policy === policy && r.perClass === perClass && r.curve.length === p.epochs);
      if (rs.length === 0) continue;
      const at = (e: number) => rs.map((r) => r.curve[e]!);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      // The last epoch is always evaluated; the others may not be (evalEvery).
      const final = (f: (e: AugmentRun['curve'][number]) => number | null) => meanSd(rs.map((r) => f(r.curve.at(-1)!)!));
      const orNull = (xs: (number | null)[]) => (xs.every((v) => v !== null) ? (xs as number[]) : null);
      cells.push({
        policy,
        perClass,
        seeds: rs.length,
        accuracy: final((e) => e.testAccuracy),
        testLoss: final((e) => e.testLoss),
        trainSeconds: meanSd(rs.map((r) => r.trainSeconds)),
        curve: rs[0]!.curve.map((_, e) => {
          const pts = at(e);
          const inst = pts.map((q) => q.instability);
          const acc = orNull(pts.map((q) => q.testAccuracy));
          const loss = orNull(pts.map((q) => q.testLoss));
          return {
            epoch: e + 1,
            accuracy: acc && meanSd(acc),
            testLoss: loss && mean(loss),
            ...(pts[0]!.learningRate !== undefined ? { learningRate: pts[0]!.learningRate } : {}),
            trainLoss: mean(pts.map((q) => q.trainLoss)),
            augmented: mean(pts.map((q) => q.augmented)),
            instability: inst.every((v) => v !== null) ? mean(inst as number[]) : null,
            stepNoise: mean(pts.map((q) => q.stepNoise)),
          };
        }),
      });
    }
  return cells;
}

/** The most and least augmented training images of one SPA run, with their losses, and the rate by class. */
export function samplesOf(
  r: PolicyResult,
  indices: readonly number[],
  split: LabelledImages,
  epochs: number,
  perClass: number,
  seed: number,
): { samples: AugmentSamples; images: NamedTensor } {
  const n = indices.length;
  const all: AugmentSample[] = indices.map((index, j) => ({
    index,
    label: split.labels[index]!,
    times: r.timesAugmented[j]!,
    loss: r.finalLosses[j]!,
  }));
  const k = Math.min(SAMPLES_SHOWN, Math.floor(n / 2));
  // Ties in the count go to the higher (most) or lower (least) final loss, then the dataset order.
  const most = [...all].sort((a, b) => b.times - a.times || b.loss - a.loss || a.index - b.index).slice(0, k);
  const least = [...all].sort((a, b) => a.times - b.times || a.loss - b.loss || a.index - b.index).slice(0, k);
  const byClass = Array.from({ length: split.classes }, (_, c) => {
    const xs = all.filter((s) => s.label === c);
    return xs.length ? xs.reduce((a, s) => a + s.times, 0) / (xs.length * epochs) : 0;
  });
  const [h, w] = split.shape as [number, number];
  const shown = [...most, ...least];
  const data = new Uint8Array(shown.length * h * w);
  shown.forEach((s, j) => data.set(split.images.subarray(s.index * h * w, (s.index + 1) * h * w), j * h * w));
  return {
    samples: {
      perClass,
      seed,
      epochs,
      most,
      least,
      byClass,
      lossCorrelation: pearson(r.timesAugmented, r.finalLosses),
    },
    images: { dtype: 'U8', shape: [shown.length, h, w], data },
  };
}

export async function runCompare(raw: AugmentParams, ctx: JobContext): Promise<JobOutput<'augment.compare'>> {
  const p = parseOrThrow(compareSchema, raw, 'augment.compare');
  const ds = getDataset(p.source);
  const split = ds.train;
  const [h, w] = split.shape as [number, number];
  if (p.arch === 'cnn' && (h < 4 || w < 4))
    throw invalid(`the CNN pools twice by 2 and needs images of at least 4 × 4; ${ds.name} has ${h} × ${w}: use --arch mlp`);
  if (p.arch === 'bn-cnn' && (h < BN_CNN_MIN_SIDE || w < BN_CNN_MIN_SIDE))
    throw invalid(
      `the authors' CNN needs images of at least ${BN_CNN_MIN_SIDE} × ${BN_CNN_MIN_SIDE}; ${ds.name} has ${h} × ${w}: use --arch mlp`,
    );
  const maxN = Math.max(...p.perClass);
  const present = split.classCounts.map((c, k) => (c > 0 ? k : -1)).filter((k) => k >= 0);
  const short = split.classCounts.findIndex((c) => c > 0 && c < maxN);
  if (p.subset === 'per-class' && short >= 0)
    throw invalid(`class ${short} of ${ds.name} has ${split.classCounts[short]} training images, fewer than ${maxN} per class`);
  if (p.subset === 'shuffle' && maxN * present.length > split.count)
    throw invalid(
      `${ds.name} has ${split.count} training images, fewer than ${maxN * present.length} (${present.length} classes × ${maxN})`,
    );
  const seeds = Array.from({ length: p.seeds }, (_, k) => seedOf(p.seed, k));
  const orders = seeds.map((s) => classOrder(split, mulberry32(s + 4)));
  // The authors' subsets: the first n images of one shuffle of the training split (a fixed seed, as their
  // make_training_data shuffles with random_state 1001), the same for every repetition.
  const shuffled = Array.from(permutation(split.count, mulberry32(p.seed + 7)));
  const subsetOf = (k: number, perClass: number) =>
    p.subset === 'shuffle'
      ? shuffled.slice(0, perClass * present.length)
      : present.flatMap((c) => orders[k]![c]!.slice(0, perClass));

  // The test images: a fixed draw from the test split, or training images no repetition trains on.
  let test: { x: Float32Array; labels: Int32Array };
  let testFrom: 'test' | 'held-out';
  if (ds.test) {
    const idx = permutation(ds.test.count, mulberry32(p.seed + 5)).subarray(0, Math.min(p.testCount, ds.test.count));
    test = { x: pixelRows(ds.test, idx), labels: Int32Array.from(idx, (i) => ds.test!.labels[i]!) };
    testFrom = 'test';
  } else {
    const used = new Set(seeds.flatMap((_, k) => subsetOf(k, maxN)));
    const rest = Array.from({ length: split.count }, (_, i) => i).filter((i) => !used.has(i));
    if (rest.length < 100)
      throw invalid(
        `${ds.name} has no test split and only ${rest.length} training images outside the training sets; 100 are needed`,
      );
    const pick = Array.from(
      permutation(rest.length, mulberry32(p.seed + 5)).subarray(0, Math.min(p.testCount, rest.length)),
      (j) => rest[j]!,
    );
    test = { x: pixelRows(split, pick), labels: Int32Array.from(pick, (i) => split.labels[i]!) };
    testFrom = 'held-out';
  }

  const spec = { arch: p.arch, h, w, classes: split.classes };
  const optimizer: OptimizerSpec =
    p.optimizer === 'adam' ? { kind: 'adam' } : { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: p.weightDecay };
  const schedule: LrSchedule =
    p.lrSchedule === 'constant' ? { kind: 'constant' } : { kind: 'warmup-cosine', warmupEpochs: p.warmupEpochs };
  await warmUp(spec, p.batchSize, optimizer);
  const total = p.perClass.length * seeds.length * p.policies.length * p.epochs;
  const runs: AugmentRun[] = [];
  let samples: { samples: AugmentSamples; images: NamedTensor } | null = null;
  let done = 0;
  let partial = false;
  outer: for (const perClass of p.perClass)
    for (const [k, seed] of seeds.entries()) {
      const indices = subsetOf(k, perClass);
      const train = { x: pixelRows(split, indices), labels: Int32Array.from(indices, (i) => split.labels[i]!) };
      const probeN = Math.min(p.probe, indices.length);
      const probe =
        probeN > 0
          ? { indices: permutation(indices.length, mulberry32(seed + 6)).subarray(0, probeN), draws: p.probeDraws }
          : undefined;
      for (const policy of p.policies) {
        if (ctx.cancelled()) {
          partial = true;
          break outer;
        }
        const r = await trainPolicy(
          spec,
          {
            policy,
            augmentations: p.augment,
            strength: p.strength,
            threshold: p.thresholdKind === 'fixed' ? { kind: 'fixed', value: p.threshold } : { kind: 'quantile', q: p.quantile },
            thresholdEnd: p.schedule === 'linear' ? p.thresholdEnd : null,
            randOps: p.randOps,
            epochs: p.epochs,
            batchSize: p.batchSize,
            learningRate: p.learningRate,
            optimizer,
            schedule,
            evalEvery: p.evalEvery,
            seed,
            probe,
          },
          train,
          test,
          {
            cancelled: ctx.cancelled,
            onEpoch: (e) => {
              done++;
              ctx.progress({
                step: done,
                totalSteps: total,
                samples: done * indices.length,
                metrics: {
                  ...(e.testAccuracy !== null ? { accuracy: e.testAccuracy } : {}),
                  augmented: e.augmented,
                  lr: e.learningRate,
                },
              });
            },
          },
        );
        if (r.curve.length < p.epochs) {
          // Cancelled inside this run: it is not comparable with the others, and is not kept.
          partial = true;
          break outer;
        }
        runs.push({ policy, perClass, seed, curve: r.curve, trainSeconds: r.trainSeconds });
        if (policy === 'self-paced' && samples === null && perClass === p.perClass[0] && k === 0)
          samples = samplesOf(r, indices, split, p.epochs, perClass, seed);
      }
    }
  if (runs.length === 0 && partial) throw new KairoError('cancelled', 'cancelled before any run finished');
  return {
    result: {
      params: p,
      datasetName: ds.name,
      classes: split.classes,
      testFrom,
      testCount: test.labels.length,
      runs,
      cells: cellsOf(p, runs),
      samples: samples?.samples ?? null,
      partial,
    },
    tensors: samples ? { 'augment.samples': samples.images } : {},
  };
}
