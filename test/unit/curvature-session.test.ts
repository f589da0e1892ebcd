// The curvature of models trained in a session, each against something computed another way:
// the softmax baseline's Hessian in closed form, (1/N) Σ (diag p − ppᵀ) ⊗ x̃x̃ᵀ; the field
// network's GGN λ_max against the field lab's own empirical NTK (TensorFlow.js) over N·C, and its
// loss against the lab's last training loss; the VAE's loss against the lab's TensorFlow.js ELBO.
// Then the CLI on a saved session, and the refusals.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Core } from '../../core/core.ts';
import type { CurvatureParams, DatasetSource, FieldTrainParams } from '../../core/contract.ts';
import { defaultSpectrum } from '../../core/labs/curvature/state.ts';
import { HOPFIELD_QUICK_LOOK } from '../../core/contract.ts';
import { makeMachine, meanNll } from '../../models/hopfield/machine.ts';
import { defaultBaselineDraft } from '../../core/labs/data/state.ts';
import { loadData } from '../../core/labs/field/jobs/network.ts';
import { defaultFieldLab, defaultFieldTrain } from '../../core/labs/field/state.ts';
import { configOf, trainingOrder } from '../../core/labs/vae/config.ts';
import { defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { getDataset, pixelRows } from '../../core/data/datasets.ts';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { createFieldNet } from '../../models/field/network.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { createVae, elboTerms } from '../../models/vae/vae.ts';
import { kairo, runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const FIX = resolve('test/fixtures/curvature');
const SOURCE: DatasetSource = {
  kind: 'idx',
  name: 'fixture',
  trainImages: join(FIX, 'images.idx'),
  trainLabels: join(FIX, 'labels.idx'),
};

const spectrumOf = async (
  lab: CurvatureParams['session']['lab'],
  analysis: Partial<CurvatureParams['analysis']>,
  samples = 8,
) => {
  const d = defaultSpectrum();
  const params: CurvatureParams = {
    ...d,
    model: 'session',
    session: { lab, samples, seed: 3 },
    analysis: { ...d.analysis, lanczosSteps: 80, top: 2, ...analysis },
  };
  await runJobDone(core, 'curvature.spectrum', params);
  return core.session.labs.curvature.result!;
};

/** A field network small enough to check against its dense kernel: 8 fixture images, width 12. */
const tinyField = (o: Partial<FieldTrainParams>): FieldTrainParams => ({
  ...defaultFieldTrain(),
  source: SOURCE,
  kind: 'vanilla',
  width: 12,
  trainSize: 8,
  testSize: 8,
  ...o,
});

const descending = (A: Float64Array, n: number) => Array.from(eigh(A, n).values).sort((a, b) => b - a);

test('nothing trained yet: each session model is refused at jobs.start with one line', async () => {
  const d = defaultSpectrum();
  for (const [lab, re] of [
    ['vae', /no trained VAE in this session/],
    ['data', /no softmax baseline in this session/],
    ['field', /no trained field network in this session/],
  ] as const)
    await assert.rejects(
      core.call('jobs.start', { kind: 'curvature.spectrum', params: { ...d, model: 'session', session: { ...d.session, lab } } }),
      re,
    );
});

test("the Datasets lab's softmax baseline: top Hessian eigenvalues equal the closed form's", async () => {
  await runJobDone(core, 'data.baseline', {
    ...defaultBaselineDraft(),
    source: SOURCE,
    epochs: 3,
    batchSize: 4,
    learningRate: 0.5,
  });
  const r = await spectrumOf('data', { matrix: 'hessian' });
  const W = core.session.tensor('data.baseline.W')!;
  const b = core.session.tensor('data.baseline.b')!.data;
  const [d, C] = W.shape as [number, number];
  const tr = getDataset(SOURCE).train;
  const N = 8;
  const X = pixelRows(
    tr,
    Array.from({ length: N }, (_, i) => i),
  );
  // Parameters (W[i][k] for i < d, then b[k]) as x̃ = (x, 1) ⊗ e_k: H[(i,k),(j,l)] = (1/N) Σ x̃ᵢx̃ⱼ (p_k δ_kl − p_k p_l).
  const P = (d + 1) * C;
  const H = new Float64Array(P * P);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const x = [...X.subarray(n * d, (n + 1) * d), 1];
    const z = Array.from({ length: C }, (_, k) => x.reduce((s, xi, i) => s + xi * (i < d ? W.data[i * C + k]! : b[k]!), 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    const p = e.map((v) => v / s);
    loss += (Math.log(s) + m - z[tr.labels[n]!]!) / N;
    for (let i = 0; i <= d; i++)
      for (let k = 0; k < C; k++)
        for (let j = 0; j <= d; j++)
          for (let l = 0; l < C; l++)
            H[(i * C + k) * P + j * C + l]! += (x[i]! * x[j]! * ((k === l ? p[k]! : 0) - p[k]! * p[l]!)) / N;
  }
  const ev = descending(H, P);
  assert.equal(r.parameters, P);
  assert.ok(Math.abs(r.loss! - loss) < 1e-6 * loss, `loss ${r.loss} vs ${loss}`);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(r.top[i]! - ev[i]!) < 1e-7 * ev[0]!, `λ${i + 1} ${r.top[i]} vs ${ev[i]}`);
  assert.match(r.model, /softmax baseline on its first 8 training images/);
});

test('the baseline with λ_max every K steps: at its zero start the Hessian is (diag p − ppᵀ) ⊗ M with p uniform, so λ_max = λ_max(M)/C', async () => {
  const p = {
    ...defaultBaselineDraft(),
    source: SOURCE,
    epochs: 2,
    batchSize: 4,
    learningRate: 0.5,
    trackEvery: 2,
    trackTrace: false,
  };
  await runJobDone(core, 'data.baseline', p);
  const s = core.session.labs.data.baseline!.sharpness!;
  assert.deepEqual(s.steps, [0, 2, 4]);
  assert.equal(s.samples, 8);
  assert.equal(s.twoOverLr, 4);
  assert.equal(s.trace, null);
  // M = (1/N) Σ x̃x̃ᵀ with x̃ = (x, 1), over the 8 images.
  const tr = getDataset(SOURCE).train;
  const d = 100;
  const X = pixelRows(
    tr,
    Array.from({ length: 8 }, (_, i) => i),
  );
  const M = new Float64Array((d + 1) * (d + 1));
  for (let n = 0; n < 8; n++) {
    const x = [...X.subarray(n * d, (n + 1) * d), 1];
    for (let i = 0; i <= d; i++) for (let j = 0; j <= d; j++) M[i * (d + 1) + j]! += (x[i]! * x[j]!) / 8;
  }
  const C = core.session.tensor('data.baseline.b')!.data.length;
  const want = descending(M, d + 1)[0]! / C;
  assert.ok(Math.abs(s.lambdaMax[0]! - want) < 1e-6 * want, `${s.lambdaMax[0]} vs ${want}`);
  const r = await spectrumOf('data', { matrix: 'hessian', top: 1 });
  assert.ok(Math.abs(s.lambdaMax[2]! - r.top[0]!) < 1e-6 * r.top[0]!, `${s.lambdaMax[2]} vs ${r.top[0]}`);
});

for (const maxpool of [false, true])
  test(`the field lab's ${maxpool ? 'max-pooling' : 'dense'} network: GGN λ_max equals λ_max of its empirical NTK over N·C`, async () => {
    const p = tinyField({ steps: 5, maxpool });
    await runJobDone(core, 'field.train', p);
    const f = core.session.labs.field.result!;
    const r = await spectrumOf('field', { matrix: 'ggn', top: 1 });
    const data = loadData(f.params);
    const names = f.tensors.filter((n) => n.startsWith('field.model.'));
    const values = Object.fromEntries(names.map((n) => [n.slice('field.model.'.length), core.session.tensor(n)!.data]));
    const C = values.bout!.length;
    const net = createFieldNet(
      { inputDim: data.D, width: p.width, classes: C, maxpool, sigmaW: p.sigmaW, sigmaB: p.sigmaB },
      values as Record<string, ArrayLike<number>>,
    );
    const K = tf.tidy(() => net.ntkFull(tf.tensor2d(data.X, [data.n, data.D])));
    const nc = data.n * C;
    const A = Float64Array.from(K.dataSync(), (v) => v / nc);
    K.dispose();
    net.dispose();
    for (let a = 0; a < nc; a++)
      for (let c = 0; c < a; c++) A[a * nc + c] = A[c * nc + a] = (A[a * nc + c]! + A[c * nc + a]!) / 2;
    const ntkMax = descending(A, nc)[0]!;
    assert.ok(Math.abs(r.top[0]! - ntkMax) < 1e-4 * ntkMax, `GGN ${r.top[0]} vs NTK ${ntkMax}`);
    // All 8 training images: the loss is the lab's after its last step.
    const last = f.trainLoss.at(-1)!;
    assert.ok(Math.abs(r.loss! - last) < 1e-5 * last, `loss ${r.loss} vs ${last}`);
  });

test("field train --track-every: λ_max every K steps beside 2/η, the last one the curvature lab's for the trained network", async () => {
  const p = tinyField({ steps: 6, trackEvery: 3, trackTrace: true });
  await runJobDone(core, 'field.train', p);
  const f = core.session.labs.field.result!;
  const s = f.sharpness!;
  assert.deepEqual(s.steps, [0, 3, 6]);
  assert.equal(s.trace!.length, 3);
  assert.equal(s.samples, 8);
  assert.ok(Math.abs(s.twoOverLr - 2 / f.eta) < 1e-12 * s.twoOverLr);
  const r = await spectrumOf('field', { matrix: 'hessian', top: 1 });
  assert.ok(Math.abs(s.lambdaMax[2]! - r.top[0]!) < 1e-6 * Math.abs(r.top[0]!), `${s.lambdaMax[2]} vs ${r.top[0]}`);
  // The run record keeps the curve; the robustness comparison and a K beyond the steps are refused.
  const run = core.session.labs.runs.runs.filter((x) => x.kind === 'field.train').at(-1)!;
  assert.equal(run.metrics['Hessian λ_max, last'], s.lambdaMax[2]);
  await assert.rejects(core.call('jobs.start', { kind: 'field.train', params: { ...p, trackEvery: 7 } }), /at most the 6 steps/);
  await assert.rejects(
    core.call('jobs.start', { kind: 'field.robustness', params: { ...defaultFieldLab().robustnessDraft, train: p } }),
    /sharpness is tracked by field train/,
  );
});

test("the VAE lab's VAE: the loss is the lab's ELBO at the same ε, and the Hessian differs from the GGN", async () => {
  const v = { ...defaultVaeTrain(), source: SOURCE, hidden: [6], latent: 2, epochs: 2, batchSize: 4, trainSize: 0 };
  await runJobDone(core, 'vae.train', v);
  const g = await spectrumOf('vae', { matrix: 'ggn' }, 6);
  const h = await spectrumOf('vae', { matrix: 'hessian' }, 6);
  assert.equal(g.parameters, 100 * 6 + 6 + 6 * 4 + 4 + 2 * 6 + 6 + 6 * 100 + 100);
  assert.deepEqual(
    g.layers.map((l) => l.name),
    ['enc.0', 'enc.mu & enc.logvar', 'dec.0', 'dec.out'],
  );
  assert.ok(g.top[0]! > 0 && h.top[0] !== g.top[0]);
  // The lab's own ELBO (TensorFlow.js, float32) on its first 6 training images, ε from the seed as the job draws it.
  const tr = getDataset(SOURCE).train;
  const cfg = configOf(core.session.labs.vae.result!.params, tr.shape);
  const order = trainingOrder(tr.count, core.session.labs.vae.result!.params).subarray(0, 6);
  const values = Object.fromEntries(
    core.session.labs.vae
      .result!.tensors.filter((n) => n.startsWith('vae.model.'))
      .map((n) => [n.slice(10), core.session.tensor(n)!.data]),
  );
  const rand = mulberry32(3 ^ 0x5bd1e995);
  const eps = Float32Array.from({ length: 6 * cfg.latent }, () => gaussian(rand));
  const vae = createVae(cfg, values as Record<string, ArrayLike<number>>);
  const want = tf.tidy(() => {
    const t = elboTerms(vae, tf.tensor2d(pixelRows(tr, order), [6, 100]), tf.tensor2d(eps, [6, cfg.latent]));
    return tf.mean(tf.add(t.rec, t.kl)).dataSync()[0]!;
  });
  vae.dispose();
  assert.ok(Math.abs(g.loss! - want) < 1e-5 * want, `loss ${g.loss} vs ${want}`);
});

test("the Hopfield–Boltzmann lab's machine: Hessian eigenvalues of its exact NLL equal the dense ones from the lab's own float64 NLL", async () => {
  const q = HOPFIELD_QUICK_LOOK.params;
  await runJobDone(core, 'hopfield.train', { ...q, data: { ...q.data, perCluster: 40 } as typeof q.data, epochs: 5 });
  const h = core.session.labs.hopfield.result!;
  const N = h.patterns;
  const r = await spectrumOf('hopfield', { matrix: 'hessian', top: 3, lanczosSteps: 40 }, N);
  const f = (n: string) => Float64Array.from(core.session.tensor(`hopfield.${n}`)!.data);
  const [W, b, c, V] = [f('W'), f('b'), f('c'), f('train')];
  const { hidden: K, trainB, trainC } = h.params;
  const nv = h.nv;
  const at = (t: Float64Array) =>
    meanNll(
      makeMachine(
        t.subarray(0, K * nv),
        trainB ? t.subarray(K * nv, K * nv + nv) : b,
        trainC ? t.subarray(t.length - K) : c,
        K,
        nv,
      ),
      V,
      N,
    );
  const theta = Float64Array.from([...W, ...(trainB ? b : []), ...(trainC ? c : [])]);
  const P = theta.length;
  assert.equal(r.parameters, P);
  assert.ok(Math.abs(r.loss! - at(theta)) < 1e-9 * Math.abs(at(theta)));
  // The lab's own training NLL (float32) on the same patterns.
  assert.ok(Math.abs(r.loss! - h.trainNll) < 1e-4 * Math.abs(h.trainNll), `${r.loss} vs ${h.trainNll}`);
  const hh = 1e-4;
  const H = new Float64Array(P * P);
  const shifted = (i: number, a: number, j: number, bb: number) => {
    const t = Float64Array.from(theta);
    t[i]! += a;
    t[j]! += bb;
    return at(t);
  };
  for (let i = 0; i < P; i++)
    for (let j = 0; j <= i; j++)
      H[i * P + j] = H[j * P + i] =
        (shifted(i, hh, j, hh) - shifted(i, hh, j, -hh) - shifted(i, -hh, j, hh) + shifted(i, -hh, j, -hh)) / (4 * hh * hh);
  const ev = descending(H, P);
  for (let i = 0; i < 3; i++)
    assert.ok(Math.abs(r.top[i]! - ev[i]!) < 1e-5 * Math.abs(ev[0]!), `λ${i + 1} ${r.top[i]} vs ${ev[i]}`);
  const d = defaultSpectrum();
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'curvature.spectrum',
      params: { ...d, model: 'session', session: { ...d.session, lab: 'hopfield' }, analysis: { ...d.analysis, matrix: 'ggn' } },
    }),
    /no Gauss–Newton matrix: choose the Hessian or the empirical Fisher/,
  );
});

test('kairo curvature --session F --model …: the saved model, and its refusals', async () => {
  const file = join(tempDir(), 's.kairo');
  await core.call('session.save', { path: file });
  const analysis = ['--model', 'vae', '--samples', '6', '--seed', '3', '--matrix', 'ggn', '--top', '2', '--lanczos-steps', '80'];
  const r = kairo('curvature', '--session', file, ...analysis);
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  const mine = await spectrumOf('vae', { matrix: 'ggn' }, 6);
  assert.ok(Math.abs(o.top[0] - mine.top[0]!) < 1e-9 * mine.top[0]!);
  // --run: the model a VAE training run kept, here the current one, so the same numbers.
  const vaeRun = core.session.labs.runs.runs.filter((x) => x.kind === 'vae.train').at(-1)!;
  const again = kairo('curvature', '--session', file, '--run', vaeRun.id, ...analysis);
  assert.equal(JSON.parse(again.out).top[0], o.top[0], again.err);
  const other = core.session.labs.runs.runs.find((x) => x.lab !== 'vae')!;
  for (const [args, re] of [
    [['--model', 'vae'], /give one of --network fresh/],
    [['--session', file], /--session needs --model/],
    [['--session', file, '--model', 'vae', '--samples', '9'], /trained on 8 images/],
    [['--session', file, '--model', 'augment'], /--model/],
    [['--session', file, '--model', 'vae', '--run', other.id], new RegExp(`run ${other.id} is a ${other.lab} run`)],
  ] as const) {
    const e = kairo('curvature', ...args);
    assert.notEqual(e.code, 0);
    assert.match(e.err, re);
    assert.equal(e.err.trim().split('\n').length, 1, e.err);
  }
});
