import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { build } from '../../core/labs/fisher/jobs/network.ts';
import { defaultNetwork } from '../../core/labs/fisher/state.ts';
import { fisherDual } from '../../models/fisher/fisher.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

function kairo(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/kairo.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_HOME: tempDir() },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const FLAGS = [
  '--activation',
  'tanh',
  '--depth',
  '3',
  '--width',
  '48',
  '--input-dim',
  '40',
  '--outputs',
  '3',
  '--samples',
  '12',
  '--sigma-w2',
  '1.5',
  '--sigma-b2',
  '0.1',
  '--weights',
  'gaussian',
  '--norm',
  'none',
  '--loss',
  'mse',
  '--seed',
  '4',
];

test('kairo fisher spectrum prints the documented fields, equal to an independent rebuild of the same network', () => {
  const r = kairo('fisher', 'spectrum', ...FLAGS, '--eigenvalues');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.deepEqual(Object.keys(o.theory).sort(), ['bulk', 'kappa1', 'kappa2', 'lambda_max', 'm_lambda', 's_lambda']);
  assert.equal(o.P, 48 * 41 + 48 * 49 + 3 * 49);
  const net = {
    ...defaultNetwork(),
    activation: 'tanh' as const,
    depth: 3,
    width: 48,
    inputDim: 40,
    outputs: 3,
    samples: 12,
    sigmaW2: 1.5,
    sigmaB2: 0.1,
    seed: 4,
  };
  const b = build(net);
  const ev = eigh(fisherDual(b.net, b.X, b.T, 'none', 'mse'), 36).values;
  assert.equal(o.eigenvalues.length, 36);
  o.eigenvalues.forEach((v: number, i: number) => assert.ok(Math.abs(v - ev[i]!) < 1e-9 * ev[35]!));
  assert.ok(Math.abs(o.lambda_max - ev[35]!) < 1e-9 * ev[35]!);
  assert.ok(Math.abs(o.m_lambda - ev.reduce((s, v) => s + v, 0) / o.P) < 1e-12);
  assert.ok(Math.abs(o.s_lambda - ev.reduce((s, v) => s + v * v, 0) / o.P) < 1e-9 * o.s_lambda);
  // The theory command gives the same theory, instantly, and works at any width.
  const { order_parameters: order, ...t } = JSON.parse(kairo('fisher', 'theory', ...FLAGS).out);
  assert.deepEqual(t, o.theory);
  // The order parameters obey their recursions: q₁^l = σ_w² q̂₁^{l−1} + σ_b², and q̂₁ of the inputs is 1.
  assert.equal(order.length, 3);
  assert.equal(order[0].q_hat1, 1);
  for (let l = 1; l < 3; l++) assert.ok(Math.abs(order[l].q1 - (1.5 * order[l - 1].q_hat1 + 0.1)) < 1e-12);
  // tanh: q̂₁ = E tanh(u)², u ~ N(0, q₁), by a plain Riemann sum.
  const q1 = order[1].q1;
  let e = 0;
  for (let u = -12; u <= 12; u += 1e-3)
    e += (Math.tanh(Math.sqrt(q1) * u) ** 2 * Math.exp((-u * u) / 2) * 1e-3) / Math.sqrt(2 * Math.PI);
  assert.ok(Math.abs(order[1].q_hat1 - e) < 1e-7); // 96-node Gauss–Hermite meets tanh's complex poles near 1e-9
  const wide = kairo('fisher', 'theory', '--width', '1000000', '--input-dim', '1000000', '--samples', '100');
  assert.equal(wide.code, 0, wide.err);
  const w = JSON.parse(wide.out);
  // m_λ = κ₁C/M at leading order.
  assert.ok(Math.abs(w.m_lambda / ((w.kappa1 * 2) / 1e6) - 1) < 1e-4);
});

test('kairo fisher lr-sweep: below 2/λ_max the loss falls, far above it diverges', () => {
  const r = kairo('fisher', 'lr-sweep', ...FLAGS, '--factors', '0.5,8', '--steps', '40');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  const [slow, fast] = o.curves;
  assert.equal(slow.losses.length, 41);
  assert.ok(slow.losses.at(-1) < slow.losses[0]);
  assert.ok(Math.abs(slow.eta - (0.5 * 2) / o.lambda_max) < 1e-12);
  assert.equal(fast.diverged, true);
});

test('bad flags and oversize requests get one-line errors', () => {
  for (const [args, re] of [
    [['fisher', 'spectrum', '--norm', 'batch'], /--norm must be one of none\|bn-last\|bn-hidden\|ln/],
    [['fisher', 'spectrum', '--depth', '1'], /--depth: Number must be greater than or equal to 2/],
    [['fisher', 'spectrum', '--loss', 'ce', '--outputs', '1'], /cross-entropy needs at least 2 outputs/],
    [['fisher', 'spectrum', '--norm', 'bn-hidden', '--samples', '500'], /keep samples × outputs ≤ 400/],
    [['fisher', 'spectrum', '--width', '20000'], /width and input-dim must be at most 8192/],
    [['fisher', 'lr-sweep', '--norm', 'ln'], /supports --norm none\|bn-last/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('spectrum, sweep, isometry and blocks results save and reload with their tensors', async () => {
  const network = { ...defaultNetwork(), width: 32, inputDim: 16, samples: 10 };
  for (const [kind, params] of [
    ['fisher.spectrum', { network, compare: true }],
    ['fisher.sweep', { network, axis: 'width', values: [8, 16], seeds: 2 }],
    [
      'fisher.isometry',
      {
        activation: 'linear',
        width: 16,
        depths: [2, 4],
        sigmaW2: 1,
        sigmaB2: 0,
        inputQ: 1,
        lrFactors: [0.5, 2],
        lrSteps: 3,
        seed: 1,
      },
    ],
    ['fisher.blocks', { network: { ...network, width: 8, depth: 3 } }],
  ] as const) {
    const job = await core.call('jobs.start', { kind, params } as never);
    const end = await core.jobs.wait(job.id);
    assert.equal(end.state, 'done', `${kind}: ${end.error?.message}`);
  }
  const lab = core.session.labs.fisher;
  assert.deepEqual(
    lab.spectrum!.comparison!.map((c) => c.norm),
    ['none', 'bn-last', 'ln', 'bn-hidden'],
  );
  // Last-layer centring removes the outlier: λ_max falls.
  assert.ok(lab.spectrum!.comparison![1]!.lambdaMax < lab.spectrum!.comparison![0]!.lambdaMax / 2);
  assert.equal(lab.sweep!.points.length, 2);
  // Orthogonal linear nets: every eigenvalue is L(|x|² + 1), so λ_max doubles from L = 2 to 4.
  const orth = lab.isometry!.runs.filter((r) => r.weights === 'orthogonal').map((r) => Math.max(...r.eigenvalues));
  assert.ok(Math.abs(orth[1]! / orth[0]! - 2) < 1e-9);
  const file = join(tempDir(), 'f.kairo');
  await core.call('session.save', { path: file });
  const c2 = new Core({ platform: { carrier: 'web' } });
  await c2.call('session.open', { path: file });
  assert.deepEqual(c2.session.labs.fisher, lab);
  assert.deepEqual(
    Array.from(c2.session.tensor(lab.spectrum!.tensors.eigenvalues)!.data),
    Array.from(core.session.tensor(lab.spectrum!.tensors.eigenvalues)!.data),
  );
  assert.deepEqual(c2.session.tensor(lab.blocks!.tensor)!.shape, [lab.blocks!.units, lab.blocks!.units]);
  await c2.shutdown();
});
