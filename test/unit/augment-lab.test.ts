// The augmentation lab through the core and the CLI: the documented output and its numbers against the
// runs it aggregates, the held-out test set of a dataset without a test split, refusals with one line
// before or as the job starts, no leaked tensors, and a result that saves and reloads exactly.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AUGMENT_FIELDS, AUGMENT_OPS, defaultsOf, type AugmentParams, type AugmentRun } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { encodeIdx } from '../../core/data/idx.ts';
import { cellsOf, classOrder, samplesOf } from '../../core/labs/augment/jobs/compare.ts';
import { AUGMENTATIONS, AUTHORS_AUGMENTATIONS } from '../../models/augment/augment.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import { kairo, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const small = (over: Partial<AugmentParams> = {}): AugmentParams => ({
  ...defaultsOf(AUGMENT_FIELDS),
  arch: 'mlp',
  perClass: [4, 8],
  policies: ['none', 'self-paced'],
  epochs: 2,
  seeds: 2,
  testCount: 150,
  probe: 10,
  probeDraws: 3,
  source: { kind: 'mnist' },
  ...over,
});

async function compare(params: AugmentParams) {
  const job = await core.call('jobs.start', { kind: 'augment.compare', params });
  const end = await core.jobs.wait(job.id);
  return { end, tensors: core.jobs.tensorsOf(job.id) };
}

test('the lab lists the operations the models implement', () => {
  assert.deepEqual([...AUGMENT_OPS], [...AUGMENTATIONS, ...AUTHORS_AUGMENTATIONS]);
});

test('a comparison keeps every run, its cells are their mean ± sd, SPA’s samples are the extremes; saves and reloads exactly', async () => {
  const { end, tensors } = await compare(small());
  assert.equal(end.state, 'done', end.error?.message);
  assert.equal(tensors!.after, tensors!.before, 'the job leaked tensors');
  const r = core.session.labs.augment.result!;
  assert.equal(r.testFrom, 'test');
  assert.equal(r.runs.length, 2 * 2 * 2);
  assert.deepEqual(
    r.runs.map((x) => `${x.perClass}:${x.seed}:${x.policy}`),
    [
      '4:1:none',
      '4:1:self-paced',
      '4:1001:none',
      '4:1001:self-paced',
      '8:1:none',
      '8:1:self-paced',
      '8:1001:none',
      '8:1001:self-paced',
    ],
  );
  for (const c of r.cells) {
    const accs = r.runs
      .filter((x) => x.policy === c.policy && x.perClass === c.perClass)
      .map((x) => x.curve.at(-1)!.testAccuracy);
    const [a, b] = accs as [number, number];
    assert.ok(Math.abs(c.accuracy.mean - (a + b) / 2) < 1e-15);
    assert.ok(Math.abs(c.accuracy.sd - Math.abs(a - b) / Math.SQRT2) < 1e-12, 'sd with n − 1');
  }
  assert.ok(
    r.runs.filter((x) => x.policy === 'none').every((x) => x.curve.every((e) => e.augmented === 0 && e.instability === 0)),
  );
  // Accuracy is a fraction of the 150 test images.
  assert.ok(r.runs.every((x) => x.curve.every((e) => Number.isInteger(Math.round(e.testAccuracy! * 150 * 1e6) / 1e6))));
  const s = r.samples!;
  assert.equal(s.perClass, 4);
  assert.equal(s.seed, 1);
  assert.ok(s.most.every((m, i) => i === 0 || s.most[i - 1]!.times >= m.times));
  assert.ok(s.least.every((m, i) => i === 0 || s.least[i - 1]!.times <= m.times));
  assert.ok(s.most[0]!.times >= s.least[0]!.times);
  // The grid's images are the dataset's training images at those indices, most first.
  const { getDataset } = await import('../../core/data/datasets.ts');
  const mnist = getDataset({ kind: 'mnist' }).train;
  const t = core.session.tensor('augment.samples')!;
  assert.deepEqual(t.shape, [s.most.length + s.least.length, 28, 28]);
  [...s.most, ...s.least].forEach((m, j) => {
    assert.equal(mnist.labels[m.index], m.label);
    assert.deepEqual(
      Array.from(t.data.subarray(j * 784, (j + 1) * 784)),
      Array.from(mnist.images.subarray(m.index * 784, (m.index + 1) * 784)),
    );
  });
  const file = join(tempDir(), 'aug.kairo');
  await core.call('session.save', { path: file });
  const again = new Core({ platform: { carrier: 'web' } });
  try {
    await again.call('session.open', { path: file });
    assert.deepEqual(again.session.labs.augment, core.session.labs.augment);
    assert.deepEqual(Array.from(again.session.tensor('augment.samples')!.data), Array.from(t.data));
  } finally {
    await again.shutdown();
  }
  // The run record keeps each policy's accuracy.
  const rec = core.session.labs.runs.runs.at(-1)!;
  assert.equal(rec.kind, 'augment.compare');
  assert.equal(
    rec.metrics['self-paced @4 accuracy'],
    r.cells.find((c) => c.policy === 'self-paced' && c.perClass === 4)!.accuracy.mean,
  );
});

test('cells and samples on hand-made runs: mean ± sd per epoch, incomplete runs left out, ties broken by loss', () => {
  const ep = (epoch: number, acc: number, inst: number | null) => ({
    epoch,
    trainLoss: 1,
    testLoss: 2 - acc,
    testAccuracy: acc,
    augmented: 0.5,
    threshold: null,
    instability: inst,
    lossShift: 0,
    stepNoise: 0.1,
  });
  const p = small({ perClass: [3], policies: ['conventional'], epochs: 2 });
  const runs: AugmentRun[] = [
    { policy: 'conventional', perClass: 3, seed: 1, curve: [ep(1, 0.2, 1), ep(2, 0.4, 3)], trainSeconds: 2 },
    { policy: 'conventional', perClass: 3, seed: 2, curve: [ep(1, 0.4, 3), ep(2, 0.8, 5)], trainSeconds: 4 },
    { policy: 'conventional', perClass: 3, seed: 3, curve: [ep(1, 0.9, 1)], trainSeconds: 1 },
  ];
  const [c] = cellsOf(p, runs);
  assert.equal(c!.seeds, 2);
  assert.ok(Math.abs(c!.accuracy.mean - 0.6) < 1e-15 && Math.abs(c!.accuracy.sd - Math.sqrt(0.08)) < 1e-15);
  assert.deepEqual(
    c!.curve.map((e) => [e.accuracy!.mean.toFixed(12), e.instability]),
    [
      ['0.300000000000', 2],
      ['0.600000000000', 4],
    ],
  );
  assert.equal(c!.trainSeconds.mean, 3);
  assert.ok(Math.abs(c!.trainSeconds.sd - Math.SQRT2) < 1e-15);
  const split = {
    count: 6,
    shape: [1, 2],
    images: Uint8Array.from({ length: 12 }, (_, i) => i),
    labels: Uint8Array.of(0, 1, 0, 1, 0, 1),
    classes: 2,
    classCounts: [3, 3],
  };
  const res = {
    curve: [],
    timesAugmented: Int32Array.of(3, 0, 3, 1, 0, 2),
    finalLosses: Float32Array.of(0.5, 0.1, 0.9, 0.2, 0.3, 0.4),
    trainSeconds: 0,
  };
  const { samples, images } = samplesOf(res, [5, 4, 3, 2, 1, 0], split, 4, 3, 7);
  assert.deepEqual(
    samples.most.map((m) => m.index),
    [3, 5, 0],
  );
  assert.deepEqual(
    samples.least.map((m) => m.index),
    [4, 1, 2],
  );
  // Class 0 = dataset images 4, 2, 0 (times 0, 1, 2 of 4 epochs); class 1 = 5, 3, 1 (3, 3, 0).
  assert.deepEqual(samples.byClass, [3 / 12, 6 / 12]);
  assert.deepEqual(Array.from(images.data.subarray(0, 4)), [6, 7, 10, 11]);
  // Pearson of (3, 0, 3, 1, 0, 2) with the losses, computed by hand in float64 from the float32 losses.
  const xs = [3, 0, 3, 1, 0, 2];
  const ys = Array.from(res.finalLosses);
  const mx = xs.reduce((a, b) => a + b) / 6;
  const my = ys.reduce((a, b) => a + b) / 6;
  const cov = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const r = cov / Math.sqrt(xs.reduce((a, x) => a + (x - mx) ** 2, 0) * ys.reduce((a, y) => a + (y - my) ** 2, 0));
  assert.ok(Math.abs(samples.lossCorrelation! - r) < 1e-12);
  // The per-class orders are seeded permutations of each class: the smaller sets are prefixes of the larger.
  const o = classOrder(split, mulberry32(1));
  assert.deepEqual(
    o.map((idx) => [...idx].sort()),
    [
      [0, 2, 4],
      [1, 3, 5],
    ],
  );
});

test('without a test split the test images are held-out training images; data that cannot serve is refused in one line', async () => {
  const dir = tempDir();
  // Three classes of 8 × 8 images, 60 each: a bright row whose position is the class, plus noise.
  const rand = mulberry32(2);
  const n = 180;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const images = new Uint8Array(n * 64);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < 64; p++) images[i * 64 + p] = Math.floor(p / 8) === 2 * labels[i]! + 1 ? 220 : Math.floor(60 * rand());
  writeFileSync(join(dir, 'i.idx'), encodeIdx([n, 8, 8], images));
  writeFileSync(join(dir, 'l.idx'), encodeIdx([n], labels));
  const source = {
    kind: 'idx' as const,
    name: 'rows',
    trainImages: join(dir, 'i.idx'),
    trainLabels: join(dir, 'l.idx'),
    testImages: null,
    testLabels: null,
  };
  const { end } = await compare(small({ source, arch: 'cnn', perClass: [10], epochs: 3, learningRate: 0.01 }));
  assert.equal(end.state, 'done', end.error?.message);
  const r = core.session.labs.augment.result!;
  assert.equal(r.testFrom, 'held-out');
  assert.equal(r.classes, 3);
  assert.ok(
    r.cells.every((c) => c.accuracy.mean > 0.9),
    `the rows are learnable: ${r.cells.map((c) => c.accuracy.mean)}`,
  );
  const refused = async (params: AugmentParams, message: RegExp) => {
    const { end } = await compare(params);
    assert.equal(end.state, 'failed');
    assert.match(end.error!.message, message);
    assert.ok(!end.error!.message.includes('\n'));
  };
  await refused(small({ source, perClass: [70] }), /class 0 of rows has 60 training images, fewer than 70 per class/);
  await refused(
    small({ source, perClass: [55] }),
    /rows has no test split and only \d+ training images outside the training sets; 100 are needed/,
  );
  const tiny = join(dir, 't.idx');
  writeFileSync(tiny, encodeIdx([n, 3, 3], new Uint8Array(n * 9)));
  await refused(
    small({ source: { ...source, trainImages: tiny }, arch: 'cnn' }),
    /the CNN pools twice by 2 and needs images of at least 4 × 4; rows has 3 × 3: use --arch mlp/,
  );
});

test('nonsense is refused at jobs.start with one line, before any worker starts', async () => {
  const before = core.jobs.list().length;
  for (const [over, message] of [
    [{ perClass: [10, 10] }, /each training-set size at most once/],
    [{ policies: [] }, /policies/],
    [{ augment: ['shift', 'shift'] }, /at most once/],
    [{ augment: ['blur'] }, /augment/],
    [{ thresholdKind: 'quantile', schedule: 'linear', thresholdEnd: 1 }, /a quantile’s end value must be below 1/],
    [
      {
        perClass: [1000, 999, 998, 997, 996, 995],
        seeds: 10,
        epochs: 200,
        policies: ['none', 'conventional', 'self-paced', 'rand'],
      },
      /million image passes/,
    ],
  ] as [Partial<AugmentParams>, RegExp][])
    await assert.rejects(core.call('jobs.start', { kind: 'augment.compare', params: small(over) }), (e: Error) => {
      assert.match(e.message, /^augment\.compare/);
      assert.match(e.message, message);
      assert.ok(!e.message.includes('\n'), e.message);
      return true;
    });
  assert.equal(core.jobs.list().length, before);
});

test('a cancelled comparison keeps the runs that finished, marked partial', async () => {
  const job = await core.call('jobs.start', { kind: 'augment.compare', params: small({ perClass: [8], seeds: 3, epochs: 3 }) });
  await new Promise<void>((resolve) => {
    const stop = core.subscribe((e) => {
      const info = e.payload as { id?: string; progress?: { step: number } };
      if (e.topic === 'job.update' && info.id === job.id && (info.progress?.step ?? 0) >= 7) {
        stop();
        void core.call('jobs.cancel', { id: job.id }).then(() => resolve());
      }
    });
  });
  const end = await core.jobs.wait(job.id);
  assert.equal(end.state, 'cancelled');
  const r = core.session.labs.augment.result!;
  assert.equal(r.partial, true);
  assert.ok(r.runs.length >= 2 && r.runs.length < 6, `${r.runs.length} runs kept`);
  assert.ok(
    r.runs.every((x) => x.curve.length === 3),
    'only whole runs',
  );
});

test('kairo augment run prints test_accuracy {mean, sd}, curves and augmented_fraction per epoch; one policy and size only', () => {
  const args = ['--per-class', '5', '--epochs', '2', '--seeds', '2', '--test-count', '120', '--probe', '0', '--arch', 'mlp'];
  const r = kairo('augment', 'run', '--policy', 'self-paced', '--threshold', '0.5', '--augment', 'shift,rotate,elastic', ...args);
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.deepEqual(Object.keys(o.test_accuracy).sort(), ['mean', 'sd']);
  assert.equal(o.curves.length, 2);
  assert.equal(o.augmented_fraction.length, 2);
  assert.deepEqual(
    o.augmented_fraction,
    o.curves.map((c: { augmented_fraction: number }) => c.augmented_fraction),
  );
  assert.equal(o.test_accuracy.mean, o.curves[1].test_accuracy);
  const accs = o.per_seed.map((s: { test_accuracy: number }) => s.test_accuracy);
  assert.ok(Math.abs(o.test_accuracy.mean - (accs[0] + accs[1]) / 2) < 1e-15);
  assert.deepEqual(o.instability, [null, null], 'no probe: not measured');
  const two = kairo('augment', 'run', '--policy', 'none,self-paced', ...args);
  assert.equal(two.code, 2);
  assert.match(two.err, /augment run takes one --policy and one --per-class; use augment compare for several/);
  const bad = kairo('augment', 'run', '--augment', 'shift,blur', ...args);
  assert.match(
    bad.err,
    /--augment takes a comma-separated list of shift, rotate, scale, elastic, noise, erase, translate, .*; got "blur"/,
  );
});
