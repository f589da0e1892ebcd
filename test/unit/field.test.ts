import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.ts';
import { Core } from '../../core/core.ts';
import { defaultFieldTrain } from '../../core/labs/field/state.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import { envelopeMatrix, fieldWeights, noiseField, noiseStats, type FieldSpec } from '../../models/field/init.ts';
import { createFieldNet, initialValues } from '../../models/field/network.ts';
import { addNoise, elastic, shift } from '../../models/field/perturb.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
before(async () => {
  await initBackend();
});
after(() => core.shutdown());

const spec = (p: Partial<FieldSpec> = {}): FieldSpec => ({
  kind: 'gaussian',
  dims: 1,
  rSigma: 0.1,
  sSigma: 0.02,
  mSigma: 0.1,
  inputShape: [28, 28],
  neurons: 2000,
  ...p,
});

test('the noise field has interior variance 1 and the kernel’s correlation, within sampling error', () => {
  for (const s of [spec(), spec({ kind: 'matern', sSigma: 0.05 }), spec({ dims: 2, sSigma: 0.1 })]) {
    const M = s.neurons;
    const F = noiseField(s, mulberry32(3));
    const st = noiseStats(s, F, s.dims === 1 ? [0, 5, 10, 20, 40] : [0, 1, 2, 4]);
    assert.ok(Math.abs(st.varianceCenter - 1) < 4 * Math.sqrt(2 / M), `${s.kind}/${s.dims}: variance ${st.varianceCenter}`);
    for (const c of st.correlation) {
      // SE of a correlation ≈ (1 − ρ²)/√M; the pooled estimate is no worse. A little slack for the discrete kernel.
      assert.ok(
        Math.abs(c.empirical - c.theory) < (4 * (1 - c.theory ** 2)) / Math.sqrt(M) + 0.02,
        `${s.kind}/${s.dims} lag ${c.lag}: ${c.empirical} vs ${c.theory}`,
      );
    }
  }
  // A Gaussian kernel seen from the first input covers half its support: variance ≈ 1/2.
  const st = noiseStats(spec(), noiseField(spec(), mulberry32(4)), [0]);
  assert.ok(Math.abs(st.varianceEdge - 0.5) < 0.1, `edge ${st.varianceEdge}`);
});

test('the envelope equals its formula and the weights are envelope × noise field', () => {
  const s = spec({ neurons: 10 });
  const R = envelopeMatrix(s);
  for (const [i, j] of [
    [0, 0],
    [3, 400],
    [9, 783],
  ] as const) {
    const d = (i + 1) / 10 - (j + 1) / 784;
    assert.ok(Math.abs(R[i * 784 + j]! - Math.exp(-(d * d) / (2 * 0.01))) < 1e-12);
  }
  const mex = envelopeMatrix({ ...s, kind: 'mexican', mSigma: 0.2 });
  const d = 5 / 10 - 393 / 784;
  const want = (2 / (Math.sqrt(0.6) * Math.PI ** 0.25)) * (1 - (d * d) / 0.04) * Math.exp(-(d * d) / 0.08);
  assert.ok(Math.abs(mex[4 * 784 + 392]! - want) < 1e-12);
  const W = fieldWeights(s, mulberry32(5));
  const Z = noiseField(s, mulberry32(5));
  for (let k = 0; k < W.length; k += 997) assert.ok(Math.abs(W[k]! - R[k]! * Z[k]!) < 1e-12);
});

test('the field network’s NTK (full and output-averaged) equals per-sample autodiff Jacobian products', () => {
  for (const maxpool of [false, true]) {
    const s = { inputDim: 6, width: 5, classes: 3, maxpool, sigmaW: 1.4, sigmaB: 0.1 };
    const net = createFieldNet(s, initialValues(s, mulberry32(1)));
    const N = 4;
    const r = mulberry32(2);
    const X = tf.tensor2d(
      Float32Array.from({ length: N * 6 }, () => r()),
      [N, 6],
    );
    const full = net.ntkFull(X).arraySync() as number[][];
    const avg = net.ntk(X).arraySync() as number[][];
    const g: Float32Array[][] = [];
    for (let t = 0; t < N; t++)
      g.push(
        [0, 1, 2].map((k) => {
          const grads = tf.variableGrads(
            () => tf.sum(tf.slice(net.forward(tf.slice(X, [t, 0], [1, 6]) as tf.Tensor2D), [0, k], [1, 1])) as tf.Scalar,
            net.vars,
          );
          const flat = Float32Array.from(Object.values(grads.grads).flatMap((x) => Array.from(x.dataSync())));
          tf.dispose([...Object.values(grads.grads), grads.value]);
          return flat;
        }),
      );
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        let m = 0;
        for (let k = 0; k < 3; k++) {
          m += dot(g[a]![k]!, g[b]![k]!) / 3;
          for (let k2 = 0; k2 < 3; k2++)
            assert.ok(
              Math.abs(full[a * 3 + k]![b * 3 + k2]! - dot(g[a]![k]!, g[b]![k2]!)) < 1e-5,
              `maxpool=${maxpool} (${a},${k}),(${b},${k2})`,
            );
        }
        assert.ok(Math.abs(avg[a]![b]! - m) < 1e-5);
      }
    X.dispose();
    net.dispose();
  }
});

test('perturbations at level 0 change nothing; a shift moves the image', () => {
  const X = Float32Array.from({ length: 2 * 784 }, (_, i) => ((i * 37) % 100) / 100);
  assert.deepEqual(addNoise(X, 0, mulberry32(1)), X);
  assert.deepEqual(shift(X, [28, 28], 0, mulberry32(1)), X);
  assert.deepEqual(elastic(X, [28, 28], 0, mulberry32(1)), X);
  const s = shift(X, [28, 28], 1, mulberry32(2));
  assert.notDeepEqual(s, X);
  // Shifted by one pixel: every pixel of the result is either 0 or a neighbour of itself in X.
  const moved = [-1, 1, -28, 28].some((off) =>
    Array.from({ length: 700 }, (_, j) => j + 40).every((j) => s[j] === 0 || s[j] === X[j + off]),
  );
  assert.ok(moved);
});

test('NTK-regime training: a wide network stays closer to its kernel and to the linearised function than a narrow one; no tensors leak', async () => {
  const run = async (width: number) => {
    const job = await core.call('jobs.start', {
      kind: 'field.train',
      params: { ...defaultFieldTrain(), width, trainSize: 20, steps: 40, testSize: 50, lrFactor: 0.5 },
    });
    const end = await core.jobs.wait(job.id);
    assert.equal(end.state, 'done', end.error?.message);
    const t = core.jobs.tensorsOf(job.id)!;
    assert.equal(t.after, t.before);
    return core.session.labs.field.result!;
  };
  const narrow = await run(16);
  const wide = await run(2048);
  assert.equal(wide.kernel, 'full');
  assert.ok(wide.laziness < narrow.laziness / 5, `laziness ${narrow.laziness} → ${wide.laziness}`);
  assert.ok(wide.functionGap! < narrow.functionGap!, `function gap ${narrow.functionGap} → ${wide.functionGap}`);
  assert.ok(wide.functionGap! < 0.1);
  // The first steps follow the prediction closely.
  for (let t = 0; t <= 5; t++) assert.ok(Math.abs(wide.trainLoss[t]! / wide.ntkLoss[t]! - 1) < 0.01, `step ${t}`);
  assert.ok(wide.trainLoss.at(-1)! < wide.trainLoss[0]!);
});

test('robustness: FGSM at ε = 0 is the clean accuracy and larger ε does not raise it', async () => {
  const job = await core.call('jobs.start', {
    kind: 'field.robustness',
    params: {
      train: { ...defaultFieldTrain(), width: 64, trainSize: 60, steps: 40, testSize: 200 },
      seeds: 1,
      noise: [0],
      shift: [],
      elastic: [0],
      fgsm: [0, 0.02, 0.05],
    },
  });
  const end = await core.jobs.wait(job.id);
  assert.equal(end.state, 'done', end.error?.message);
  const curves = core.session.labs.field.robustness!.curves;
  for (const model of ['field', 'vanilla'] as const) {
    const f = curves.find((c) => c.model === model && c.perturbation === 'fgsm')!;
    const clean = curves.find((c) => c.model === model && c.perturbation === 'noise')!.mean[0]!;
    assert.equal(f.mean[0], clean);
    assert.equal(curves.find((c) => c.model === model && c.perturbation === 'elastic')!.mean[0], clean);
    assert.ok(f.mean[1]! <= f.mean[0]! && f.mean[2]! <= f.mean[1]!, `${model}: ${f.mean}`);
  }
  const file = join(tempDir(), 'field.kairo');
  await core.call('session.save', { path: file });
  const c2 = new Core({ platform: { carrier: 'web' } });
  await c2.call('session.open', { path: file });
  assert.deepEqual(c2.session.labs.field, core.session.labs.field);
  await c2.shutdown();
});

test('kairo field init-stats prints the documented fields; bad input is one line', () => {
  const run = (...a: string[]) =>
    spawnSync(process.execPath, ['bin/kairo.mjs', 'field', ...a], {
      encoding: 'utf8',
      env: { ...process.env, KAIRO_HOME: tempDir() },
    });
  const r = run(
    'init-stats',
    '--kind',
    'gaussian',
    '--r-sigma',
    '0.1',
    '--s-sigma',
    '0.02',
    '--inputs',
    '784',
    '--neurons',
    '500',
    '--seed',
    '1',
  );
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(o), ['variance_center', 'variance_edge', 'correlation']);
  assert.deepEqual(
    o.correlation.map((c: { lag: number }) => c.lag),
    [0, 5, 10, 20, 40, 60, 100],
  );
  assert.ok(Math.abs(o.correlation[2].theory - Math.exp(-((10 / 784) ** 2) / (2 * 0.02 ** 2))) < 1e-12);
  for (const [args, re] of [
    [['init-stats', '--kind', 'cauchy'], /--kind must be one of gaussian\|mexican\|matern/],
    [['init-stats', '--s-sigma', '-1'], /--s-sigma must be positive/],
    [['train', '--width', '0'], /--width: Number must be greater than or equal to 1 \(got 0\)/],
    [['robustness', '--kind', 'vanilla', '--steps', '1'], /choose a field layer/],
  ] as const) {
    const e = run(...args);
    assert.equal(e.status, 2, `${args.join(' ')}: ${e.stderr}`);
    assert.match(e.stderr, re);
    assert.equal(e.stderr.trim().split('\n').length, 1);
  }
});
