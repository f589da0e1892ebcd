// The natural-gradient lab through the core and the CLI: jobs refused before they start, results
// stored and kept as history, saved and reloaded, and the CLI's documented output checked against
// an independent computation of the same numbers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { networkOf, prepareTask } from '../../core/labs/ngd/jobs/task.ts';
import { defaultNgdCompare } from '../../core/labs/ngd/state.ts';
import { NGD_METHODS as CONTRACT_METHODS } from '../../core/contract.ts';
import { NGD_METHODS } from '../../models/ngd/methods.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { forwardNtk, fullTheta, linearise } from '../../models/ngd/network.ts';
import { kairo, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const SMALL = ['--width', '64', '--input-dim', '24', '--samples', '16', '--test-samples', '12', '--seed', '3'];

test('the contract and the numerics list the same methods', () => {
  assert.deepEqual([...CONTRACT_METHODS], [...NGD_METHODS]);
});

test('kairo ngd run prints λ_max of JJᵀ/N, K+1 losses and the theory; exact NGD at η = 1 nearly converges in one step', () => {
  const r = kairo('ngd', 'run', '--method', 'exact', ...SMALL, '--width', '512', '--steps', '3');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.deepEqual(Object.keys(o).sort(), [
    'diverged',
    'eta',
    'lambda_max',
    'linearisation_errors',
    'losses',
    'sign_changes',
    'step_sizes',
    'test_losses',
    'theory',
  ]);
  assert.equal(o.losses.length, 4);
  assert.equal(o.test_losses.length, 4);
  assert.equal(o.theory.alpha, 1);
  assert.equal(o.eta, 1);
  assert.deepEqual(o.theory.losses.slice(1), [0, 0, 0]);
  // Finite width: one step leaves a few per cent of the loss (0 in the limit).
  assert.ok(o.losses[1] < 0.05 * o.losses[0], `${o.losses}`);
  // λ_max recomputed independently: the same task and network, Θ from the layer-wise code, dense eigenvalues.
  const d = defaultNgdCompare();
  const net = { ...d.network, width: 512, inputDim: 24, samples: 16, testSamples: 12, seed: 3 };
  const prep = prepareTask(net);
  const lin = linearise(networkOf(net, prep.inputDim), prep.task.X, 16);
  const lmax = eigh(fullTheta(lin), lin.n).values.at(-1)! / 16;
  assert.ok(Math.abs(o.lambda_max - lmax) < 1e-12 * lmax);
  // Loss 0 is ½·mean|f − y|² of that network.
  const f = forwardNtk(networkOf(net, prep.inputDim), prep.task.X, 16).h.at(-1)!;
  const l0 = f.reduce((s, v, i) => s + (v - prep.task.Y[i]!) ** 2, 0) / 32;
  assert.ok(Math.abs(o.losses[0] - l0) < 1e-12);
});

test('kairo ngd run at a given --lr uses it; block-diagonal at η = 1/L follows (1 − Lη)', () => {
  const r = kairo('ngd', 'run', '--method', 'block-diagonal', ...SMALL, '--width', '512', '--lr', '0.1', '--steps', '2');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.equal(o.eta, 0.1);
  assert.equal(o.theory.alpha, 3);
  // (1 − 0.3)^(2t)
  assert.ok(Math.abs(o.theory.losses[2] / o.theory.losses[0] - 0.7 ** 4) < 1e-12);
  assert.ok(Math.abs(o.losses[2] / o.losses[0] - 0.7 ** 4) < 0.05, `${o.losses}`);
});

test('kairo ngd unit-fisher: closed form against its Monte Carlo, ascending', () => {
  const r = kairo(
    'ngd',
    'unit-fisher',
    '--activation',
    'erf',
    '--inputs',
    '5',
    '--bias-ratio',
    '-0.4',
    '--samples',
    '200000',
    '--seed',
    '2',
  );
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.equal(o.closed_form.length, 6);
  assert.deepEqual(
    [...o.closed_form].sort((a: number, b: number) => a - b),
    o.closed_form,
  );
  for (let i = 0; i < 6; i++)
    assert.ok(
      Math.abs(o.monte_carlo[i] - o.closed_form[i]) < 0.03 * o.closed_form.at(-1),
      `${o.monte_carlo} vs ${o.closed_form}`,
    );
  assert.ok(o.inverse_error < 1e-12);
});

test('bad flags get one-line errors before any job starts', () => {
  for (const [args, re] of [
    [['ngd', 'run', '--method', 'newton'], /--method must be one of gd\|exact/],
    [['ngd', 'run'], /ngd run needs --method/],
    [['ngd', 'run', '--method', 'exact', '--depth', '7'], /--depth: Number must be less than or equal to 5/],
    [['ngd', 'run', '--method', 'exact', '--samples', '400', '--outputs', '3'], /N·C must be at most 1000/],
    [['ngd', 'run', '--method', 'kfac', '--forster', '--samples', '10', '--input-dim', '20'], /Forster transform needs N ≥ M₀/],
    [['ngd', 'run', '--method', 'exact', '--damping', '-1'], /--damping: Number must be greater than or equal to 0/],
    [['ngd', 'compare', '--methods', 'exact,sgd'], /--methods takes a comma-separated list of gd, exact, .*; got "sgd"/],
    [['ngd', 'unit-fisher', '--activation', 'linear'], /--activation must be one of relu\|tanh\|erf/],
    [['ngd', 'sweep', '--axis', 'width', '--values', '8,9000'], /widths are integers 2 … 4,096, got 9000/],
    [['ngd', 'run', '--method', 'block-tridiagonal', '--depth', '5', ...SMALL], /depth 5 \(= 3s \+ 2\).*set ρ > 0/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('jobs.start refuses nonsense before a worker starts', async () => {
  const d = defaultNgdCompare();
  await assert.rejects(
    core.call('jobs.start', { kind: 'ngd.compare', params: { ...d, methods: [] } } as never),
    /methods: Array must contain at least 1/,
  );
  await assert.rejects(
    core.call('jobs.start', { kind: 'ngd.compare', params: { ...d, network: { ...d.network, width: 0 } } } as never),
    /network\.width/,
  );
});

test('comparisons are stored, the previous one kept in history; sweeps and the unit Fisher too; all reload exactly', async () => {
  const d = defaultNgdCompare();
  const network = { ...d.network, width: 48, inputDim: 16, samples: 12, testSamples: 8 };
  const run = async (kind: string, params: unknown) => {
    const job = await core.call('jobs.start', { kind, params } as never);
    const end = await core.jobs.wait(job.id);
    assert.equal(end.state, 'done', `${kind}: ${end.error?.message}`);
    const t = core.jobs.tensorsOf(job.id);
    if (t) assert.equal(t.after, t.before, `${kind} left tensors`);
  };
  await run('ngd.compare', { ...d, network, steps: 2, at: 'both' });
  await run('ngd.compare', { ...d, network: { ...network, depth: 5 }, steps: 2, at: 'best' });
  await run('ngd.sweep', {
    axis: 'damping',
    values: [0.001, 1, 1000],
    etaFactor: 0.5,
    damping: 0,
    steps: 2,
    network,
    methods: ['exact', 'kfac'],
  });
  await run('ngd.unitFisher', { activation: 'tanh', inputs: 4, biasRatio: 0.2, weightNorm: 1.5, samples: 20000, seed: 1 });
  const lab = core.session.labs.ngd;
  assert.equal(lab.history.length, 1);
  assert.equal(lab.history[0]!.runs.length, 12);
  assert.equal(lab.compare!.params.network.depth, 5);
  // Depth 5 = 3·1 + 2: block-tri-diagonal without damping is singular; it says so, the others ran.
  const btd = lab.compare!.runs.find((r) => r.method === 'block-tridiagonal')!;
  assert.match(btd.error!, /singular/);
  assert.ok(lab.compare!.runs.filter((r) => !r.error).every((r) => r.losses.length === 3));
  // Strong damping pushes exact NGD's first step towards gradient descent with step η/ρ: a small change.
  const ex = lab.sweep!.points.filter((p) => p.method === 'exact');
  assert.ok(ex[2]!.losses[1]! / ex[2]!.losses[0]! > 0.99, `${ex[2]!.losses}`);
  assert.ok(ex[0]!.gap < ex[2]!.gap);
  const file = join(tempDir(), 'ngd.kairo');
  await core.call('session.save', { path: file });
  const c2 = new Core({ platform: { carrier: 'web' } });
  await c2.call('session.open', { path: file });
  assert.deepEqual(c2.session.labs.ngd, lab);
  await c2.shutdown();
});

test("images fix the input width from their own headers: α and the memory estimate of a 12 × 12 data set use 144, not MNIST's 784", async () => {
  const { writeFileSync } = await import('node:fs');
  const { encodeIdx } = await import('../../core/data/idx.ts');
  const { checkSource } = await import('../../core/data/datasets.ts');
  const { alphaOf } = await import('../../models/ngd/theory.ts');
  const { jobDef } = await import('../../core/labs/index.ts');
  const dir = tempDir();
  const n = 40;
  writeFileSync(
    join(dir, 'i.idx'),
    encodeIdx(
      [n, 12, 12],
      Uint8Array.from({ length: n * 144 }, (_, i) => (i * 37) % 256),
    ),
  );
  writeFileSync(
    join(dir, 'l.idx'),
    encodeIdx(
      [n],
      Uint8Array.from({ length: n }, (_, i) => i % 2),
    ),
  );
  const source = { kind: 'idx' as const, name: 'small', trainImages: join(dir, 'i.idx'), trainLabels: join(dir, 'l.idx') };
  const network = {
    ...defaultNgdCompare().network,
    data: 'dataset' as const,
    source,
    samples: 8,
    testSamples: 8,
    depth: 2,
    width: 32,
    sigmaB2: 0.1,
  };
  for (const method of ['kfac', 'unit-wise'] as const)
    assert.deepEqual(
      await core.call('ngd.alpha', { network, method }),
      alphaOf({ method, activation: network.activation, widths: [144, 32, 1], samples: 8, bias: true, forster: false }),
    );
  // The memory estimate reads the width from the headers (jobs.start passes what checkSource gives).
  const data = await checkSource(source);
  assert.deepEqual(data, { imageSize: 144 });
  const memory = jobDef('ngd.compare')!.memory as (p: unknown, d: { imageSize: number | null }) => number;
  const params = { ...defaultNgdCompare(), network };
  // By hand: parameters P = 144·32 + 32 + 32·1 + 1; three copies, the dual Grams, the inputs.
  const P = 144 * 32 + 32 + 32 + 1;
  const nn = 8;
  assert.equal(memory(params, data), 8 * (3 * P + (3 * 2 + 6) * nn * nn + 2 * 2 * nn * 32 + 16 * 144));
  assert.notEqual(memory(params, { imageSize: 784 }), memory(params, data));
  // And a job on that data set trains a network with 144 inputs.
  const j = await core.call('jobs.start', { kind: 'ngd.compare', params: { ...params, methods: ['exact'], steps: 1 } });
  const end = await core.jobs.wait(j.id);
  assert.equal(end.state, 'done', end.error?.message);
  assert.equal(core.session.labs.ngd.compare!.parameters, P);
});

test('--preprocess standardise: the set minus its global mean, over its standard deviation, then |x| = 1 (recomputed here)', () => {
  const d = defaultNgdCompare();
  const base = { ...d.network, inputDim: 24, samples: 16, testSamples: 12, seed: 3 };
  const unit = prepareTask({ ...base, preprocess: 'unit' }).task;
  const std = prepareTask({ ...base, preprocess: 'standardise' }).task;
  // Gaussian inputs come as unit rows: standardising them is subtracting their global mean (the
  // standard deviation cancels in the unit norm), each set with its own.
  for (const [X, Y, T] of [
    [unit.X, std.X, 16],
    [unit.Xt, std.Xt, 12],
  ] as const) {
    const m = X.reduce((s, v) => s + v, 0) / X.length;
    for (let t = 0; t < T; t++) {
      const row = X.subarray(t * 24, t * 24 + 24).map((v) => v - m);
      const n = Math.hypot(...row);
      row.forEach((v, j) => assert.ok(Math.abs(v / n - Y[t * 24 + j]!) < 1e-12));
    }
  }
  assert.deepEqual(std.Y, unit.Y);
  // The CLI prints both predictions; standardising changes the inputs, so the losses.
  const a = JSON.parse(kairo('ngd', 'run', '--method', 'exact', ...SMALL, '--width', '256', '--steps', '1').out);
  const b = JSON.parse(
    kairo('ngd', 'run', '--method', 'exact', ...SMALL, '--width', '256', '--steps', '1', '--preprocess', 'standardise').out,
  );
  assert.equal(a.theory.test_losses_analytic.length, 2);
  assert.equal(a.theory.analytic_note, null);
  assert.notEqual(a.losses[0], b.losses[0]);
  assert.equal(kairo('ngd', 'run', '--preprocess', 'centre').code, 2);
});
