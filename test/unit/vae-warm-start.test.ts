// "A further training can continue from it" (issue 33, item 3): with Continue from the current
// model (--warm-start), VAE training starts from the lab's model (the last training, or an opened
// run) instead of fresh weights. Checked against the model itself: at a learning rate of 10⁻⁹ a
// warm-started training ends within 10⁻⁶ of the weights it started from, while a fresh one is
// O(0.1) away; a mismatched architecture or a session without a model is refused before any worker.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { VAE_PAPER_PRESET, type VaeTrainParams } from '../../core/contract.ts';
import { defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const params = (p: Partial<VaeTrainParams>): VaeTrainParams => ({
  ...defaultVaeTrain(),
  ...VAE_PAPER_PRESET.train,
  source: VAE_PAPER_PRESET.data,
  hidden: [32],
  latent: 4,
  epochs: 2,
  ...p,
});
const weights = () =>
  Object.fromEntries(
    core.session.labs.vae
      .result!.tensors.filter((n) => n.startsWith('vae.model.'))
      .map((n) => [n, Float32Array.from(core.session.tensor(n)!.data as Float32Array)]),
  );
const maxDiff = (a: Record<string, Float32Array>, b: Record<string, Float32Array>) =>
  Math.max(...Object.keys(a).map((k) => a[k]!.reduce((m, v, i) => Math.max(m, Math.abs(v - b[k]![i]!)), 0)));

test('no model yet: a warm start is refused before any worker, in one line naming the flag', async () => {
  await assert.rejects(
    core.call('jobs.start', { kind: 'vae.train', params: params({ warmStart: true }) }),
    /^KairoError: --warm-start: there is no current model/,
  );
});

test('a warm start continues from the opened run’s weights; a fresh start does not', async () => {
  await runJobDone(core, 'vae.train', params({ seed: 1 }));
  const first = weights();
  await runJobDone(core, 'vae.train', params({ seed: 2 }));
  assert.ok(maxDiff(first, weights()) > 0.05, 'two fresh trainings differ');
  await core.call('runs.open', { id: 'r1' });
  await runJobDone(core, 'vae.train', params({ seed: 3, epochs: 1, learningRate: 1e-9, warmStart: true }));
  assert.ok(maxDiff(first, weights()) < 1e-6, `warm start moved the weights by ${maxDiff(first, weights())}`);
  await runJobDone(core, 'vae.train', params({ seed: 3, epochs: 1, learningRate: 1e-9 }));
  assert.ok(maxDiff(first, weights()) > 0.05, 'a fresh start began from the current model');
  // The runs table tells the two apart.
  assert.deepEqual(
    core.session.labs.runs.runs.slice(-2).map((r) => (r.params as VaeTrainParams).warmStart),
    [true, false],
  );
});

test('another architecture is refused before any worker, naming what differs', async () => {
  await assert.rejects(
    core.call('jobs.start', { kind: 'vae.train', params: params({ latent: 5, warmStart: true }) }),
    /--warm-start: the current model's latent is 4, this training's is 5/,
  );
});
