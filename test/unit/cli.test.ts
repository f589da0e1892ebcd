import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeIdx } from '../../core/data/idx.ts';
import { writeSessionAtomic } from '../../core/session/session.ts';
import { defaultLabs } from '../../core/labs/index.ts';
import { tempDir } from '../helpers.ts';
import { MADD_MODULE } from '../fixtures/relaxed-simd.ts';

// Exactly what a user's script runs: the package's bin, as a separate process.
function kairo(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/kairo.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_HOME: tempDir() },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('kairo info names the running backend and why better ones were skipped', () => {
  const r = kairo('info');
  assert.equal(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  assert.equal(info.backend, 'wasm');
  assert.deepEqual(
    info.backends_tried.map((t: { name: string; ok: boolean }) => [t.name, t.ok]),
    [
      ['tensorflow-gpu', false],
      ['webgpu', false],
      ['tensorflow', false],
      ['wasm', true],
    ],
  );
  assert.match(info.backends_tried[0].reason, /not installed/);
  assert.match(info.backends_tried[1].reason, /libvulkan/);
  assert.equal(info.adapter, null);
  // Fused multiply-add exactly where the runtime validates relaxed SIMD (test/unit/fma.test.ts
  // covers the other runtimes), and the reason says which.
  assert.equal(info.fma, WebAssembly.validate(MADD_MODULE));
  assert.match(info.backends_tried[3].reason, info.fma ? /, fused multiply-add/ : /, no fused multiply-add: /);
  assert.equal(info.version, JSON.parse(spawnSync('npm', ['pkg', 'get', 'version'], { encoding: 'utf8' }).stdout));
});

test('kairo data inspect reports built-in MNIST and a given IDX pair', () => {
  const r = kairo('data', 'inspect');
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.deepEqual([s.train.count, s.test.count, s.train.classes], [60000, 10000, 10]);
  assert.deepEqual(s.train.shape, [28, 28]);

  const d = tempDir();
  writeFileSync(join(d, 'img'), encodeIdx([3, 4, 5], new Uint8Array(60)));
  writeFileSync(join(d, 'lab'), encodeIdx([3], Uint8Array.from([2, 0, 2])));
  const p = kairo('data', 'inspect', '--idx-images', join(d, 'img'), `--idx-labels=${join(d, 'lab')}`);
  assert.equal(p.code, 0, p.err);
  assert.deepEqual(JSON.parse(p.out), { count: 3, shape: [4, 5], classes: 3, class_counts: [1, 0, 2] });
});

test('bad input exits non-zero with one line on stderr and nothing on stdout', () => {
  const d = tempDir();
  writeFileSync(join(d, 'img'), encodeIdx([3, 4, 5], new Uint8Array(60)));
  writeFileSync(join(d, 'lab'), encodeIdx([2], Uint8Array.from([2, 0])));
  for (const [args, re] of [
    [
      ['data', 'inspect', '--idx-images', join(d, 'img'), '--idx-labels', join(d, 'lab')],
      /img holds 3 images but lab holds 2 labels/,
    ],
    [['data', 'inspect', '--idx-images', join(d, 'img')], /give both --idx-images and --idx-labels/],
    [['data', 'inspect', '--idx-labels'], /--idx-labels needs a value/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['info', '--bogus'], /unknown option --bogus/],
    [['session', 'inspect', join(d, 'img')], /img: not a Kairo session|header length/],
    // Numbers are read as written in decimal: hex, binary and exponents for integers are refused.
    [['vae', 'train', '--lr', '0x10'], /--lr must be a number, got 0x10/],
    [['vae', 'train', '--epochs', '1e0'], /--epochs must be an integer, got 1e0/],
    [['vae', 'train', '--hidden', '0b11'], /--hidden must be a comma-separated list of integers, got 0b11/],
    [['vae', 'train', '--lr', 'Infinity'], /--lr must be a number, got Infinity/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^kairo: error: .*${re.source}`));
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('kairo session inspect validates and summarises a session', () => {
  const d = tempDir();
  const f = join(d, 's.kairo');
  writeSessionAtomic(f, { labs: defaultLabs(), tensors: {} });
  const r = kairo('session', 'inspect', f);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  // By default a summary: each lab's kept parts (settings left out), tensor count and bytes, file size.
  assert.deepEqual(s.tensors, { count: 0, bytes: 0 });
  assert.equal(s.signed, true);
  assert.equal(s.bytes, statSync(f).size);
  // A fresh session keeps no results: no lab has a part to list (settings are left out).
  assert.deepEqual(s.labs, {});
  // --manifest: every setting and result.
  const m = JSON.parse(kairo('session', 'inspect', f, '--manifest').out);
  assert.deepEqual(m.tensors, {});
  assert.equal(m.labs.data.source.kind, 'mnist');
  // A tensor nothing refers to is refused (the next save would have dropped it silently).
  writeSessionAtomic(f, { labs: defaultLabs(), tensors: { w: { dtype: 'F32', shape: [2], data: new Float32Array(2) } } });
  const bad = kairo('session', 'inspect', f);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^kairo: error: s\.kairo: tensor "w" is in the file, but nothing in the session refers to it/);
});

test('a job’s progress reaches a non-terminal stderr, and SIGTERM cancels it cleanly with one line', async () => {
  const { NON_TTY_EVERY_MS } = await import('../../core/cli/context.ts');
  assert.equal(NON_TTY_EVERY_MS, 10_000);
  const child = spawn(process.execPath, ['bin/kairo.mjs', 'vae', 'train', '--epochs', '50', '--train-size', '20000'], {
    env: { ...process.env, KAIRO_HOME: tempDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr.on('data', (b) => (err += b));
  child.stdout.on('data', (b) => (out += b));
  // The first progress line comes after NON_TTY_EVERY_MS; then stop it as a scheduler would.
  const t0 = Date.now();
  while (!/vae\.train: \d+ % \(step \d+\/\d+, \d+ s · ETA \d+ s\)/.test(err) && Date.now() - t0 < 60_000)
    await new Promise((r) => setTimeout(r, 200));
  assert.match(err, /vae\.train: \d+ % \(step \d+\/\d+, \d+ s · ETA \d+ s\)\n/);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 130);
  assert.equal(out, '');
  assert.match(err, /vae\.train: SIGTERM: cancelling…\nkairo: error: vae\.train cancelled by SIGTERM\n$/);
});

test('an out-of-range flag is refused naming the flag the user typed, not a schema path', () => {
  for (const [args, re] of [
    [['vae', 'train', '--epochs', '0'], /^kairo: error: --epochs: Number must be greater than or equal to 1 \(got 0\)$/],
    [
      ['fisher', 'isometry', '--depths', '2,0'],
      /^kairo: error: --depths: value 2: Number must be greater than or equal to 1 \(got 2,0\)$/,
    ],
    [
      ['ngd', 'run', '--method', 'exact', '--width', '1'],
      /^kairo: error: --width: Number must be greater than or equal to 2 \(got 1\)$/,
    ],
    // Rules between fields, checked before the job starts, name the flag too.
    [['continual', 'kernel', '--sizes', '0,0'], /^kairo: error: --sizes: at least one stage needs samples/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2);
    assert.match(r.err.trim(), re);
  }
  const file = join(tempDir(), 'h.kairo');
  assert.equal(kairo('vae', 'train', '--data', 'hierarchical', '--epochs', '1', '--out', file).code, 0);
  const r = kairo('vae', 'recall', '--session', file, '--noise-kind', 'bitflip', '--noise', '2');
  assert.equal(r.err.trim(), 'kairo: error: --noise: bit-flip levels are probabilities, in 0..1');
});

test('each subcommand takes only its own flags: another subcommand’s is refused before anything runs', async () => {
  for (const [args, re] of [
    [['vae', 'recall', '--session', 'x.kairo', '--epochs', '5'], /--epochs is not an option of kairo vae recall/],
    [['vae', 'train', '--save'], /--save is not an option of kairo vae train/],
    [['vae', 'train', '--strips', '4'], /--strips is not an option of kairo vae train/],
    [['fisher', 'signal', '--width', '8', '--samples', '4'], /--samples is not an option of kairo fisher signal/],
    [['field', 'robustness', '--out', 'x.kairo'], /--out is not an option of kairo field robustness/],
    [['hopfield', 'nll', '--beta', '2'], /--beta is not an option of kairo hopfield nll/],
    [['curvature', 'track', '--import', 'w.safetensors'], /--import is not an option of kairo curvature track/],
    [['curvature', '--network', 'fresh', '--track-every', '5'], /--track-every is not an option of kairo curvature spectrum/],
    [['ngd', 'unit-fisher', '--width', '8'], /--width is not an option of kairo ngd unit-fisher/],
    [['sweep', 'expand', 'spec.json', '--workers', '2'], /--workers is not an option of kairo sweep expand/],
  ] as const) {
    const r = kairo(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.equal(r.out, '');
  }
  // The lab tables agree with the subcommands: every flag a subcommand reads is one its lab parses
  // (commandOf refuses a slip at load), and every flag the lab parses belongs to some subcommand.
  const { cliCommands } = await import('../../core/labs/index.ts');
  for (const [name, cmd] of await cliCommands()) {
    const used = new Set(cmd.subcommands.flatMap((s) => [...cmd.flagsOf(s)]));
    for (const f of [...cmd.valued, ...cmd.switches]) assert.ok(used.has(f), `kairo ${name}: --${f} belongs to no subcommand`);
  }
});
