// The continual-learning lab through the CLI and the core: the documented output, its numbers against
// the models called directly, refusals before a job starts, and results that save and reload exactly.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { CONTINUAL_DEFAULTS_WHY } from '../../core/labs/continual/contract.ts';
import { defaultContinualLab } from '../../core/labs/continual/state.ts';
import { KERNELS, mercerSpectrum } from '../../models/continual/spectrum.ts';
import { chainTheory, singleTaskError } from '../../models/continual/theory.ts';
import { kairo, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

test('kairo continual kernel prints the stages, E1, E2 and the theory; ρ = 1 with N₂ = 0 leaves E unchanged', () => {
  const args = ['--dim', '6', '--target-terms', '10', '--similarity', '1', '--noise', '0.1', '--ridge', '0'];
  const r = kairo(
    'continual',
    'kernel',
    ...args,
    '--n1',
    '60',
    '--n2',
    '120',
    '--draws',
    '4',
    '--test-points',
    '300',
    '--seed',
    '2',
  );
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.deepEqual(Object.keys(o).sort(), ['E1', 'E2', 'correction', 'draws', 'memory', 'sd', 'stages', 'theory']);
  assert.deepEqual(Object.keys(o.stages[0]).sort(), ['error_task1', 'error_task2', 'stage']);
  assert.equal(o.E1, o.stages[0].error_task1);
  assert.equal(o.E2, o.stages[1].error_task1);
  // The theory is the model's, called directly.
  const sp = mercerSpectrum(KERNELS['ntk-relu'].k, 6, 40);
  const th = chainTheory(sp, { sizes: [60, 120], rho: 1, noise: 0.1, ridge: 0 }).errors;
  assert.ok(Math.abs(o.theory.E1 - th[0]![0]!) < 1e-15 && Math.abs(o.theory.E2 - th[0]![1]!) < 1e-15);
  assert.ok(Math.abs(o.theory.E1 - singleTaskError(sp, 60, 0.1, 0)) < 1e-15);
  const z = JSON.parse(
    kairo('continual', 'kernel', ...args, '--n1', '60', '--n2', '0', '--draws', '2', '--test-points', '100').out,
  );
  assert.equal(z.E2, z.E1);
  assert.equal(z.theory.E2, z.theory.E1);
});

test('bad flags get one-line errors before any job starts', () => {
  for (const [args, re] of [
    [['continual', 'kernel', '--dim', '2'], /--dim: Number must be greater than or equal to 3/],
    [['continual', 'kernel', '--similarity', '1.5'], /--similarity: Number must be less than or equal to 1/],
    [['continual', 'kernel', '--kernel', 'poly'], /--kernel must be one of ntk-relu\|arccos0\|arccos1\|rbf/],
    [['continual', 'kernel', '--sizes', '10,10', '--n1', '5'], /give --sizes or --n1\/--n2, not both/],
    [['continual', 'kernel', '--sizes', '0,0'], /at least one stage needs samples/],
    [['continual', 'sweep', '--axis', 'ratio', '--n1', '500', '--ratios', '5'], /N₂ = 5·500 is above 2,000/],
    [['continual', 'network', '--sizes', '1000,1000', '--test-points', '1500'], /at most 3,000 in all/],
    [['continual', 'frobnicate'], /unknown continual command "frobnicate"/],
    [['continual', 'kernel', '--replay', '20'], /--replay sets the replay correction: add --correction replay/],
    [['continual', 'kernel', '--correction', 'anchor', '--step', '0.5'], /--step sets the balanced correction/],
    [['continual', 'kernel', '--correction', 'balanced', '--step', 'auto', '--step-rule', 'fixed'], /--step auto or --step-rule/],
    [['continual', 'kernel', '--correction', 'balanced', '--step', '0'], /--step: Number must be greater than 0/],
    [['continual', 'kernel', '--correction', 'forget-less'], /--correction must be one of none\|replay\|anchor\|balanced\|ewc/],
    [['continual', 'sweep', '--axis', 'replay', '--correction', 'replay'], /the replay sweep sets its own correction/],
    [['continual', 'network', '--correction', 'fisher'], /--correction must be one of none\|replay\|anchor\|balanced\|ewc/],
    [['continual', 'kernel', '--correction', 'ewc'], /EWC anchors parameters, which the kernel model has none of/],
    [['continual', 'kernel', '--ewc-weight', '2'], /--ewc-weight sets the ewc correction: add --correction ewc/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('chain, sweeps and network run as jobs, store their results and reload exactly', async () => {
  const model = { ...defaultContinualLab().model, dim: 6, targetTerms: 10, draws: 3, testPoints: 200 };
  const run = async (kind: string, params: unknown) => {
    const job = await core.call('jobs.start', { kind, params } as never);
    const end = await core.jobs.wait(job.id);
    assert.equal(end.state, 'done', `${kind}: ${end.error?.message}`);
  };
  await run('continual.chain', { ...model, sizes: [40, 40, 10], similarity: 0.8 });
  // Noiseless: forward transfer turns positive at some ρ, backward transfer only near ρ = 1 (with noise 0.1 and
  // N₁ = N₂ = 40 even ρ = 1 leaves task 2 worse than learned alone: stage 2 refits the noise).
  await run('continual.sweep', {
    ...model,
    noise: 0,
    axis: 'similarity',
    n1: 40,
    n2: 40,
    ratios: [1],
    similarity: 1,
    rhos: [0, 0.5, 0.9, 1],
  });
  const sim = core.session.labs.continual.sweep!;
  // The critical ρ is where the theory's forward transfer changes sign: check it with the model directly.
  const sp = mercerSpectrum(KERNELS['ntk-relu'].k, 6, 40);
  const fwd = (rho: number) => {
    const e = chainTheory(sp, { sizes: [40, 40], rho, noise: 0, ridge: 0 }).errors;
    return singleTaskError(sp, 40, 0, 0) - e[1]![1]!;
  };
  const c = sim.critical!.forward!;
  assert.ok(fwd(c - 0.01) < 0 && fwd(c + 0.01) > 0, `forward transfer does not turn positive at ${c}`);
  assert.ok(sim.critical!.backward! > c, `backward ${sim.critical!.backward} ≤ forward ${c}`);
  assert.equal(sim.points.length, 4);
  await run('continual.sweep', { ...model, axis: 'ratio', n1: 40, n2: 40, ratios: [0.25, 1, 2], similarity: 1, rhos: [1] });
  await run('continual.network', {
    ...model,
    testPoints: 100,
    sizes: [30, 30],
    similarity: 1,
    data: 'teacher',
    parameterisation: 'ntk',
    width: 256,
    depth: 2,
    steps: 200,
    lrFactor: 0.9,
  });
  const lab = core.session.labs.continual;
  assert.equal(lab.chain!.mean.length, 3);
  assert.equal(lab.sweep!.params.axis, 'ratio');
  assert.deepEqual(
    lab.sweep!.points.map((p) => p.n2),
    [10, 40, 80],
  );
  // The lazy network follows its linearisation: errors within 10 % on every task and stage.
  const n = lab.network!;
  n.measured.forEach((row, t) =>
    row.forEach((v, m) =>
      assert.ok(
        Math.abs(v - n.predicted![t]![m]!) < 0.1 * n.predicted![t]![m]!,
        `task ${t} stage ${m}: ${v} vs ${n.predicted![t]![m]}`,
      ),
    ),
  );
  assert.ok(n.kernelChange < 0.1, `kernel change ${n.kernelChange}`);
  // MNIST-derived tasks: random dichotomies of the digits, |x|² = 784; still lazy at width 256.
  await run('continual.network', {
    ...model,
    testPoints: 80,
    sizes: [40, 40],
    similarity: 0.5,
    data: 'mnist',
    parameterisation: 'ntk',
    width: 256,
    depth: 2,
    steps: 100,
    lrFactor: 0.9,
  });
  const mn = core.session.labs.continual.network!;
  assert.equal(mn.params.data, 'mnist');
  mn.measured.forEach((row, t) =>
    row.forEach((v, m) =>
      assert.ok(Math.abs(v - mn.predicted![t]![m]!) < 0.15 * mn.predicted![t]![m]!, `MNIST task ${t} stage ${m}`),
    ),
  );
  assert.ok(mn.kernelChange < 0.15, `MNIST kernel change ${mn.kernelChange}`);
  const file = join(tempDir(), 'continual.kairo');
  await core.call('session.save', { path: file });
  const c2 = new Core({ platform: { carrier: 'web' } });
  await c2.call('session.open', { path: file });
  assert.deepEqual(c2.session.labs.continual, core.session.labs.continual);
  await c2.shutdown();
});

test('a typed kernel: the NTK typed out gives the built-in NTK’s numbers; nonsense and non-kernels are refused', () => {
  const base = ['continual', 'kernel', '--dim', '5', '--n1', '30', '--n2', '10', '--draws', '2', '--test-points', '100'];
  const built = JSON.parse(kairo(...base).out);
  const typed = kairo(...base, '--kernel', 'custom', '--kernel-expr', '(sqrt(1 - t^2) + 2*t*(pi - acos(t)))/(2*pi)');
  assert.equal(typed.code, 0, typed.err);
  assert.deepEqual(JSON.parse(typed.out), built);
  for (const [expr, re] of [
    ['t +', /^kairo: error: --kernel-expr: an expression is missing/],
    ['log(t)', /^kairo: error: --kernel-expr: k\(-1\) is not a finite number/],
    ['-t', /not positive definite on the sphere S\^4: its Mercer eigenvalue η_1/],
  ] as const) {
    const r = kairo(...base, '--kernel', 'custom', '--kernel-expr', expr);
    assert.equal(r.code, 2, `${expr}: ${r.err}`);
    assert.match(r.err, re);
  }
});

test('continual sweep --out and continual network --out save their sessions (they wrote nothing before)', async () => {
  const { readSession } = await import('../../core/session/session.ts');
  const dir = tempDir();
  const small = ['--dim', '4', '--target-terms', '6', '--draws', '2', '--test-points', '50'];
  const sweep = kairo(
    'continual',
    'sweep',
    ...small,
    '--axis',
    'ratio',
    '--n1',
    '20',
    '--ratios',
    '0.5,1',
    '--out',
    join(dir, 's'),
  );
  assert.equal(sweep.code, 0, sweep.err);
  const s = readSession(join(dir, 's.kairo')).labs.continual.sweep!;
  assert.deepEqual(
    s.points.map((p) => p.value),
    JSON.parse(sweep.out).points.map((p: { value: number }) => p.value),
  );
  const net = kairo(
    'continual',
    'network',
    ...small,
    '--n1',
    '20',
    '--n2',
    '10',
    '--width',
    '32',
    '--steps',
    '20',
    '--out',
    join(dir, 'n.kairo'),
  );
  assert.equal(net.code, 0, net.err);
  assert.equal(readSession(join(dir, 'n.kairo')).labs.continual.network!.measured[0]![0], JSON.parse(net.out).E1);
});

test('kairo continual kernel --correction: --step auto is the rule N_m/ΣN_k; theory null where no formula covers it', () => {
  const base = ['continual', 'kernel', '--dim', '6', '--n1', '60', '--n2', '6', '--draws', '3', '--test-points', '200'];
  const auto = JSON.parse(kairo(...base, '--correction', 'balanced', '--step', 'auto').out);
  const rule = JSON.parse(kairo(...base, '--correction', 'balanced', '--step-rule', 'auto').out);
  const fixed = JSON.parse(kairo(...base, '--correction', 'balanced', '--step', String(6 / 66)).out);
  assert.deepEqual(auto.correction, { name: 'balanced', step: 'auto' });
  assert.deepEqual(auto.stages, rule.stages);
  // c = N₂/(N₁ + N₂) = 6/66 typed as a number gives the same fit, to rounding.
  assert.ok(Math.abs(auto.E2 - fixed.E2) < 1e-12 * auto.E2, `${auto.E2} vs ${fixed.E2}`);
  assert.ok(auto.theory.E2 < auto.theory.E1 * 1.05, 'the balanced step does not forget at N₂/N₁ = 0.1');
  const replay = JSON.parse(kairo(...base, '--correction', 'replay', '--replay', '10').out);
  assert.equal(replay.theory, null);
  assert.match(replay.theory_note, /no formula/);
  assert.deepEqual(replay.memory, { samples: 10, inputs: 0 });
  const plain = JSON.parse(kairo(...base).out);
  assert.deepEqual(plain.correction, { name: 'none' });
  assert.equal(plain.theory_note, undefined);
});

test('the defaults show every effect at once, as CONTINUAL_DEFAULTS_WHY quotes them (theory)', () => {
  const sp = mercerSpectrum(KERNELS['ntk-relu'].k, 10, 40);
  const ratio = (n2: number, noise: number) => {
    const e = chainTheory(sp, { sizes: [200, n2], rho: 1, noise, ridge: 0 }).errors[0]!;
    return (e[1]! / e[0]!).toFixed(2);
  };
  const sigma = defaultContinualLab().model.noise;
  assert.equal(sigma, 0.005);
  const critical = (noise: number) => {
    const r = kairo(
      'continual',
      'sweep',
      '--axis',
      'similarity',
      '--rhos',
      '0,1',
      '--noise',
      String(noise),
      '--draws',
      '1',
      '--test-points',
      '10',
    );
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out) as { critical_forward: number | null; critical_backward: number | null };
    return [o.critical_forward?.toFixed(2) ?? null, o.critical_backward?.toFixed(4) ?? null];
  };
  const quoted = [
    `raises its error ${ratio(10, sigma)}×`,
    `lowers it to ${ratio(200, sigma)}×`,
    `forward transfer turns positive at ρ = ${critical(sigma)[0]}, backward only at ρ = ${critical(sigma)[1]}`,
    `equal sizes already forget (${ratio(200, 0.1)}×)`,
  ];
  for (const q of quoted) assert.ok(CONTINUAL_DEFAULTS_WHY.includes(q), q);
  assert.deepEqual(critical(0.1), [null, null], 'at σ = 0.1 no ρ gives forward transfer');
});
