// The hierarchical data source and the level metrics of the VAE lab (issue 12), each against an
// independent computation: binomial statistics of the generator, hand-computed distances,
// direct means, brute-force scans of curves, and a float64 re-encoding of the stored model.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { VAE_PAPER_PRESET, type HierarchicalSource, type VaeTrainParams } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { getDataset } from '../../core/data/datasets.ts';
import { defaultRecall, defaultVaeTrain, vaeLabSchema } from '../../core/labs/vae/state.ts';
import { startStates } from '../../core/labs/vae/jobs/model.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import { generateHierarchical, patternShape } from '../../models/vae/hierarchical.ts';
import { conceptVectors, curveMinimum, hierarchyCentres, levelMetrics, normalised, t90 } from '../../models/vae/recall.ts';
import { runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
let core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const agree = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, j) => s + (v === b[j] ? 1 : 0), 0);

test('the generator copies each bit from its parent with probability (1 + b)/2, within sampling error, and reproduces from its seed', () => {
  const spec = {
    patternDim: 400,
    roots: 3,
    concepts: 5,
    memories: 40,
    testMemories: 20,
    biasConcept: 0.3,
    biasMemory: 0.6,
    seed: 7,
  };
  const p = generateHierarchical(spec);
  const N = spec.patternDim;
  const K = spec.roots * spec.concepts;
  const row = (X: Uint8Array, i: number) => X.subarray(i * N, (i + 1) * N);
  // Roots: fair bits. Concepts vs their root: (1 + b₁)/2. Memories vs their concept: (1 + b₂)/2; held-out likewise.
  const check = (hits: number, trials: number, prob: number, what: string) => {
    const sd = Math.sqrt((trials * prob * (1 - prob)) / trials ** 2);
    assert.ok(Math.abs(hits / trials - prob) < 4 * sd, `${what}: ${hits / trials} vs ${prob} (sd ${sd})`);
  };
  check(
    p.roots.reduce((s, v) => s + v, 0),
    p.roots.length,
    0.5,
    'root bits',
  );
  let hits = 0;
  for (let k = 0; k < K; k++) hits += agree(row(p.concepts, k), row(p.roots, Math.floor(k / spec.concepts)));
  check(hits, K * N, (1 + spec.biasConcept) / 2, 'concept vs root');
  for (const [X, labels, what] of [
    [p.train, p.trainLabels, 'memory'],
    [p.test, p.testLabels, 'held-out'],
  ] as const) {
    hits = 0;
    labels.forEach((c, i) => (hits += agree(row(X, i), row(p.concepts, c))));
    check(hits, labels.length * N, (1 + spec.biasMemory) / 2, `${what} vs concept`);
    assert.deepEqual([...new Set(labels)].length, K);
    assert.ok(X.every((v) => v === 0 || v === 1));
  }
  // Two memories of one concept agree on (1 + b₂²)/2 of their bits.
  hits = 0;
  for (let c = 0; c < K; c++) hits += agree(row(p.train, c * spec.memories), row(p.train, c * spec.memories + 1));
  check(hits, K * N, (1 + spec.biasMemory ** 2) / 2, 'memory vs memory');
  // Same seed, same patterns; more held-out memories leave the training memories unchanged.
  assert.deepEqual(generateHierarchical(spec).train, p.train);
  const more = generateHierarchical({ ...spec, testMemories: 35 });
  assert.deepEqual(more.train, p.train);
  assert.deepEqual(more.test.subarray(0, 0), p.test.subarray(0, 0));
  assert.notDeepEqual(generateHierarchical({ ...spec, seed: 8 }).train, p.train);
  assert.deepEqual(
    [patternShape(100), patternShape(784), patternShape(13), patternShape(12)],
    [
      [10, 10],
      [28, 28],
      [1, 13],
      [3, 4],
    ],
  );
});

test('the hierarchical dataset: pixels 0/255, labels are concepts, bad settings are refused with the field named', () => {
  const src: HierarchicalSource = { ...VAE_PAPER_PRESET.data };
  const ds = getDataset(src);
  assert.deepEqual(ds.train.shape, [10, 10]);
  assert.equal(ds.train.count, 800);
  assert.equal(ds.test!.count, 800);
  assert.deepEqual(ds.train.classCounts, new Array(8).fill(100));
  assert.ok(ds.train.images.every((v) => v === 0 || v === 255));
  assert.deepEqual(
    ds.train.images,
    Uint8Array.from(generateHierarchical(src).train, (b) => b * 255),
  );
  assert.throws(() => getDataset({ ...src, roots: 16, concepts: 16 }), /hierarchical data\.concepts: roots × concepts is 256/);
  assert.throws(() => getDataset({ ...src, biasMemory: 1.5 }), /hierarchical data\.biasMemory/);
  assert.throws(() => getDataset({ ...src, patternDim: 2.5 }), /hierarchical data\.patternDim/);
  assert.equal(getDataset({ ...src, testMemories: 0 }).test, null);
});

test('level metrics on a hand-computed case', () => {
  // d = 2; concepts 0, 1 under root 0, concept 2 under root 1 (hierarchy 2 roots × 2, concept 3 unused).
  const concepts = [0, 0, 4, 0, 0, 10, 9, 9];
  const roots = [2, 0, 0, 10];
  const global = [1, 3];
  const Z = [0, 1, 4, 0, 3, 0, 0, 8];
  const memory = [0, 0, 4, 2, 3, 0, 0, 0];
  const labels = [0, 1, 0, -1];
  const m = levelMetrics(Z, 4, 2, { memory, labels, concepts, classes: 4, rootOf: [0, 0, 1, 1], roots, global });
  // State 0 (0,1): memory 1, concept 1, root √5, global √5 → tie memory/concept goes to memory.
  // State 1 (4,0): memory 2, concept 0 → concept. State 2 (3,0): memory 0 → memory.
  // State 3 (0,8): no concept; global √26, memory 8.
  assert.ok(Math.abs(m.distMemory! - (1 + 2 + 0 + 8) / 4) < 1e-12);
  assert.ok(Math.abs(m.distConcept! - (1 + 0 + 3) / 3) < 1e-12);
  assert.ok(Math.abs(m.distRoot! - (Math.sqrt(5) + Math.sqrt(4) + 1) / 3) < 1e-12);
  assert.ok(Math.abs(m.distGlobal! - (Math.sqrt(5) + Math.sqrt(18) + Math.sqrt(13) + Math.sqrt(26)) / 4) < 1e-12);
  assert.deepEqual(m.nearestLevel, { memory: 2 / 3, concept: 1 / 3, root: 0, global: 0 });
  // Same-concept pairs: only states 0 and 2 (concept 0): distance √10.
  assert.ok(Math.abs(m.withinConceptSpread! - Math.sqrt(10)) < 1e-12);
  // Without roots or memories those levels are null and the fractions cover the rest.
  const flat = levelMetrics(Z, 4, 2, { memory: null, labels, concepts, classes: 4, rootOf: null, roots: null, global });
  assert.equal(flat.distMemory, null);
  assert.equal(flat.distRoot, null);
  // State 0: concept 1 < global √5; state 1: concept 0; state 2: concept 3 < global √13.
  assert.deepEqual(flat.nearestLevel, { memory: null, concept: 1, root: null, global: 0 });
  // A state far out on the global side: (1, 6) is 3 from the global centre, 6.1 from concept 0.
  const far = levelMetrics([1, 6], 1, 2, { memory: null, labels: [0], concepts, classes: 4, rootOf: null, roots: null, global });
  assert.deepEqual(far.nearestLevel, { memory: null, concept: 0, root: null, global: 1 });
  assert.equal(
    levelMetrics(Z, 4, 2, { memory: null, labels: [-1, -1, -1, -1], concepts, classes: 4, rootOf: null, roots: null, global })
      .nearestLevel,
    null,
  );
});

test('root and global centres from concept means and counts equal the direct means of the codes', () => {
  const r = mulberry32(3);
  const n = 500;
  const d = 3;
  const C = 3;
  const Z = Float64Array.from({ length: n * d }, () => r() * 4 - 2);
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * 6));
  const { concepts, counts } = conceptVectors(Z, labels, n, d, 6);
  const c = hierarchyCentres(concepts, counts, 6, d, { roots: 2, conceptsPerRoot: C });
  const direct = conceptVectors(
    Z,
    Int32Array.from(labels, (l) => Math.floor(l / C)),
    n,
    d,
    2,
  ).concepts;
  const all = conceptVectors(Z, new Int32Array(n), n, d, 1).concepts;
  direct.forEach((v, i) => assert.ok(Math.abs(v - c.roots![i]!) < 1e-12));
  all.forEach((v, i) => assert.ok(Math.abs(v - c.global[i]!) < 1e-12));
  assert.deepEqual([...c.rootOf!], [0, 0, 0, 1, 1, 1]);
  assert.equal(hierarchyCentres(concepts, counts, 6, d, null).roots, null);
});

test('curve minimum, normalisation and t90 against a brute-force scan', () => {
  const r = mulberry32(5);
  for (let trial = 0; trial < 200; trial++) {
    const c = Array.from({ length: 2 + Math.floor(r() * 20) }, () => 0.1 + r());
    const m = curveMinimum(normalised(c))!;
    let best = 0;
    for (let t = 1; t < c.length; t++) if (c[t]! < c[best]!) best = t;
    assert.equal(m.step, best);
    assert.ok(Math.abs(m.min - c[best]! / c[0]!) < 1e-12);
    const t9 = t90(c);
    if (best === 0) assert.equal(t9, null);
    else {
      const target = c[0]! - 0.9 * (c[0]! - c[best]!);
      assert.ok(c[t9!]! <= target && c.slice(0, t9!).every((v) => v > target), `t90 of ${c}`);
    }
  }
  assert.deepEqual(normalised([0, 1, 2]), [null, null, null]);
  assert.equal(curveMinimum([null, null]), null);
});

test('noise kinds: bit flips at rate p, Gaussian clipped, salt-and-pepper, pure noise has no start', () => {
  const split = getDataset({ ...VAE_PAPER_PRESET.data }).train;
  const s = startStates(split, 800, 'bitflip', 0.2, mulberry32(1));
  let flips = 0;
  s.X.forEach((v, i) => (flips += v !== s.clean![i] ? 1 : 0));
  const sd = Math.sqrt((0.2 * 0.8) / s.X.length);
  assert.ok(Math.abs(flips / s.X.length - 0.2) < 4 * sd, `flip rate ${flips / s.X.length}`);
  assert.ok(s.X.every((v, i) => v === s.clean![i] || v === 1 - s.clean![i]!));
  const g = startStates(split, 100, 'gaussian', 0.5, mulberry32(1));
  assert.ok(g.X.every((v) => v >= 0 && v <= 1) && g.X.some((v) => v > 0 && v < 1));
  const sp = startStates(split, 100, 'saltpepper', 1, mulberry32(1));
  assert.ok(sp.X.every((v) => v === 0 || v === 1));
  const pure = startStates(split, 50, 'pure', 0, mulberry32(1));
  assert.equal(pure.clean, null);
  assert.ok(pure.labels.every((l) => l === -1));
});

test('sessions from before the level metrics load: recall drafts migrate, old sweeps without minima drop', () => {
  const legacy = {
    draft: { ...defaultVaeTrain() },
    result: null,
    recallDraft: { start: 'saltpepper', noise: [0.1], samples: 100, iterations: 5, mode: 'mean', strips: 4, seed: 2 },
    runs: [],
    sweepDraft: { latents: [2], noise: [0], hidden: [64], epochs: 1, trainSize: 100, samples: 10, iterations: 3, seed: 1 },
    sweep: {
      params: {
        source: { kind: 'mnist' },
        latents: [2],
        noise: [0],
        hidden: [64],
        epochs: 1,
        trainSize: 100,
        samples: 10,
        iterations: 3,
        seed: 1,
      },
      cells: [{ latent: 2, noise: 0, distStart: 1, distEnd: 2, fracStart: 0.5, fracEnd: 0.4, t90: 3, testNegElbo: null }],
      partial: false,
    },
  };
  const s = vaeLabSchema.parse(legacy);
  assert.deepEqual(
    { start: s.recallDraft.start, noiseKind: s.recallDraft.noiseKind, xMode: s.recallDraft.xMode },
    { start: 'test', noiseKind: 'saltpepper', xMode: 'mean' },
  );
  assert.equal(s.sweep, null);
  assert.deepEqual(
    { seeds: s.sweepDraft.seeds, levelStep: s.sweepDraft.levelStep, noiseKind: s.sweepDraft.noiseKind },
    { seeds: 1, levelStep: 5, noiseKind: 'gaussian' },
  );
});

const paperTrain = (p: Partial<VaeTrainParams> = {}): VaeTrainParams => ({
  ...defaultVaeTrain(),
  ...VAE_PAPER_PRESET.train,
  hidden: [64],
  source: { ...VAE_PAPER_PRESET.data },
  ...p,
});

const run = (kind: 'vae.train' | 'vae.recall' | 'vae.sweep', params: unknown) => runJobDone(core, kind, params);

test('a session keeps the data settings, not the patterns; reloaded, it regenerates them and recall continues identically', async () => {
  await run('vae.train', paperTrain({ epochs: 3 }));
  const r = core.session.labs.vae.result!;
  assert.deepEqual(r.hierarchy, { roots: 2, conceptsPerRoot: 4 });
  assert.equal(r.rootsProjected!.length, 2);
  const recall = { ...defaultRecall(), ...VAE_PAPER_PRESET.recall, noise: [0.1], samples: 200, iterations: 5, strips: 2 };
  await run('vae.recall', recall);
  const file = join(tempDir(), 'h.kairo');
  await core.call('session.save', { path: file });
  assert.ok(existsSync(file));
  const names = Object.keys(core.session.view().tensors);
  assert.ok(!names.some((n) => n.startsWith('data.')), `no pattern tensors: ${names}`);
  const first = core.session.labs.vae.runs[0]!;
  await core.shutdown();
  core = new Core({ platform: { carrier: 'web' } });
  await core.call('session.open', { path: file });
  assert.deepEqual(core.session.labs.vae.result!.params.source, VAE_PAPER_PRESET.data);
  await run('vae.recall', recall);
  const again = core.session.labs.vae.runs.at(-1)!;
  assert.deepEqual(again.points, first.points);
  // x sampled from p(x|z): different trajectories from the mean mode, reproducible from the seed, binary images.
  await run('vae.recall', { ...recall, xMode: 'sample' });
  await run('vae.recall', { ...recall, xMode: 'sample' });
  const [a, b] = core.session.labs.vae.runs.slice(-2);
  assert.deepEqual(a!.points, b!.points);
  assert.notDeepEqual(a!.points, first.points);
  const strips = core.session.tensor(a!.tensors.strips)!.data;
  const D = 100;
  // Columns t ≥ 1 of a strip are Bernoulli draws: 0 or 255 only.
  for (let t = 1; t <= 5; t++) for (let j = 0; j < D; j++) assert.ok([0, 255].includes(strips[t * D + j]!));
});

test('pairwise distance sums: the Gram route equals the float64 loop', async () => {
  const { pairDistanceSums } = await import('../../models/vae/recall.ts');
  await (await import('../../core/backend.ts')).initBackend();
  const r = mulberry32(9);
  const n = 300;
  const d = 7;
  // Offset far from the origin: the Gram route centres first, so no cancellation.
  const Z = Float32Array.from({ length: n * d }, () => 30 + r() * 3);
  const labels = Int32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? -1 : i % 4));
  const loop = pairDistanceSums(Z, n, d, labels, 'loop');
  const gram = pairDistanceSums(Z, n, d, labels, 'gram');
  assert.equal(gram.samePairs, loop.samePairs);
  assert.ok(Math.abs(gram.all / loop.all - 1) < 1e-5, `${gram.all} vs ${loop.all}`);
  assert.ok(Math.abs(gram.same / loop.same - 1) < 1e-5, `${gram.same} vs ${loop.same}`);
});
