// Augmentations against their definitions on hand-made images (issue 21, groundwork): a shift moves
// pixels exactly, a rotation by 0 is the identity and by 90° a transpose-and-flip, every operation at
// strength 0 is the identity, erasing blanks exactly its rectangle; self-paced augmentation picks the
// samples whose loss is above the threshold, fixed or a quantile, as a direct computation does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
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

test('NA, CA and SPA share everything but the policy: SPA above every loss is NA exactly, below every loss CA exactly; no tensors leak', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../core/backend.ts');
  const { trainPolicy } = await import('../../models/augment/train.ts');
  await initBackend();
  // Two classes of 12 × 12 images: a bright left or right half, with noise.
  const r = mulberry32(3);
  const make = (n: number) => {
    const x = new Float32Array(n * 144);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 144; p++)
        x[i * 144 + p] = Math.min(1, Math.max(0, (p % 12 < 6 === (i % 2 === 0) ? 0.8 : 0.1) + 0.2 * (r() - 0.5)));
    }
    return { x, labels };
  };
  const train = make(40);
  const test2 = make(20);
  const spec = { arch: 'cnn' as const, h: 12, w: 12, classes: 2 };
  const run = (policy: 'none' | 'conventional' | 'self-paced', value = 0) =>
    trainPolicy(
      spec,
      {
        policy,
        augmentations: ['shift', 'noise'],
        strength: 0.5,
        threshold: { kind: 'fixed', value },
        randOps: 2,
        epochs: 2,
        batchSize: 10,
        learningRate: 0.01,
        seed: 5,
      },
      train,
      test2,
    );
  const before = tf.memory().numTensors;
  const na = run('none');
  const ca = run('conventional');
  const spaNone = run('self-paced', Infinity);
  const spaAll = run('self-paced', -Infinity);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.deepEqual(spaNone.curve, na.curve);
  assert.deepEqual(spaAll.curve, ca.curve);
  assert.deepEqual(Array.from(spaAll.timesAugmented), new Array(40).fill(2), 'CA augments every sample once per epoch');
  assert.ok(na.curve.every((p) => p.augmented === 0) && ca.curve.every((p) => p.augmented === 1));
  assert.notDeepEqual(ca.curve, na.curve, 'augmentation changed the training');
  // A middle threshold augments some samples: exactly those above it at their step (counted, between none and all).
  const spa = run('self-paced', 0.5);
  assert.ok(spa.curve.every((p) => p.augmented >= 0 && p.augmented <= 1));
  assert.ok(na.curve.at(-1)!.testAccuracy > 0.9, `the task is learnable: ${na.curve.at(-1)!.testAccuracy}`);
});
