// kairo sweep (issue 19): expansion order and hashes, one-line errors naming the field, runs
// written atomically and skipped when done, collect with missing and failed runs, the indices
// clusters hand over, the Kubernetes manifest against the Kubernetes schema.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { LAB_COMMANDS } from '../../core/cli/commands.ts';
import { k8sManifest } from '../../core/labs/sweep/cluster.ts';
import { collect, runIndex, runOne } from '../../core/labs/sweep/runner.ts';
import { expand, runHash, validateSpec } from '../../core/labs/sweep/spec.ts';
import { cliOnFreshCore, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const kairo = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/kairo.mjs', ...args], { encoding: 'utf8', env: { ...process.env, KAIRO_HOME: tempDir() } });

test('grid, zip and random expand in a stable order with hashes that depend only on the run', () => {
  const spec = validateSpec(
    {
      command: ['fisher', 'theory'],
      fixed: { samples: 10 },
      grid: { width: [100, 200], depth: [2, 3, 4] },
      zip: { 'sigma-w2': [1, 2], 'sigma-b2': [0, 0.1] },
      random: { count: 2, seed: 5, params: { outputs: { min: 1, max: 8, int: true }, activation: { choice: ['relu', 'tanh'] } } },
    },
    LAB_COMMANDS,
  );
  const runs = expand(spec);
  assert.equal(runs.length, 2 * 3 * 2 * 2);
  assert.deepEqual(
    runs.map((r) => r.index),
    [...runs.keys()],
  );
  // The first grid key varies slowest, then the zip rows, then the random draws.
  assert.deepEqual(
    runs.slice(0, 5).map((r) => [r.params.width, r.params.depth, r.params['sigma-w2']]),
    [
      [100, 2, 1],
      [100, 2, 1],
      [100, 2, 2],
      [100, 2, 2],
      [100, 3, 1],
    ],
  );
  assert.deepEqual(runs[0]!.params['sigma-b2'], 0);
  for (const r of runs) {
    assert.ok(Number.isInteger(r.params.outputs) && (r.params.outputs as number) >= 1 && (r.params.outputs as number) <= 8);
    assert.ok(['relu', 'tanh'].includes(r.params.activation as string));
  }
  // The same draws for the same seed; hashes ignore key order, change with any value.
  assert.deepEqual(expand(spec), runs);
  assert.equal(runHash(['fisher', 'theory'], { a: 1, b: 2 }), runHash(['fisher', 'theory'], { b: 2, a: 1 }));
  assert.notEqual(runHash(['fisher', 'theory'], { a: 1, b: 2 }), runHash(['fisher', 'theory'], { a: 1, b: 3 }));
  assert.equal(new Set(runs.map((r) => r.hash)).size, runs.length);
});

test('a bad sweep file is refused with one line naming the field', () => {
  const bad = (raw: unknown, re: RegExp) => assert.throws(() => validateSpec(raw, LAB_COMMANDS), re);
  bad({ command: ['fisher', 'spectrum'], grids: {} }, /^KairoError: sweep\.grids: unknown section/);
  bad(
    { command: ['nope', 'x'] },
    /sweep\.command: unknown command "nope"; sweepable: vae, fisher, ngd, continual, field, hopfield, augment/,
  );
  bad({ command: ['fisher', 'spectra'] }, /sweep\.command: "fisher" has no subcommand "spectra"/);
  bad({ command: ['fisher', 'spectrum'], grid: { widht: [1] } }, /sweep\.grid\.widht: kairo fisher spectrum has no flag --widht/);
  // A flag of the lab's other subcommands is no flag of this one.
  bad(
    { command: ['fisher', 'signal'], grid: { samples: [4, 8] } },
    /sweep\.grid\.samples: kairo fisher signal has no flag --samples/,
  );
  bad(
    { command: ['fisher', 'spectrum'], fixed: { width: 3 }, grid: { width: [1] } },
    /sweep\.grid\.width: --width is already set in sweep\.fixed/,
  );
  bad(
    { command: ['fisher', 'spectrum'], zip: { width: [1, 2], depth: [2] } },
    /sweep\.zip\.depth: zipped lists must have equal lengths/,
  );
  bad({ command: ['fisher', 'spectrum'], fixed: { eigenvalues: 'yes' } }, /sweep\.fixed\.eigenvalues: --eigenvalues is a switch/);
  bad(
    { command: ['fisher', 'spectrum'], random: { count: 2, seed: 1, params: { width: { min: 0, max: 9, log: true } } } },
    /sweep\.random\.params\.width: a log range needs min > 0/,
  );
  bad({ command: ['fisher', 'spectrum'], grid: { width: [] } }, /sweep\.grid\.width: give a non-empty list/);
  const d = tempDir();
  writeFileSync(join(d, 's.json'), '{"command": ["fisher", "spectrum"], "grid": {"widht": [1]}}');
  const r = kairo('sweep', 'expand', join(d, 's.json'));
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'kairo: error: sweep.grid.widht: kairo fisher spectrum has no flag --widht\n');
});

test('runs write their record atomically, skip when done, and collect names missing and failed runs', async () => {
  const dir = tempDir();
  // depth 1 is below the schema's minimum: that run fails with the field named.
  const spec = validateSpec(
    { command: ['fisher', 'theory'], fixed: { samples: 20 }, grid: { width: [100, 1000], depth: [1, 3] } },
    LAB_COMMANDS,
  );
  const cmd = LAB_COMMANDS.get('fisher')!;
  const ctx = await cliOnFreshCore();
  for (let i = 0; i < 4; i++) await runOne(dir, spec, i, cmd, LAB_COMMANDS, ctx);
  const first = readFileSync(join(dir, '1.json'), 'utf8');
  const again = await runOne(dir, spec, 1, cmd, LAB_COMMANDS, ctx);
  assert.equal(again.skipped, true);
  assert.equal(readFileSync(join(dir, '1.json'), 'utf8'), first);
  const rec = JSON.parse(first);
  assert.deepEqual(Object.keys(rec).sort(), [
    'command',
    'hash',
    'host',
    'index',
    'kairo_version',
    'params',
    'result',
    'seconds',
    'started_at',
  ]);
  // The record holds exactly what `kairo fisher theory` prints for those flags.
  const direct = kairo('fisher', 'theory', '--samples', '20', '--width', '100', '--depth', '3');
  assert.equal(direct.status, 0, direct.stderr);
  assert.deepEqual(rec.result, JSON.parse(direct.stdout));
  rmSync(join(dir, '3.json'));
  const c = collect(dir, LAB_COMMANDS);
  assert.deepEqual(
    c.runs.map((r) => r.index),
    [1],
  );
  assert.deepEqual(c.missing, [3]);
  assert.deepEqual(
    c.failed.map((f) => f.index),
    [0, 2],
  );
  assert.match(c.failed[0]!.error, /depth/);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
  // Another sweep in the same folder is refused.
  const other = validateSpec({ command: ['fisher', 'theory'], grid: { width: [5] } }, LAB_COMMANDS);
  await assert.rejects(runOne(dir, other, 0, cmd, LAB_COMMANDS, ctx), /holds another sweep/);
});

test('the index comes from --index, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX, and must exist', () => {
  assert.equal(runIndex('2', {}, 4), 2);
  assert.equal(runIndex(undefined, { SLURM_ARRAY_TASK_ID: '3', JOB_COMPLETION_INDEX: '1' }, 4), 3);
  assert.equal(runIndex(undefined, { JOB_COMPLETION_INDEX: '1' }, 4), 1);
  assert.throws(
    () => runIndex(undefined, { SLURM_ARRAY_TASK_ID: '4' }, 4),
    /SLURM_ARRAY_TASK_ID = 4: this sweep has runs 0\.\.3/,
  );
  assert.throws(() => runIndex(undefined, {}, 4), /give --index i/);
  const d = tempDir();
  writeFileSync(join(d, 's.json'), JSON.stringify({ command: ['fisher', 'theory'], grid: { width: [100, 200] } }));
  const r = spawnSync(process.execPath, ['bin/kairo.mjs', 'sweep', 'run', join(d, 's.json'), '--out', join(d, 'o')], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_HOME: tempDir(), JOB_COMPLETION_INDEX: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(join(d, 'o', '1.json'), 'utf8')).params.width, 200);
});

test('a run killed mid-way leaves no result file, and the rerun does it', async () => {
  const d = tempDir();
  const spec = join(d, 's.json');
  writeFileSync(
    spec,
    JSON.stringify({
      command: ['fisher', 'spectrum'],
      fixed: { width: 512, depth: 4, 'input-dim': 256, samples: 400, outputs: 4 },
    }),
  );
  const out = join(d, 'o');
  const child = spawn(process.execPath, ['bin/kairo.mjs', 'sweep', 'run', spec, '--index', '0', '--out', out], {
    env: { ...process.env, KAIRO_HOME: tempDir() },
  });
  // Wait until the sweep is recorded (the run has begun), then kill it.
  // Starting the CLI can take many seconds on a loaded machine: wait up to a minute.
  for (let t = 0; t < 2400 && !existsSync(join(out, 'sweep.json')); t++) await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.deepEqual(readdirSync(out), ['sweep.json']);
  const r = kairo('sweep', 'run', spec, '--index', '0', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).skipped, false);
  assert.ok(statSync(join(out, '0.json')).size > 100);
});

test('the Kubernetes manifest is a valid ConfigMap and Indexed Job by the Kubernetes schema', () => {
  const spec = validateSpec({ command: ['fisher', 'spectrum'], grid: { width: [64, 128], seed: [1, 2, 3] } }, LAB_COMMANDS);
  const m = k8sManifest({ image: 'registry.example/kairo:0.1', count: 6, spec, parallelism: 4 });
  const [cm, job] = m.items as [Record<string, unknown>, Record<string, unknown>];
  new ConfigMap(cm as never).validate();
  new Job(job as never).validate();
  const s = (job as { spec: { completionMode: string; completions: number; parallelism: number } }).spec;
  assert.deepEqual([s.completionMode, s.completions, s.parallelism], ['Indexed', 6, 4]);
  assert.deepEqual(JSON.parse((cm as { data: Record<string, string> }).data['spec.json']!), spec);
  // A broken manifest is caught by the same schema (so the check can fail).
  assert.throws(() => new Job({ ...(job as object), spec: { ...s, completions: 'six' } } as never).validate(), /completions/);
});

test('a sweep run from the app is a job: progress per run, results in the Sweeps lab, cancel keeps the runs done', async () => {
  const { Core } = await import('../../core/core.ts');
  const core = new Core({ platform: { carrier: 'web' } });
  const quick = { command: ['fisher', 'theory'] as [string, string], grid: { width: [100, 1000, 10000] } };
  const j = await core.call('jobs.start', { kind: 'sweep.local', params: { spec: quick } });
  const end = await core.jobs.wait(j.id);
  assert.equal(end.state, 'done', end.error?.message);
  const r = core.session.labs.sweep.result!;
  assert.deepEqual([r.count, r.runs.length, r.partial, r.source], [3, 3, false, null]);
  const direct = kairo('fisher', 'theory', '--width', '10000');
  assert.deepEqual(r.runs[2]!.result, JSON.parse(direct.stdout));
  // Slower runs, cancelled after the first: it is kept, the rest are missing.
  const slow = {
    command: ['fisher', 'spectrum'] as [string, string],
    fixed: { width: 256, depth: 3, samples: 200 },
    grid: { seed: [1, 2, 3, 4, 5, 6] },
  };
  const j2 = await core.call('jobs.start', { kind: 'sweep.local', params: { spec: slow } });
  for (;;) {
    if ((core.jobs.list().find((x) => x.id === j2.id)?.progress?.step ?? 0) >= 1) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  // Each run is a job of the same core, a child of the sweep: not a second core, not argv.
  const children = () => core.jobs.list().filter((x) => x.parent === j2.id);
  assert.ok(children().length >= 1 && children().every((c) => c.kind === 'fisher.spectrum'));
  await core.call('jobs.cancel', { id: j2.id });
  const e2 = await core.jobs.wait(j2.id);
  assert.equal(e2.state, 'cancelled');
  // The cancel reached the run under way: no child is left running.
  assert.ok(children().every((c) => c.state !== 'running' && c.state !== 'queued'));
  const s = core.session.labs.sweep.result!;
  assert.ok(s.partial && s.runs.length >= 1 && s.runs.length < 6);
  assert.deepEqual([...s.runs.map((x) => x.index), ...s.missing].sort(), [0, 1, 2, 3, 4, 5]);
  // A run prints what the same command prints from a shell …
  const shell = kairo('fisher', 'spectrum', '--width', '256', '--depth', '3', '--samples', '200', '--seed', '1');
  assert.deepEqual(s.runs[0]!.result, JSON.parse(shell.stdout));
  // … and leaves the app's session alone: the Fisher lab holds no spectrum, the ledger only the sweeps.
  assert.equal(core.session.labs.fisher.spectrum, null);
  assert.deepEqual(
    core.session.labs.runs.runs.map((x) => x.kind),
    ['sweep.local', 'sweep.local'],
  );
  // A bad sweep file is refused at jobs.start, before any worker, with the field named.
  const jobs = core.jobs.list().length;
  await assert.rejects(
    core.call('jobs.start', {
      kind: 'sweep.local',
      params: { spec: { command: ['fisher', 'spectrum'], grid: { widht: [1] } } as never },
    }),
    /sweep\.grid\.widht: kairo fisher spectrum has no flag --widht/,
  );
  assert.equal(core.jobs.list().length, jobs);
  await core.shutdown();
});

test('a huge grid is counted as a product and refused in one line before anything expands (CLI and jobs.start)', async () => {
  const dir = tempDir();
  const r1000 = Array.from({ length: 1000 }, (_, i) => i + 1);
  const big = join(dir, 'big.json');
  writeFileSync(big, JSON.stringify({ command: ['fisher', 'theory'], grid: { width: r1000, samples: r1000, seed: r1000 } }));
  const t0 = Date.now();
  const r = kairo('sweep', 'expand', big);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(
    r.stderr,
    'kairo: error: sweep: 1,000 × 1,000 × 1,000 = 1,000,000,000 runs; one sweep runs at most 100,000 (split it into several files)\n',
  );
  assert.ok(Date.now() - t0 < 15_000);
  // Through the core, as the app starts it: refused at jobs.start, no worker started.
  const { Core } = await import('../../core/core.ts');
  const core = new Core({ platform: { carrier: 'web' } });
  try {
    await assert.rejects(
      core.call('jobs.start', { kind: 'sweep.local', params: { spec: JSON.parse(readFileSync(big, 'utf8')) } } as never),
      /1,000,000,000 runs; one sweep runs at most 100,000/,
    );
    assert.deepEqual(core.jobs.list(), []);
  } finally {
    await core.shutdown();
  }
  // Random draws multiply too; the cap itself is allowed, and runs are built by index.
  assert.throws(
    () =>
      validateSpec(
        {
          command: ['fisher', 'theory'],
          grid: { width: [1, 2] },
          random: { count: 100000, seed: 1, params: { depth: { min: 2, max: 4 } } },
        },
        LAB_COMMANDS,
      ),
    /2 × 100,000 = 200,000 runs/,
  );
  const { SweepRuns } = await import('../../core/labs/sweep/spec.ts');
  const spec = validateSpec(
    { command: ['fisher', 'theory'], grid: { width: r1000, samples: r1000.slice(0, 100) } },
    LAB_COMMANDS,
  );
  const runs = new SweepRuns(spec);
  assert.equal(runs.count, 100_000);
  assert.deepEqual(runs.at(99_999).params, { width: 1000, samples: 100 });
  assert.deepEqual(runs.at(101).params, { width: 2, samples: 2 });
});

test('collect reads a folder through the file rules: special files and malformed manifests are one-line errors', () => {
  const dir = tempDir();
  const spec = { command: ['fisher', 'theory'], grid: { width: [100, 200] } };
  const run = (args: string[]) => {
    const r = kairo(...args);
    return { status: r.status, err: r.stderr, out: r.stdout };
  };
  const manifest = (m: unknown) => writeFileSync(join(dir, 'sweep.json'), JSON.stringify(m));
  for (const [m, re] of [
    [
      { format: 'kairo-sweep', spec: { command: 'x' }, count: 0, hashes: [] },
      /sweep\.json: sweep\.command: give the command and subcommand/,
    ],
    [{ format: 'kairo-sweep', spec, count: 2, hashes: 'ab' }, /sweep\.json: hashes must list one hash per run \(2\)/],
    [{ format: 'kairo-sweep', spec, count: 'x', hashes: [] }, /sweep\.json: count "x" does not match its spec's 2 runs/],
    [{ format: 'kairo-sweep', spec, count: 2, hashes: ['a', 'b'] }, /sweep\.json: hashes\[0\] does not match run 0 of its spec/],
    [[], /sweep\.json: not a Kairo sweep manifest/],
  ] as const) {
    manifest(m);
    const r = run(['sweep', 'collect', dir]);
    assert.equal(r.status, 2, r.err);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
  // A FIFO as the manifest used to freeze the process for good; /dev/zero as a record aborted it.
  rmSync(join(dir, 'sweep.json'));
  spawnSync('mkfifo', [join(dir, 'sweep.json')]);
  const t0 = Date.now();
  const fifo = run(['sweep', 'collect', dir]);
  assert.equal(fifo.status, 2);
  assert.match(fifo.err, /sweep\.json: cannot read \(a named pipe \(FIFO\); Kairo reads regular files only\)/);
  assert.ok(Date.now() - t0 < 15_000);
  rmSync(join(dir, 'sweep.json'));
  const s = validateSpec(spec, LAB_COMMANDS);
  manifest({ format: 'kairo-sweep', spec: s, count: 2, hashes: expand(s).map((r) => r.hash) });
  spawnSync('ln', ['-s', '/dev/zero', join(dir, '0.json')]);
  writeFileSync(join(dir, '1.json'), '{"hash": 3}');
  const c = collect(dir, LAB_COMMANDS);
  assert.deepEqual(c.runs, []);
  assert.deepEqual(
    c.failed.map((f) => [f.index, f.error.replace(dir, 'DIR')]),
    [
      [0, 'DIR/0.json: cannot read (a character device; Kairo reads regular files only)'],
      [1, 'DIR/1.json: not a Kairo run record'],
    ],
  );
});

test('--index takes plain digits only (1e0 and 0x1 are refused, not read as 1)', () => {
  for (const v of ['1e0', '0x1', ' 1.0', 'Infinity'])
    assert.throws(() => runIndex(v, {}, 4), /--index = .*: this sweep has runs 0\.\.3/, v);
  assert.equal(runIndex('3', {}, 4), 3);
});
