import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JobInfo, JobPreview, VaeTrainParams } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { getDataset } from '../../core/data/datasets.ts';
import { defaultRecall, defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { mulberry32, permutation } from '../../models/common/rng.ts';
import { runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
let core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const small = (p: Partial<VaeTrainParams> = {}): VaeTrainParams => ({
  ...defaultVaeTrain(),
  hidden: [64],
  latent: 2,
  epochs: 2,
  trainSize: 2000,
  ...p,
});

const run = (kind: 'vae.train' | 'vae.recall' | 'vae.sweep', params: unknown) => runJobDone(core, kind, params);

/** Encoder means in float64 from the session's weights, written independently of tfjs. */
function encoderMeans(X: Float64Array, n: number): Float64Array {
  const t = (k: string) => core.session.tensor(`vae.model.${k}`)!;
  const dense = (x: Float64Array, name: string, relu: boolean) => {
    const W = t(`${name}.W`);
    const b = t(`${name}.b`).data;
    const [i, o] = W.shape as [number, number];
    const y = new Float64Array(o);
    for (let k = 0; k < o; k++) {
      let s = b[k]!;
      for (let j = 0; j < i; j++) s += x[j]! * W.data[j * o + k]!;
      y[k] = relu ? Math.max(0, s) : s;
    }
    return y;
  };
  const d = t('enc.mu.W').shape[1]!;
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) out.set(dense(dense(X.subarray(r * 784, (r + 1) * 784), 'enc.0', true), 'enc.mu', false), r * d);
  return out;
}

test('training streams image previews, stores the model, and its concept vectors are the class means of the encoder means', async () => {
  const previews: JobPreview[] = [];
  const stop = core.subscribe((e) => {
    const p = e.topic === 'job.update' ? (e.payload as JobInfo).progress?.preview : null;
    if (p) previews.push(p);
  });
  await run('vae.train', small());
  stop();
  const r = core.session.labs.vae.result!;
  assert.equal(r.partial, false);
  assert.equal(r.epochs.length, 2);
  assert.ok(r.epochs[1]!.testNegElbo! < r.epochs[0]!.testNegElbo!);
  assert.ok(previews.some((p) => p.kind === 'vae' && p.samples.shape[0] === 16 && p.reconstructions.shape[0] === 16));
  // Concepts: recompute the training subset exactly as documented (first N of a seeded shuffle).
  const mnist = getDataset({ kind: 'mnist' }).train;
  const order = permutation(mnist.count, mulberry32(1)).slice(0, 2000);
  const X = new Float64Array(2000 * 784);
  order.forEach((i, r) => {
    for (let j = 0; j < 784; j++) X[r * 784 + j] = mnist.images[i * 784 + j]! / 255;
  });
  const Z = encoderMeans(X, 2000);
  const m = core.session.tensor('vae.concepts')!.data;
  for (let c = 0; c < 10; c++) {
    const rows = [...order]
      .map((i, r) => [mnist.labels[i]!, r] as const)
      .filter(([l]) => l === c)
      .map(([, r]) => r);
    assert.equal(rows.length, r.conceptCounts[c]);
    for (let k = 0; k < 2; k++) {
      const mean = rows.reduce((s, row) => s + Z[row * 2 + k]!, 0) / rows.length;
      assert.ok(Math.abs(mean - m[c * 2 + k]!) < 1e-4, `concept ${c}[${k}] ${m[c * 2 + k]} vs ${mean}`);
    }
  }
});

test('a recall run stores one run per noise level; t = 0 states are the encoder means of the start images', async () => {
  await run('vae.recall', { ...defaultRecall(), noise: [0, 0.5], samples: 200, iterations: 6 });
  const runs = core.session.labs.vae.runs;
  assert.deepEqual(
    runs.map((r) => r.noise),
    [0, 0.5],
  );
  const r0 = runs[0]!;
  assert.equal(r0.points.length, 7);
  assert.deepEqual(core.session.tensor(r0.tensors.projection)!.shape, [7, 200, 2]);
  assert.deepEqual(core.session.tensor(r0.tensors.strips)!.shape, [8, 7, 28, 28]);
  // With noise 0 the start images are plain test images: the first N of a seeded shuffle.
  const test_ = getDataset({ kind: 'mnist' }).test!;
  const idx = permutation(test_.count, mulberry32(1)).subarray(0, 200);
  const X = new Float64Array(200 * 784);
  idx.forEach((i, r) => {
    for (let j = 0; j < 784; j++) X[r * 784 + j] = test_.images[i * 784 + j]! / 255;
  });
  const Z = encoderMeans(X, 200);
  const proj = core.session.tensor(r0.tensors.projection)!.data; // d = 2: the latents themselves
  for (let i = 0; i < 400; i++) assert.ok(Math.abs(proj[i]! - Z[i]!) < 1e-4);
  assert.deepEqual(
    Array.from(core.session.tensor(r0.tensors.labels)!.data),
    Array.from(idx, (i) => test_.labels[i]!),
  );
  // Metrics at t = 0, recomputed here from those latents and the stored concepts.
  const m = core.session.tensor('vae.concepts')!.data;
  let dist = 0;
  for (let i = 0; i < 200; i++) {
    const c = test_.labels[idx[i]!]!;
    dist += Math.hypot(Z[2 * i]! - m[2 * c]!, Z[2 * i + 1]! - m[2 * c + 1]!);
  }
  assert.ok(Math.abs(r0.points[0]!.meanDistOwn! - dist / 200) < 1e-4);
  assert.equal(
    r0.points[0]!.nearestHistogram.reduce((s, x) => s + x, 0),
    200,
  );
});

test('the session saves and reopens in a fresh core, which continues recall without retraining', async () => {
  const file = join(tempDir(), 'vae.kairo');
  await core.call('session.save', { path: file });
  const before = core.session.labs.vae;
  await core.shutdown();
  core = new Core({ platform: { carrier: 'web' } });
  await core.call('session.open', { path: file });
  assert.deepEqual(core.session.labs.vae, before);
  await run('vae.recall', { ...defaultRecall(), noiseKind: 'pure', noise: [0], samples: 50, iterations: 3, strips: 2 });
  const last = core.session.labs.vae.runs.at(-1)!;
  assert.equal(last.points[0]!.meanDistOwn, null);
  assert.equal(core.session.labs.vae.runs.length, 3);
});

test('cancel keeps the model trained so far; bad hyper-parameters fail with the field named', async () => {
  const job = await core.call('jobs.start', { kind: 'vae.train', params: small({ epochs: 100 }) });
  await new Promise<void>((res) => {
    const t = setInterval(() => {
      if ((core.jobs.list().find((j) => j.id === job.id)?.progress?.step ?? 0) > 5) res(clearInterval(t));
    }, 20);
  });
  await core.call('jobs.cancel', { id: job.id });
  const end = await core.jobs.wait(job.id);
  assert.equal(end.state, 'cancelled');
  const r = core.session.labs.vae.result!;
  assert.equal(r.partial, true);
  assert.ok(r.stepsDone > 5);
  assert.ok(core.session.tensor('vae.model.enc.0.W'));
  assert.equal(core.session.labs.vae.runs.length, 0, 'runs of the old model were dropped');
  assert.equal(Object.keys(core.session.view().tensors).filter((k) => k.startsWith('vae.recall')).length, 0);

  // While a new model trains, recall on the old one is refused (its runs would land on the new one).
  const next = await core.call('jobs.start', { kind: 'vae.train', params: small({ epochs: 1, trainSize: 500 }) });
  await assert.rejects(
    core.call('jobs.start', { kind: 'vae.recall', params: defaultRecall() }),
    /a VAE is training; run recall when it has finished/,
  );
  assert.equal((await core.jobs.wait(next.id)).state, 'done');

  // Bad parameters are refused at jobs.start (issue 14), with the same one-line error the worker gave, and no job is queued.
  const jobsBefore = core.jobs.list().length;
  await assert.rejects(
    core.call('jobs.start', { kind: 'vae.train', params: small({ latent: 0 }) }),
    /vae\.train\.latent: Number must be greater than or equal to 1/,
  );
  assert.equal(core.jobs.list().length, jobsBefore);
});
