import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { DensityGrid, HopfieldTrainParams, JobInfo } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { defaultHopfieldTrain } from '../../core/labs/hopfield/state.ts';
import { makeMachine, meanNll, rbmAsMachine } from '../../models/hopfield/machine.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

async function train(params: HopfieldTrainParams) {
  const job = await core.call('jobs.start', { kind: 'hopfield.train', params });
  const end = await core.jobs.wait(job.id);
  assert.equal(end.state, 'done', end.error?.message);
  const t = core.jobs.tensorsOf(job.id)!;
  assert.equal(t.after, t.before, 'the training job leaked tensors');
  return core.session.labs.hopfield.result!;
}

const f64 = (name: string) => Float64Array.from(core.session.tensor(name)!.data);

test('a toy run stores a machine whose reported NLLs match the float64 reference and whose density integrates to 1', async () => {
  const previews: DensityGrid[] = [];
  const stop = core.subscribe((e) => {
    if (e.topic === 'job.update') {
      const p = (e.payload as JobInfo).progress?.preview;
      if (p?.kind === 'density') previews.push(p.grid);
    }
  });
  const r = await train({ ...defaultHopfieldTrain(), epochs: 30 });
  stop();
  // The density streamed while training is a proper density on the data's frame.
  assert.ok(previews.length >= 1, 'no live density preview');
  const pv = previews.at(-1)!;
  assert.equal(pv.n, 60);
  const pcell = ((pv.x1 - pv.x0) / 59) * ((pv.y1 - pv.y0) / 59);
  assert.ok(Math.abs(pv.logDensity.reduce((s, l) => s + Math.exp(l), 0) * pcell - 1) < 0.05);
  assert.equal(r.partial, false);
  assert.ok(r.curve.length >= 2 && r.curve.at(-1)!.test! < r.curve[0]!.test! - 0.5, 'test NLL did not fall');
  const m = makeMachine(f64('hopfield.W'), f64('hopfield.b'), f64('hopfield.c'), r.params.hidden, 2);
  assert.ok(Math.abs(meanNll(m, f64('hopfield.test'), r.testPatterns) - r.testNll!) < 1e-3);
  assert.ok(Math.abs(meanNll(m, f64('hopfield.train'), r.patterns) - r.trainNll) < 1e-3);
  // Training data really are the configured mixture: cluster means near the reported centres.
  const labels = core.session.tensor('hopfield.trainLabels')!.data;
  const X = f64('hopfield.train');
  r.trueCentres!.forEach((c, k) => {
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] === k) ((sx += X[2 * i]!), (sy += X[2 * i + 1]!), n++);
    assert.ok(Math.hypot(sx / n - c[0]!, sy / n - c[1]!) < 0.3);
  });
  const g = await core.call('hopfield.density', { n: 120 });
  const cell = ((g.x1 - g.x0) / (g.n - 1)) * ((g.y1 - g.y0) / (g.n - 1));
  const mass = g.logDensity.reduce((s, l) => s + Math.exp(l), 0) * cell;
  assert.ok(Math.abs(mass - 1) < 0.02, `mass ${mass}`);
  assert.equal(g.centres.length, 5);
  assert.ok(Math.abs(g.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
});

test('toy retrieval moves a noisy point to a centre; the summary lands in the session and survives save/open', async () => {
  const run = await core.call('hopfield.retrieve', {
    memory: 'machine',
    index: 3,
    corruption: 'noise',
    level: 1,
    beta: 1,
    steps: 10,
    seed: 2,
  });
  assert.equal(run.frames, null);
  assert.equal(run.path!.length, 11);
  const g = await core.call('hopfield.density', { n: 20 });
  const end = run.path!.at(-1)!;
  const nearestCentre = Math.min(...g.centres.map((c) => Math.hypot(c[0]! - end[0]!, c[1]! - end[1]!)));
  assert.ok(nearestCentre < 0.5, `final state ${nearestCentre} from the nearest centre`);
  // The toy's success is judged by cluster: the final state sits nearest its own cluster's true centre.
  const r = core.session.labs.hopfield.result!;
  const own = core.session.tensor('hopfield.trainLabels')!.data[3]!;
  const d = r.trueCentres!.map((c) => Math.hypot(c[0]! - end[0]!, c[1]! - end[1]!));
  assert.equal(run.summary.ownCluster, own);
  assert.equal(run.summary.nearest, d.indexOf(Math.min(...d)));
  assert.equal(run.summary.success, run.summary.nearest === own);
  const file = join(tempDir(), 'toy.kairo');
  await core.call('session.save', { path: file });
  const before = core.session.labs.hopfield;
  await core.call('session.new', {});
  assert.equal(core.session.labs.hopfield.result, null);
  const v = await core.call('session.open', { path: file });
  assert.deepEqual(v.labs.hopfield, before);
  assert.deepEqual(core.session.labs.hopfield.lastRetrieval, run.summary);
  const again = await core.call('hopfield.retrieve', run.summary.settings);
  assert.deepEqual(again.path, run.path);
});

test('bad requests get one-line errors and change nothing', async () => {
  const before = JSON.stringify(core.session.labs.hopfield);
  await assert.rejects(
    core.call('hopfield.retrieve', {
      memory: 'machine',
      index: 99999,
      corruption: 'noise',
      level: 1,
      beta: 1,
      steps: 5,
      seed: 1,
    }),
    /index 99999 is past/,
  );
  await assert.rejects(
    core.call('hopfield.retrieve', { memory: 'machine', index: 0, corruption: 'noise', level: 1, beta: -1, steps: 5, seed: 1 }),
    /beta: Number must be greater than 0/,
  );
  await assert.rejects(core.call('hopfield.machine', { samples: 4, seed: 1 }), /needs image data/);
  await assert.rejects(
    core
      .call('jobs.start', { kind: 'hopfield.train', params: { ...defaultHopfieldTrain(), model: 'gbrbm', hidden: 20 } })
      .then((j) => core.jobs.wait(j.id))
      .then((e) => {
        throw new Error(e.error!.message);
      }),
    /K must be at most 12/,
  );
  assert.equal(JSON.stringify(core.session.labs.hopfield), before);
});

test('MNIST patterns: a GB-RBM trains, completion beats the mean image, retrieval from memorised patterns succeeds', async () => {
  const r = await train({
    ...defaultHopfieldTrain(),
    data: { kind: 'images', source: { kind: 'mnist' }, patterns: 60, testPatterns: 40, zca: false },
    model: 'gbrbm',
    hidden: 6,
    epochs: 20,
    batchSize: 20,
    learningRate: 0.02,
  });
  assert.equal(r.components, 64);
  // The session's GB-RBM, expanded independently to its 64 components, has the reported NLL.
  const m = rbmAsMachine(f64('hopfield.W'), f64('hopfield.b'), f64('hopfield.c'), 6, 784);
  assert.ok(Math.abs(meanNll(m, f64('hopfield.train'), 60) - r.trainNll) < 0.05);
  const view = await core.call('hopfield.machine', { samples: 8, seed: 1 });
  assert.deepEqual(view.fields.shape, [6, 28, 28]);
  assert.deepEqual(view.samples.shape, [8, 28, 28]);

  // An AttnBM with a key per pattern (started at the patterns) completes a stored digit better
  // than the mean image does.
  await train({
    ...defaultHopfieldTrain(),
    data: { kind: 'images', source: { kind: 'mnist' }, patterns: 60, testPatterns: 40, zca: false },
    hidden: 60,
    epochs: 5,
    batchSize: 20,
    learningRate: 0.01,
  });

  const c = await core.call('hopfield.complete', { split: 'train', index: 5, mask: 'bottom', fraction: 0.4, seed: 1 });
  assert.deepEqual(c.images.shape, [3, 28, 28]);
  assert.ok(c.mseCompleted < c.mseMean, `completion ${c.mseCompleted} vs mean ${c.mseMean}`);

  // With the patterns themselves as keys and a sharp β, a half-occluded digit comes back.
  const run = await core.call('hopfield.retrieve', {
    memory: 'patterns',
    index: 7,
    corruption: 'occlude',
    level: 0.3,
    beta: 1,
    steps: 3,
    seed: 1,
  });
  assert.deepEqual(run.frames!.shape, [4, 28, 28]);
  assert.deepEqual(run.overlaps.shape, [4, 60]);
  assert.ok(run.summary.success, JSON.stringify(run.summary));
  assert.ok(run.summary.overlapTarget.at(-1)! > run.summary.overlapTarget[0]!);
  // A tiny β averages every memory instead: the state drifts to the mean, not the pattern.
  const flat = await core.call('hopfield.retrieve', {
    memory: 'patterns',
    index: 7,
    corruption: 'occlude',
    level: 0.3,
    beta: 1e-4,
    steps: 3,
    seed: 1,
  });
  assert.equal(flat.summary.success, false);
});

test('the capacity experiment: success falls with corruption and rises with β', async () => {
  const job = await core.call('jobs.start', {
    kind: 'hopfield.capacity',
    params: {
      source: { kind: 'mnist' },
      betas: [0.001, 1],
      patternCounts: [20, 100],
      corruption: 'missing',
      levels: [0.1, 0.9],
      trials: 6,
      steps: 3,
      seed: 1,
    },
  });
  const end = await core.jobs.wait(job.id);
  assert.equal(end.state, 'done', end.error?.message);
  const pts = core.session.labs.hopfield.capacity!.points;
  assert.equal(pts.length, 8);
  const at = (beta: number, P: number, level: number) =>
    pts.find((p) => p.beta === beta && p.patterns === P && p.level === level)!.success;
  assert.equal(at(1, 20, 0.1), 1);
  assert.ok(at(1, 100, 0.9) <= at(1, 100, 0.1));
  assert.ok(at(0.001, 100, 0.1) <= at(1, 100, 0.1));
});
