// Augmentations against their definitions on hand-made images (issue 21, groundwork): a shift moves
// pixels exactly, a rotation by 0 is the identity and by 90° a transpose-and-flip, every operation at
// strength 0 is the identity, erasing blanks exactly its rectangle; self-paced augmentation picks the
// samples whose loss is above the threshold, fixed or a quantile, as a direct computation does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
import type { EpochPoint, PolicyRun } from '../../models/augment/train.ts';
import {
  affine,
  augment,
  AUGMENTATIONS,
  elastic,
  erase,
  eraseRect,
  noise,
  randAugment,
  selfPacedMask,
  shift,
  thresholdOf,
  type ImageAugmentation,
  type Image,
} from '../../models/augment/augment.ts';

const ramp = (h: number, w: number): Image => ({ h, w, data: Float32Array.from({ length: h * w }, (_, i) => (i + 1) / (h * w)) });
const px = (im: Image, y: number, x: number) => im.data[y * im.w + x]!;

test('a shift moves every pixel by exactly (dy, dx) and fills with zeros', () => {
  const im = ramp(5, 6);
  const s = shift(im, 2, -1);
  for (let y = 0; y < 5; y++)
    for (let x = 0; x < 6; x++) {
      const sy = y - 2;
      const sx = x + 1;
      assert.equal(px(s, y, x), sy >= 0 && sy < 5 && sx < 6 ? px(im, sy, sx) : 0);
    }
});

test('rotation by 0 and scale 1 are the identity; by 90° the image turns counter-clockwise exactly', () => {
  const im = ramp(7, 7);
  assert.deepEqual(affine(im, 0).data, im.data);
  assert.deepEqual(affine(im, 0, 1).data, im.data);
  const r = affine(im, 90);
  // Counter-clockwise on screen: the right column, top to bottom, becomes the top row, left to right.
  for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) assert.equal(px(r, y, x), px(im, x, 6 - y));
  // Four quarter turns come back.
  assert.deepEqual(affine(affine(affine(r, 90), 90), 90).data, im.data);
});

test('at strength 0 every augmentation, composed or drawn RandAugment-style, leaves the image as it is', () => {
  const im = ramp(9, 8);
  const rand = mulberry32(1);
  assert.deepEqual(elastic(im, 0, 3, rand).data, im.data);
  assert.deepEqual(noise(im, 0, rand).data, im.data);
  assert.deepEqual(erase(im, 0, rand).data, im.data);
  assert.deepEqual(augment(im, AUGMENTATIONS, 0, rand).data, im.data);
  assert.deepEqual(randAugment(im, AUGMENTATIONS, 3, 0, rand).data, im.data);
  // And at strength 1 they change it (the test above cannot pass by doing nothing).
  assert.notDeepEqual(augment(im, ['elastic'], 1, rand).data, im.data);
  assert.notDeepEqual(augment(im, ['rotate'], 1, rand).data, im.data);
});

test('erasing blanks exactly its rectangle; noise stays in [0, 1]', () => {
  const im = ramp(6, 6);
  const e = eraseRect(im, 1, 2, 3, 2);
  for (let y = 0; y < 6; y++)
    for (let x = 0; x < 6; x++) assert.equal(px(e, y, x), y >= 1 && y < 4 && x >= 2 && x < 4 ? 0 : px(im, y, x));
  const n = noise(im, 5, mulberry32(2));
  assert.ok(n.data.every((v) => v >= 0 && v <= 1));
});

test('self-paced augmentation augments exactly the samples above the threshold (fixed, or the quantile as numpy computes it)', () => {
  const losses = [0.3, 2.5, 0.05, 1.2, 0.7, 4.0, 0.9, 0.2];
  assert.deepEqual(
    selfPacedMask(losses, { kind: 'fixed', value: 0.8 }),
    losses.map((l) => l > 0.8),
  );
  // numpy.quantile(losses, 0.5) = 0.8 (between 0.7 and 0.9); 0.75 → 1.525.
  assert.ok(Math.abs(thresholdOf(losses, { kind: 'quantile', q: 0.5 }) - 0.8) < 1e-12);
  assert.ok(Math.abs(thresholdOf(losses, { kind: 'quantile', q: 0.75 }) - 1.525) < 1e-12);
  assert.deepEqual(selfPacedMask(losses, { kind: 'quantile', q: 0.75 }), [false, true, false, false, false, true, false, false]);
  assert.ok(
    selfPacedMask(losses, { kind: 'quantile', q: 1 }).every((m) => !m),
    'above the maximum: none',
  );
});

/** Two classes of 12 × 12 images: a bright left or right half, with noise. */
function halves(n: number, r: () => number) {
  const x = new Float32Array(n * 144);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 144; p++)
      x[i * 144 + p] = Math.min(1, Math.max(0, (p % 12 < 6 === (i % 2 === 0) ? 0.8 : 0.1) + 0.2 * (r() - 0.5)));
  }
  return { x, labels };
}

type Policy = 'none' | 'conventional' | 'self-paced' | 'rand';
const runOf = (policy: Policy, over: Partial<PolicyRun> = {}): PolicyRun => ({
  policy,
  augmentations: ['shift', 'noise'],
  strength: 0.5,
  threshold: { kind: 'fixed', value: 0 },
  thresholdEnd: null,
  randOps: 2,
  epochs: 2,
  batchSize: 10,
  learningRate: 0.01,
  seed: 5,
  probe: { indices: [0, 3, 4, 7, 8, 11, 12, 15], draws: 4 },
  ...over,
});
const spec = { arch: 'cnn' as const, h: 12, w: 12, classes: 2 };
/** A curve without SPA's threshold column (null for the other policies). */
const bare = (c: EpochPoint[]) => c.map(({ threshold: _t, ...rest }) => rest);

test('NA, CA and SPA share everything but the policy: SPA above every loss is NA exactly, below every loss CA exactly; no tensors leak', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../core/backend.ts');
  const { trainPolicy } = await import('../../models/augment/train.ts');
  await initBackend();
  const r = mulberry32(3);
  const train = halves(40, r);
  const test2 = halves(20, r);
  const run = (policy: Policy, over: Partial<PolicyRun> = {}) => trainPolicy(spec, runOf(policy, over), train, test2);
  const before = tf.memory().numTensors;
  const na = await run('none');
  const ca = await run('conventional');
  const spaNone = await run('self-paced', { threshold: { kind: 'fixed', value: Infinity } });
  const spaAll = await run('self-paced', { threshold: { kind: 'fixed', value: -Infinity } });
  const caIdentity = await run('conventional', { strength: 0 });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.deepEqual(bare(spaNone.curve), bare(na.curve));
  assert.deepEqual(bare(spaAll.curve), bare(ca.curve), 'the same augmentation draws, and the same probe draws');
  assert.deepEqual(Array.from(spaAll.timesAugmented), new Array(40).fill(2), 'CA augments every sample once per epoch');
  assert.ok(na.curve.every((p) => p.augmented === 0) && ca.curve.every((p) => p.augmented === 1));
  assert.notDeepEqual(ca.curve, na.curve, 'augmentation changed the training');
  // Instability: NA presents the same input every draw, so does augmentation at strength 0 (its losses equal NA's).
  assert.ok(na.curve.every((p) => p.instability === 0 && p.lossShift === 0));
  assert.ok(caIdentity.curve.every((p) => p.instability === 0 && p.lossShift === 0));
  assert.deepEqual(
    caIdentity.curve.map((p) => p.testLoss),
    na.curve.map((p) => p.testLoss),
  );
  assert.ok(
    ca.curve.every((p) => p.instability! > 0),
    'augmented draws vary the loss',
  );
  assert.ok(na.curve.every((p) => p.stepNoise > 0 && Number.isFinite(p.stepNoise)));
  assert.ok(na.curve.at(-1)!.testAccuracy! > 0.9, `the task is learnable: ${na.curve.at(-1)!.testAccuracy}`);
});

test('SPA augments exactly the samples whose loss before the step is above the threshold (direct computation from the logits)', async () => {
  const { initBackend } = await import('../../core/backend.ts');
  const { createClassifier, trainPolicy } = await import('../../models/augment/train.ts');
  const tf = await import('@tensorflow/tfjs');
  await initBackend();
  const train = halves(30, mulberry32(8));
  // One batch of every sample and one epoch: the only losses SPA looks at are those at the seed's initial weights.
  const m = createClassifier(spec, 5);
  const logits = tf.tidy(() => m.logits(tf.tensor2d(train.x, [30, 144])).arraySync() as number[][]);
  m.dispose();
  const losses = logits.map((z, i) => {
    const mx = Math.max(...z);
    return Math.log(z.reduce((a, v) => a + Math.exp(v - mx), 0)) + mx - z[train.labels[i]!]!;
  });
  const sorted = [...losses].sort((a, b) => a - b);
  // Thresholds between two losses: the float32 batch and this float64 computation differ in the last digits.
  for (const value of [(sorted[7]! + sorted[8]!) / 2, (sorted[20]! + sorted[21]!) / 2]) {
    const r = await trainPolicy(
      spec,
      runOf('self-paced', { threshold: { kind: 'fixed', value }, epochs: 1, batchSize: 30, probe: undefined }),
      train,
      train,
    );
    const above = losses.map((l) => l > value);
    assert.deepEqual(
      Array.from(r.timesAugmented, (t) => t === 1),
      above,
    );
    assert.equal(r.curve[0]!.augmented, above.filter(Boolean).length / 30);
    assert.equal(r.curve[0]!.instability, null, 'no probe asked for');
  }
  // A quantile threshold: the batch's q-quantile, so about 1 − q of the batch is augmented.
  const q = await trainPolicy(
    spec,
    runOf('self-paced', { threshold: { kind: 'quantile', q: 0.75 }, epochs: 1, batchSize: 30, probe: undefined }),
    train,
    train,
  );
  const thr = thresholdOf(losses, { kind: 'quantile', q: 0.75 });
  assert.deepEqual(
    Array.from(q.timesAugmented, (t) => t === 1),
    losses.map((l) => l > thr),
  );
});

test('the probe’s instability is the mean over images of the variance over draws (a two-pass computation agrees)', async () => {
  const { initBackend } = await import('../../core/backend.ts');
  const { createClassifier, perSampleLoss, probeInstability } = await import('../../models/augment/train.ts');
  await initBackend();
  const { x, labels } = halves(12, mulberry32(9));
  const m = createClassifier(spec, 2);
  try {
    for (const policy of ['conventional', 'self-paced', 'rand'] as const) {
      const run = runOf(policy, { threshold: { kind: 'quantile', q: 0.5 } });
      const got = await probeInstability(m, run, run.threshold, x, labels, 5, mulberry32(4));
      // The same draws, in the same order, then the variance in two passes.
      const rand = mulberry32(4);
      const clean = await perSampleLoss(m, x, labels);
      const thr = thresholdOf(clean, run.threshold);
      const draws: Float32Array[] = [];
      for (let d = 0; d < 5; d++) {
        const xr = new Float32Array(x.length);
        for (let i = 0; i < 12; i++) {
          const img = { h: 12, w: 12, data: x.subarray(i * 144, (i + 1) * 144) };
          const use = policy !== 'self-paced' || clean[i]! > thr;
          const out = !use
            ? img
            : policy === 'rand'
              ? randAugment(img, run.augmentations as ImageAugmentation[], 2, 0.5, rand)
              : augment(img, run.augmentations as ImageAugmentation[], 0.5, rand);
          xr.set(out.data, i * 144);
        }
        draws.push(await perSampleLoss(m, xr, labels));
      }
      let v = 0;
      let shift = 0;
      for (let i = 0; i < 12; i++) {
        const ls = draws.map((l) => l[i]!);
        const mean = ls.reduce((a, b) => a + b, 0) / 5;
        v += ls.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
        shift += mean - clean[i]!;
        if (policy === 'self-paced' && !(clean[i]! > thr))
          assert.ok(
            ls.every((l) => l === clean[i]),
            'below the threshold: never augmented',
          );
      }
      assert.ok(Math.abs(got.instability - v / 12) <= 1e-9 + 1e-6 * v, `${policy}: ${got.instability} vs ${v / 12}`);
      assert.ok(Math.abs(got.lossShift - shift / 12) <= 1e-9 + 1e-6 * Math.abs(shift), `${policy} shift`);
    }
  } finally {
    m.dispose();
  }
});

test('the linear threshold schedule and the successive-difference noise on hand cases', async () => {
  const { thresholdAt, successiveNoise } = await import('../../models/augment/train.ts');
  const run = { threshold: { kind: 'fixed', value: 0.1 } as const, thresholdEnd: 0.5, epochs: 5 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((e) => (thresholdAt(run, e) as { value: number }).value.toFixed(12)),
    ['0.100000000000', '0.200000000000', '0.300000000000', '0.400000000000', '0.500000000000'],
  );
  assert.deepEqual(thresholdAt({ ...run, thresholdEnd: null }, 4), run.threshold);
  assert.deepEqual(thresholdAt({ threshold: { kind: 'quantile', q: 0.8 }, thresholdEnd: 0.2, epochs: 3 }, 2), {
    kind: 'quantile',
    q: 0.5,
  });
  // Differences 2 and −1: √((4 + 1)/(2·2)).
  assert.equal(successiveNoise([1, 3, 2]), Math.sqrt(1.25));
  assert.equal(successiveNoise([4]), 0);
});
