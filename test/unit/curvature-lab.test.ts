// The curvature lab through the CLI and the core: a fresh network's Fisher λ_max against
// `kairo fisher spectrum` for the same flags, an imported PyTorch network's top Hessian
// eigenvalues against the dense matrix, sharpness tracking against the dense Hessian at the
// start, results kept in the session across save and open, and every refusal before a job starts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { labCommands } from '../../core/labs/index.ts';
import { validateSpec } from '../../core/labs/sweep/spec.ts';
import { freshProblem } from '../../core/labs/curvature/jobs/fresh.ts';
import { importedProblem } from '../../core/labs/curvature/jobs/problem.ts';
import { defaultSpectrum, defaultTrack } from '../../core/labs/curvature/state.ts';
import { operatorOf } from '../../models/curvature/products.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { kairo, runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const FIX = 'test/fixtures/curvature';
const NET = ['--width', '24', '--input-dim', '12', '--samples', '15', '--outputs', '3', '--activation', 'tanh', '--seed', '4'];

/** Eigenvalues of an operator's explicit matrix, descending. */
function denseEigen(P: number, matvec: (v: Float64Array) => Float64Array): number[] {
  const A = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    const e = new Float64Array(P);
    e[j] = 1;
    const c = matvec(e);
    for (let i = 0; i < P; i++) A[i * P + j] = c[i]!;
  }
  return Array.from(eigh(A, P).values).sort((a, b) => b - a);
}

test("kairo curvature --network fresh: the Fisher's λ_max equals kairo fisher spectrum's for the same flags", () => {
  const r = kairo(
    'curvature',
    '--network',
    'fresh',
    ...NET,
    '--top',
    '2',
    '--trace',
    '--density',
    '--probes',
    '3',
    '--lanczos-steps',
    '25',
  );
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  for (const k of ['matrix', 'parameters', 'top', 'trace', 'density', 'layers', 'matvecs', 'seconds', 'fisher_lab'])
    assert.ok(k in o, `missing ${k}`);
  const f = JSON.parse(kairo('fisher', 'spectrum', ...NET).out);
  assert.equal(o.parameters, f.P);
  assert.ok(Math.abs(o.top[0] - f.lambda_max) < 1e-10 * f.lambda_max, `${o.top[0]} vs ${f.lambda_max}`);
  assert.ok(Math.abs(o.fisher_lab.lambda_max - f.lambda_max) < 1e-12 * f.lambda_max);
  assert.equal(o.fisher_lab.theory_lambda_max, f.theory.lambda_max);
  assert.ok(Math.abs(o.layers.reduce((s: number, l: { share: number }) => s + l.share, 0) - 1) < 1e-9);
  assert.equal(o.layers.length, 3);
  // Tr F = m_λ·P (the Fisher lab's exact trace) within 4 standard errors of Hutchinson's 3 probes.
  const tr = f.m_lambda * f.P;
  assert.ok(Math.abs(o.trace.mean - tr) < 4 * o.trace.se + 1e-9, `${o.trace.mean} ± ${o.trace.se} vs ${tr}`);
  assert.equal(o.density.x.length, o.density.y.length);
  assert.equal(o.loss, null);
});

test('kairo curvature --import: the top Hessian eigenvalues of a PyTorch CNN are the dense matrix’s', () => {
  const args = ['--import', join(FIX, 'cnn.safetensors'), '--layers', join(FIX, 'cnn.json')];
  const data = ['--idx-images', join(FIX, 'images.idx'), '--idx-labels', join(FIX, 'labels.idx'), '--samples', '8'];
  const r = kairo('curvature', ...args, ...data, '--matrix', 'hessian', '--top', '3', '--lanczos-steps', '200', '--loss', 'mse');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  const source = { kind: 'idx', name: 'x', trainImages: join(FIX, 'images.idx'), trainLabels: join(FIX, 'labels.idx') } as const;
  const { problem } = importedProblem({ weights: args[1]!, layers: args[3]!, source, loss: 'mse', samples: 8 });
  const op = operatorOf(problem, 'hessian');
  const ev = denseEigen(op.P, op.matvec);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(o.top[i] - ev[i]!) < 1e-7 * ev[0]!, `λ${i + 1}: ${o.top[i]} vs ${ev[i]}`);
  assert.ok(Math.abs(o.loss - op.loss!) < 1e-12);
  assert.equal(o.fisher_lab, null);
  assert.deepEqual(
    o.layers.map((l: { name: string }) => l.name),
    ['0 Conv2d 1→3 3×3', '1 BatchNorm2d 3 (eval)', '4 Conv2d 3→4 2×2', '6 BatchNorm1d 64 (eval)', '9 Linear 64→10'],
  );
  // Refused with one line naming the layer, before any job.
  const bad = kairo('curvature', '--import', join(FIX, 'mlp.safetensors'), '--layers', join(FIX, 'cnn.json'), ...data);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err.trim(), /^kairo: error: layer 0: .*has no tensor "0.weight"$/);
  assert.equal(bad.err.trim().split('\n').length, 1);
});

test('kairo curvature track: λ_max every K steps beside 2/η, the first equal to the dense Hessian of the fresh network', () => {
  const flags = ['--width', '2', '--depth', '2', '--samples', '40', '--steps', '20', '--track-every', '10', '--lr', '0.02'];
  const r = kairo('curvature', 'track', ...flags);
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.deepEqual(o.steps, [0, 10, 20]);
  assert.equal(o.two_over_lr, 100);
  assert.equal(o.lambda_max.length, 3);
  assert.ok(o.loss[2] < o.loss[0], `loss ${o.loss}`);
  const d = defaultTrack();
  const { problem } = freshProblem({ ...d.network, width: 2, depth: 2, samples: 40 });
  const op = operatorOf(problem, 'hessian');
  const ev = denseEigen(op.P, op.matvec);
  assert.ok(Math.abs(o.lambda_max[0] - ev[0]!) < 1e-6 * ev[0]!, `${o.lambda_max[0]} vs ${ev[0]}`);
});

test('curvature results are kept in the session and come back after save and open', async () => {
  const p = defaultSpectrum();
  const params = { ...p, network: { ...p.network, width: 16, inputDim: 8, samples: 10 }, analysis: { ...p.analysis, top: 2 } };
  await runJobDone(core, 'curvature.spectrum', params);
  const r = core.session.labs.curvature.result!;
  assert.equal(r.top.length, 2);
  const file = join(tempDir(), 's.kairo');
  await core.call('session.save', { path: file });
  await core.call('session.new', {});
  assert.equal(core.session.labs.curvature.result, null);
  await core.call('session.open', { path: file });
  assert.deepEqual(core.session.labs.curvature.result, r);
  const runs = core.session.labs.runs.runs.filter((x) => x.kind === 'curvature.spectrum');
  assert.equal(runs.at(-1)!.metrics['λ_max'], r.top[0]);
});

test('nonsense is refused at jobs.start with one line, before any worker starts', async () => {
  const d = defaultSpectrum();
  const tiny = { ...d.network, width: 2, inputDim: 2, outputs: 1, samples: 3 };
  const cases: [unknown, RegExp][] = [
    [{ ...d, model: 'import' }, /choose the network's weights/],
    [{ ...d, network: { ...d.network, norm: 'ln' } }, /without normalisation/],
    [{ ...d, analysis: { ...d.analysis, matrix: 'hessian' } }, /needs labelled data/],
    [{ ...d, network: tiny, analysis: { ...d.analysis, top: 20 } }, /k must be below the 15 parameters/],
    [
      {
        ...d,
        model: 'import',
        imported: {
          ...d.imported,
          files: { kind: 'pytorch', weights: '/nonexistent.safetensors', layers: join(FIX, 'mlp.json') },
        },
      },
      /nonexistent/,
    ],
    [
      { ...d, network: { ...d.network, inputs: 'images', outputs: 3 }, analysis: { ...d.analysis, matrix: 'hessian' } },
      /labels \(up to 9\) below the outputs: at least 10/,
    ],
    [
      { ...d, analysis: { ...d.analysis, lanczosSteps: 400 }, network: { ...d.network, width: 8192, depth: 4 } },
      /Lanczos basis .* GB/,
    ],
  ];
  const before = core.jobs.list().length;
  for (const [params, re] of cases)
    await assert.rejects(core.call('jobs.start', { kind: 'curvature.spectrum', params } as never), (e: Error) => {
      assert.match(e.message, re);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  const t = defaultTrack();
  await assert.rejects(
    core.call('jobs.start', { kind: 'curvature.track', params: { ...t, every: 5000 } } as never),
    /at most the 1000 steps/,
  );
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'curvature.track',
      params: { ...t, network: { ...t.network, inputs: 'gaussian' } },
    } as never),
    /needs labelled data/,
  );
  assert.equal(core.jobs.list().length, before);
  // The CLI says which flag.
  const r = kairo('curvature', '--network', 'fresh', '--norm', 'ln');
  assert.match(r.err, /^kairo: error: --norm: the curvature lab takes networks without normalisation/);
  assert.match(kairo('curvature', '--session', 'x.kairo', '--model', 'vae').err, /^kairo: error: .*x\.kairo: cannot read/);
  assert.match(kairo('curvature').err, /^kairo: error: give one of --network fresh, --import/);
  // A sweep may vary any of its flags.
  const spec = validateSpec(
    {
      command: ['curvature', 'spectrum'],
      fixed: { network: 'fresh', matrix: 'ggn' },
      grid: { width: [8, 16], 'lanczos-steps': [10, 20] },
    },
    await labCommands(),
  );
  assert.deepEqual(spec.command, ['curvature', 'spectrum']);
});
