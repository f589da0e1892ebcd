// Non-finite results end a job as a visible "diverged" outcome that says what and where; nothing
// non-finite is stored, and the CLI exits non-zero (issue 13, defect 3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { DIVERGENCE_GROWTH, firstNonFinite, LossWatch } from '../../core/errors.ts';
import { defaultRecall, defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

test('the first non-finite number of a result is named by its path', () => {
  assert.equal(firstNonFinite({ a: [1, 2, { b: NaN }] }), 'result.a[2].b is NaN');
  assert.equal(firstNonFinite({ a: 1 }, { 'x.W': { data: Float32Array.of(0, -Infinity) } }), 'tensor x.W[1] is -Infinity');
  assert.equal(firstNonFinite({ a: [1, null, 'NaN'], b: { c: 3 } }, { t: { data: Int32Array.of(1) } }), null);
});

const job = async (kind: 'vae.train' | 'vae.recall', params: unknown) =>
  core.jobs.wait((await core.call('jobs.start', { kind, params } as never)).id);

test('a loss is diverged when non-finite, or once it exceeds 10⁶ times its first value (taken as at least 1)', () => {
  const w = new LossWatch('the loss');
  w.check(500, 1);
  w.check(-400, 2); // magnitudes, so an NLL that crosses zero is not a divergence
  w.check(500 * DIVERGENCE_GROWTH, 3); // at the bound: still training
  assert.throws(() => w.check(500 * DIVERGENCE_GROWTH * 1.01, 4), /^KairoError: diverged: the loss grew to 5\.05e\+8 at step 4/);
  assert.throws(() => new LossWatch('x').check(NaN, 7), /diverged: x became NaN at step 7/);
  const small = new LossWatch('mse');
  small.check(1e-4, 1);
  small.check(9e5, 2); // a tiny first loss counts as 1: 9·10⁵ is not yet a divergence
  assert.throws(() => small.check(2e6, 3), /grew to 2\.00e\+6/);
});

test('a VAE at learning rate 1 (the reported −ELBO of 10²⁴) ends "diverged" by growth while its loss is still finite', async () => {
  const end = await job('vae.train', { ...defaultVaeTrain(), epochs: 1, trainSize: 2000, batchSize: 100, learningRate: 1 });
  assert.equal(end.state, 'diverged');
  assert.match(end.error!.message, /^diverged: the training loss grew to \S+ at step \d+, over 10⁶ times its first value/);
  assert.equal(core.session.labs.vae.result, null);
});

test('a training run whose loss goes non-finite ends "diverged" at that step and stores nothing', async () => {
  const end = await job('vae.train', {
    ...defaultVaeTrain(),
    hidden: [64],
    latent: 2,
    epochs: 1,
    trainSize: 2000,
    decoder: 'gaussian',
    learningRate: 1,
  });
  assert.equal(end.state, 'diverged');
  assert.equal(end.error!.code, 'diverged');
  assert.match(end.error!.message, /^diverged: the training loss (became (NaN|-?Infinity)|grew to \S+) at step \d+/);
  assert.equal(core.session.labs.vae.result, null);
  // Not dropped: the run is kept, marked diverged, with the reason.
  const run = core.session.labs.runs.runs.at(-1)!;
  assert.equal(run.kind, 'vae.train');
  assert.equal(run.outcome, 'diverged');
  assert.equal(run.error, end.error!.message);
  assert.equal((run.params as { learningRate: number }).learningRate, 1);
});

test('a result with NaN in it (recall through NaN weights) ends "diverged", and the session keeps its earlier runs', async () => {
  const ok = await job('vae.train', { ...defaultVaeTrain(), hidden: [32], latent: 2, epochs: 1, trainSize: 1000 });
  assert.equal(ok.state, 'done');
  const r1 = await job('vae.recall', { ...defaultRecall(), noise: [0], samples: 50, iterations: 2, strips: 0 });
  assert.equal(r1.state, 'done');
  const lab = core.session.labs.vae;
  // Poison one weight in memory, as a damaged model would be.
  const W = core.session.tensor('vae.model.dec.out.b')!;
  const saved = W.data[0]!;
  (W.data as Float32Array)[0] = NaN;
  const r2 = await job('vae.recall', { ...defaultRecall(), noise: [0], samples: 50, iterations: 2, strips: 0 });
  (W.data as Float32Array)[0] = saved;
  assert.equal(r2.state, 'diverged');
  assert.match(r2.error!.message, /^diverged: result\[0\]\.points\[1\]\.\w+ is NaN; nothing was stored$/);
  assert.deepEqual(core.session.labs.vae.runs, lab.runs);
  // The run record keeps the curves, with the non-finite step flagged (null) rather than dropped.
  const run = core.session.labs.runs.runs.at(-1)!;
  assert.equal(run.kind, 'vae.recall');
  assert.equal(run.outcome, 'diverged');
  const d = run.curves.find((c) => c.name.startsWith('distance to concept'))!;
  assert.equal(typeof d.y[0], 'number');
  assert.equal(d.y[1], null);
});

test('kairo exits 2 with one line naming the divergence', () => {
  const r = spawnSync(
    process.execPath,
    [
      'bin/kairo.mjs',
      'vae',
      'train',
      '--latent',
      '2',
      '--hidden',
      '64',
      '--epochs',
      '1',
      '--train-size',
      '2000',
      '--decoder',
      'gaussian',
      '--lr',
      '1',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, KAIRO_HOME: tempDir() },
    },
  );
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^kairo: error: diverged: the training loss (became|grew to) \S+ at step \d+/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
