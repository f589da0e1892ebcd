// The SPA authors' protocol: its schedule and optimiser against hand computation, the batch-norm CNN
// against a plain-loop re-implementation (train and eval mode, running statistics), SPA's choice of
// samples against losses from that re-implementation, mixup and RICAP against what their pixels say
// the labels must be, the CLI's --protocol (defaults, overrides, refusals) and the packaged Fashion-MNIST.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import {
  AUGMENT_FIELDS,
  AUGMENT_PROTOCOL_VALUES,
  defaultsOf,
  FASHION_MNIST_MISSING,
  FASHION_MNIST_SOURCE,
  protocolDefaults,
} from '../../core/contract.ts';
import { compareSchema, draftSchema } from '../../core/labs/augment/state.ts';
import { authorsOnce, cropResize, flip } from '../../models/augment/augment.ts';
import { augmentBatch, mixup, oneHot, ricap, type Batch } from '../../models/augment/batch.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import { kairo } from '../helpers.ts';
import { crossEntropy, referenceBnCnn } from './bn-cnn-reference.ts';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('the warm-up and cosine schedule at chosen epochs, by hand (η = 0.1, W = 3, E = 200; and W = 0)', async () => {
  const { learningRateAt } = await import('../../models/augment/train.ts');
  const run = { learningRate: 0.1, epochs: 200, schedule: { kind: 'warmup-cosine', warmupEpochs: 3 } as const };
  // Epoch k trains at t = k − 1: η(1 + t/3) up to t = 3, then 2η(1 + cos(π(t − 3)/200))/2.
  const want: [number, number][] = [
    [1, 0.1],
    [2, 0.1 + 0.1 / 3],
    [4, 0.2],
    [5, 0.1 * (1 + Math.cos(Math.PI / 200))],
    [104, 0.1 * (1 + Math.cos((Math.PI * 100) / 200))],
    [200, 0.1 * (1 + Math.cos((Math.PI * 196) / 200))],
  ];
  for (const [k, v] of want) close(learningRateAt(run, k), v, 1e-15, `epoch ${k}`);
  close(learningRateAt(run, 104), 0.1, 1e-15, 'half-way down the cosine: η');
  const noWarm = { ...run, schedule: { kind: 'warmup-cosine', warmupEpochs: 0 } as const };
  close(learningRateAt(noWarm, 1), 0.1, 1e-15, 'cosine from η');
  close(learningRateAt(noWarm, 101), 0.05, 1e-15, 'cosine half-way');
  assert.equal(learningRateAt({ learningRate: 0.3, epochs: 5 }, 4), 0.3, 'constant when absent');
});

test('SGD with Nesterov momentum and weight decay takes PyTorch’s steps (two steps on ½|w|², by hand)', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../core/backend.ts');
  const { Sgd } = await import('../../models/common/sgd.ts');
  await initBackend();
  const w0 = [1, -2, 0.5];
  const w = tf.variable(tf.tensor1d(w0));
  const opt = new Sgd(0.5, 0.9, 0.1, true);
  const before = tf.memory().numTensors;
  for (let s = 0; s < 2; s++)
    opt.minimize(() => tf.mul(tf.sum(tf.square(w)), 0.5) as import('@tensorflow/tfjs').Scalar, false, [w]);
  // By hand: g = w; d = g + 0.1w; b = 0.9b + d; w −= 0.5(d + 0.9b).
  const got = Array.from(w.dataSync());
  const want = w0.map((v) => {
    let x = v;
    let b = 0;
    for (let s = 0; s < 2; s++) {
      const d = x + 0.1 * x;
      b = 0.9 * b + d;
      x -= 0.5 * (d + 0.9 * b);
    }
    return x;
  });
  got.forEach((v, i) => close(v, want[i]!, 1e-6, `w[${i}]`));
  // One momentum buffer, created at the first step, and nothing else left behind.
  assert.equal(tf.memory().numTensors, before + 1);
  opt.dispose();
  w.dispose();
});

test('the authors’ CNN matches a plain-loop re-implementation in training and evaluation mode, running statistics included', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../core/backend.ts');
  const { createClassifier } = await import('../../models/augment/train.ts');
  await initBackend();
  const side = 16;
  const n = 3;
  const rand = mulberry32(3);
  const x = Float32Array.from({ length: n * side * side }, () => rand());
  const m = createClassifier({ arch: 'bn-cnn', h: side, w: side, classes: 4 }, 11);
  try {
    const P = m.vars.map((v) => v.dataSync() as Float32Array);
    const ref = referenceBnCnn(P, x, n, side, 4, null);
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => m.logits(tf.tensor2d(x, [n, side * side]), true).arraySync());
    assert.equal(tf.memory().numTensors, before, 'no tensor left by a training-mode pass');
    got.forEach((row, i) => row.forEach((v, o) => close(v, ref.logits[i]![o]!, 2e-4, `train-mode logit ${i},${o}`)));
    // Running statistics moved 10 % of the way from (0, 1) to the batch's mean and unbiased variance.
    const state = m.state.map((v) => v.dataSync() as Float32Array);
    ref.stats.forEach((s, l) =>
      s.mean.forEach((mu, c) => {
        close(state[2 * l]![c]!, 0.1 * mu, 1e-4, `running mean ${l},${c}`);
        close(state[2 * l + 1]![c]!, 0.9 + (0.1 * s.variance[c]! * s.count) / (s.count - 1), 1e-4, `running variance ${l},${c}`);
      }),
    );
    // Evaluation mode uses those running statistics.
    const running = state.length
      ? ref.stats.map((_, l) => ({ mean: Float64Array.from(state[2 * l]!), variance: Float64Array.from(state[2 * l + 1]!) }))
      : null;
    const evalRef = referenceBnCnn(P, x, n, side, 4, running);
    const evalGot = tf.tidy(() => m.logits(tf.tensor2d(x, [n, side * side])).arraySync());
    evalGot.forEach((row, i) => row.forEach((v, o) => close(v, evalRef.logits[i]![o]!, 2e-4, `eval-mode logit ${i},${o}`)));
  } finally {
    m.dispose();
  }
});

test('authors’ protocol: SPA augments exactly the samples whose training-mode loss at the start is at least the threshold (re-implemented losses)', async () => {
  const { initBackend } = await import('../../core/backend.ts');
  const { createClassifier, trainPolicy } = await import('../../models/augment/train.ts');
  await initBackend();
  const side = 16;
  const n = 8;
  const rand = mulberry32(5);
  const x = Float32Array.from({ length: n * side * side }, () => rand());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const spec = { arch: 'bn-cnn' as const, h: side, w: side, classes: 2 };
  // The losses the first (and only) step sees: the seed's initial weights, the whole set as one batch.
  const m = createClassifier(spec, 21);
  const P = m.vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  m.dispose();
  const losses = referenceBnCnn(P, x, n, side, 2, null).logits.map((z, i) => crossEntropy(z, labels[i]!));
  const sorted = [...losses].sort((a, b) => a - b);
  const thr = (sorted[3]! + sorted[4]!) / 2;
  const r = await trainPolicy(
    spec,
    {
      policy: 'self-paced',
      augmentations: ['mixup'],
      strength: 0,
      threshold: { kind: 'fixed', value: thr },
      thresholdEnd: null,
      randOps: 1,
      epochs: 1,
      batchSize: n,
      learningRate: 0.1,
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      schedule: { kind: 'warmup-cosine', warmupEpochs: 3 },
      seed: 21,
    },
    { x, labels },
    { x, labels },
  );
  assert.deepEqual(
    Array.from(r.timesAugmented),
    losses.map((l) => (l >= thr ? 1 : 0)),
  );
  assert.equal(r.curve[0]!.augmented, 0.5);
  assert.equal(r.curve[0]!.learningRate, 0.1);
});

/** k images 6 × 6, image j filled with the value j + 1, labelled class j (so a pixel names its source). */
const constBatch = (k: number): Batch => {
  const x = new Float32Array(k * 36);
  for (let j = 0; j < k; j++) x.fill(j + 1, j * 36, (j + 1) * 36);
  return {
    x,
    y: oneHot(
      Array.from({ length: k }, (_, j) => j),
      k,
    ),
    k,
    h: 6,
    w: 6,
    classes: k,
  };
};

test('mixup and RICAP: each chosen sample’s label is what its pixels say (the mix weight, or each source’s share of the area)', () => {
  const mask = [true, false, true, true, false];
  const mb = constBatch(5);
  mixup(mb, mask, mulberry32(1));
  const rb = constBatch(5);
  ricap(rb, mask, mulberry32(2));
  for (let j = 0; j < 5; j++) {
    const y = (b: Batch) => Array.from(b.y.subarray(j * 5, (j + 1) * 5));
    close(
      y(mb).reduce((a, b) => a + b, 0),
      1,
      1e-6,
      'mixup label sums to 1',
    );
    // A constant image λ(j + 1) + (1 − λ)(p + 1) has the value Σ_c y_c (c + 1).
    const v = y(mb).reduce((a, w, c) => a + w * (c + 1), 0);
    for (let i = 0; i < 36; i++) close(mb.x[j * 36 + i]!, v, 1e-5, `mixup pixel ${j},${i}`);
    const share = new Array<number>(5).fill(0);
    for (let i = 0; i < 36; i++) share[rb.x[j * 36 + i]! - 1]! += 1 / 36;
    y(rb).forEach((w, c) => close(w, share[c]!, 1e-6, `RICAP label ${j},${c}`));
    if (!mask[j]) {
      assert.deepEqual(y(mb), y(rb));
      assert.equal(y(mb)[j], 1, 'an unchosen sample keeps its label');
    }
  }
  // With every sample chosen, augmentBatch's mixup is mixup's.
  const all = constBatch(4);
  augmentBatch(all, [true, true, true, true], { mode: 'compose', ops: ['mixup'], strength: 0, randOps: 1 }, mulberry32(7));
  const direct = constBatch(4);
  mixup(direct, [true, true, true, true], mulberry32(7));
  assert.deepEqual(all.x, direct.x);
  assert.throws(
    () => augmentBatch(constBatch(2), [true, true], { mode: 'rand', ops: ['mixup'], strength: 0, randOps: 1 }, mulberry32(1)),
    /RandAugment draws image operations only/,
  );
});

test('the authors’ image operations: flip, crop, translate, rotate-any at 90°, cutout and erasing by their definitions', () => {
  const img = { h: 10, w: 10, data: Float32Array.from({ length: 100 }, (_, i) => i) };
  assert.deepEqual(flip(flip(img)).data, img.data);
  assert.equal(flip(img).data[3], 6);
  // A crop of the whole image is the identity; a 5 × 5 window at (2, 3) maps corners to corners.
  assert.deepEqual(cropResize(img, 0, 0, 10, 10).data, img.data);
  const c = cropResize(img, 2, 3, 5, 5);
  assert.equal(c.data[0], 23);
  assert.equal(c.data[99], 67);
  const rand = mulberry32(4);
  for (let r = 0; r < 50; r++) {
    // translate: a whole-pixel shift of at most ⌊h/5⌋ = 2 (the value at a kept pixel tells the shift).
    const t = authorsOnce(img, 'translate', rand);
    const centre = t.data[55]!;
    const dy = 5 - Math.floor(centre / 10);
    const dx = 5 - (centre % 10);
    assert.ok(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, `shift ${dy}, ${dx}`);
    const cut = authorsOnce(img, 'cutout', rand, -1);
    const holes = cut.data.filter((v) => v === -1).length;
    assert.ok(holes > 0 && holes <= 25, `cutout ${holes} pixels`);
    const er = authorsOnce(img, 'random-erasing', rand);
    const changed = er.data.filter((v, i) => v !== img.data[i]).length;
    assert.ok(changed <= 0.4 * 100, `erasing ${changed} pixels`);
  }
  // rotate-any: whole degrees in [0, 180); at 90° the scale 1/(|cos| + |sin|) is 1 and the rotation exact.
  const ninety = () => 90.5 / 180;
  const quarter = authorsOnce(img, 'rotate-any', ninety);
  assert.equal(quarter.data[0], img.data[9], 'a quarter turn moves a corner to a corner');
  const back = [1, 2, 3].reduce((im) => authorsOnce(im, 'rotate-any', ninety), quarter);
  back.data.forEach((v, k) => close(v, img.data[k]!, 1e-4, `four quarter turns: pixel ${k}`));
  // At 45° the rotated square's corners must fit: scaled by 1/√2, so a corner pixel falls outside the content.
  const diag = authorsOnce(img, 'rotate-any', () => 45.5 / 180);
  assert.equal(diag.data[0], 0);
});

test('protocols: the quick one is every field’s default; old drafts load as quick; refusals name the conflict', () => {
  assert.deepEqual(protocolDefaults('quick'), defaultsOf(AUGMENT_FIELDS));
  for (const [k, v] of Object.entries(AUGMENT_PROTOCOL_VALUES.authors))
    assert.deepEqual(protocolDefaults('authors')[k as keyof typeof AUGMENT_FIELDS], v);
  const old: Record<string, unknown> = { ...defaultsOf(AUGMENT_FIELDS) };
  for (const k of ['protocol', 'optimizer', 'weightDecay', 'lrSchedule', 'warmupEpochs', 'subset', 'evalEvery']) delete old[k];
  assert.deepEqual(draftSchema.parse(old), defaultsOf(AUGMENT_FIELDS));
  const bad = (over: object) =>
    compareSchema.safeParse({ ...defaultsOf(AUGMENT_FIELDS), source: { kind: 'mnist' }, ...over }).error?.issues[0]?.message;
  assert.match(bad({ policies: ['rand'], augment: ['mixup'] }) ?? '', /RandAugment draws image operations/);
  assert.match(bad({ weightDecay: 0.001 }) ?? '', /weight decay applies to SGD only/);
});

test('kairo augment compare --protocol authors: the authors’ settings, each flag still overriding; nonsense refused', () => {
  const r = kairo(
    'augment',
    'compare',
    '--protocol',
    'authors',
    '--policy',
    'none,self-paced',
    '--per-class',
    '2',
    '--seeds',
    '1',
    '--epochs',
    '3',
    '--eval-every',
    '2',
    '--test-count',
    '100',
  );
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.equal(o.protocol, 'authors');
  assert.equal(o.arch, 'bn-cnn');
  assert.equal(o.test_count, 100);
  const curves = o.results[0].curves;
  assert.deepEqual(
    curves.map((c: { test_accuracy: number | null }) => c.test_accuracy === null),
    [true, false, false],
    'evaluated at epoch 2 and the last',
  );
  // The authors' schedule over 3 epochs: η, 4η/3, 5η/3 (warm-up of 3 epochs).
  curves.forEach((c: { learning_rate: number }, i: number) => close(c.learning_rate, 0.1 * (1 + i / 3), 1e-12, `lr ${i}`));
  assert.equal(o.results[1].policy, 'self-paced');
  const nonsense = kairo('augment', 'compare', '--protocol', 'paper');
  assert.equal(nonsense.code, 2);
  assert.match(nonsense.err, /--protocol: one of quick, authors \(got paper\)/);
});

test('the packaged Fashion-MNIST loads by name where Debian installed it, and says how to get it where not', () => {
  const r = kairo('data', 'inspect', '--dataset', 'fashion-mnist');
  if (existsSync(FASHION_MNIST_SOURCE.trainImages)) {
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out);
    assert.equal(o.name, 'Fashion-MNIST');
    assert.deepEqual([o.train.count, o.test.count, o.train.classes], [60000, 10000, 10]);
    assert.deepEqual(o.train.class_counts, new Array(10).fill(6000));
  } else {
    assert.notEqual(r.code, 0);
    assert.ok(r.err.includes(FASHION_MNIST_MISSING), r.err);
  }
  const both = kairo('augment', 'run', '--dataset', 'fashion-mnist', '--idx-images', 'a', '--idx-labels', 'b');
  assert.match(both.err, /give --dataset or --idx-images\/--idx-labels, not both/);
  const other = kairo('augment', 'run', '--dataset', 'cifar');
  assert.match(other.err, /--dataset: mnist or fashion-mnist \(got cifar\)/);
});
