// Runs you can reopen (issue 33, item 3): a training run keeps its model as a checkpoint in the
// session; "Open run" makes it the lab's current model again, exactly as it was when that training
// ended; the budget keeps the newest N unpinned checkpoints and every pinned one; checkpoints
// survive save and open; an edited checkpoint is refused whole; the CLI lists runs and reopens one
// with --run, giving the numbers the run's own session gives.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { defaultNetwork } from '../../core/labs/fisher/state.ts';
import { defaultHopfieldTrain } from '../../core/labs/hopfield/state.ts';
import { readSession } from '../../core/session/session.ts';
import { kairo, runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const small = (seed: number, hidden = 3) => ({
  ...defaultHopfieldTrain(),
  data: { ...defaultHopfieldTrain().data, clusters: hidden, perCluster: 20 },
  hidden,
  epochs: 2,
  seed,
});
const tensorsOf = (prefix: string) =>
  Object.fromEntries(
    Object.keys(core.session.view().tensors)
      .filter((n) => n.startsWith(prefix))
      .map((n) => [n, Array.from(core.session.tensor(n)!.data)]),
  );

test('opening an older run restores its lab exactly as that training left it; analyses keep no model', async () => {
  await runJobDone(core, 'hopfield.train', small(1));
  const first = { state: structuredClone(core.session.labs.hopfield), tensors: tensorsOf('hopfield.') };
  await runJobDone(core, 'hopfield.train', small(2, 4));
  assert.notDeepEqual(core.session.labs.hopfield.result, first.state.result);
  const [r1, r2] = core.session.labs.runs.runs;
  assert.ok(r1!.checkpoint && r2!.checkpoint);
  // The kept copies are the stored output's tensors, under the run's names, with their byte count.
  assert.deepEqual(
    Object.keys(r1!.checkpoint.tensors).sort(),
    Object.keys(first.tensors).sort(),
    'the checkpoint keeps every tensor the training stored',
  );
  assert.equal(
    r1!.checkpoint.bytes,
    Object.values(first.tensors).reduce((n, t) => n + 4 * t.length, 0),
  );
  const opened = await core.call('runs.open', { id: 'r1' });
  assert.deepEqual(opened, { lab: 'hopfield', kind: 'hopfield.train' });
  assert.deepEqual(core.session.labs.hopfield, first.state);
  assert.deepEqual(tensorsOf('hopfield.'), first.tensors);
  // A Fisher spectrum is an analysis: its run keeps no model, and says so.
  await runJobDone(core, 'fisher.spectrum', {
    network: { ...defaultNetwork(), width: 8, depth: 2, inputDim: 4, samples: 4, outputs: 1 },
    compare: false,
  });
  const analysis = core.session.labs.runs.runs.at(-1)!;
  assert.equal(analysis.checkpoint, null);
  await assert.rejects(core.call('runs.open', { id: analysis.id }), /left no model to reopen/);
  await assert.rejects(core.call('runs.open', { id: 'r1', lab: 'vae' }), /run r1 is a hopfield run .*needs a vae run/);
  await assert.rejects(core.call('runs.open', { id: 'r99' }), /this session has no run "r99"/);
});

test('the budget keeps the newest unpinned checkpoints and every pinned one; dropped ones leave the file', async () => {
  await core.call('runs.edit', { id: 'r1', pinned: true });
  await runJobDone(core, 'hopfield.train', small(3));
  await runJobDone(core, 'hopfield.train', small(4));
  // r1 pinned; unpinned with models: r2, r4, r5 (r3 is the Fisher analysis).
  let s = await core.call('runs.keep', { keep: 1 });
  const withModel = () => core.session.labs.runs.runs.filter((r) => r.checkpoint).map((r) => r.id);
  assert.deepEqual(withModel(), ['r1', 'r5']);
  assert.equal(s.keep, 1);
  assert.ok(!core.session.tensor('runs.r2.hopfield.W'), "a dropped checkpoint's tensors leave the session");
  assert.ok(core.session.tensor('runs.r1.hopfield.W'));
  await assert.rejects(core.call('runs.open', { id: 'r2' }), /dropped by the budget .*pin runs/);
  // A new run pushes the older unpinned one out; unpinning applies the budget at once.
  await runJobDone(core, 'hopfield.train', small(5));
  assert.deepEqual(withModel(), ['r1', 'r6']);
  s = await core.call('runs.edit', { id: 'r1', pinned: false });
  assert.deepEqual(withModel(), ['r6']);
  await assert.rejects(core.call('runs.keep', { keep: -1 }), /keep must be a whole number from 0 to 100/);
  await assert.rejects(core.call('runs.keep', { keep: 2.5 }), /keep must be a whole number/);
  await core.call('runs.keep', { keep: 5 });
});

test('checkpoints survive save and open, and reopen after it; an edited one is refused and changes nothing', async () => {
  const file = join(tempDir(), 'ck.kairo');
  await runJobDone(core, 'hopfield.train', small(6, 5));
  await core.call('session.save', { path: file });
  const ledger = structuredClone(core.session.labs.runs);
  await core.call('session.new', {});
  await core.call('session.open', { path: file });
  assert.deepEqual(core.session.labs.runs, ledger);
  const r6 = ledger.runs.find((r) => r.id === 'r6')!;
  await core.call('runs.open', { id: 'r6' });
  assert.deepEqual(core.session.labs.hopfield.result, r6.checkpoint!.result);
  // A checkpoint whose tensor does not fit its configuration (as an edited file could hold) is refused
  // by the same checks a loaded file passes, and the lab keeps its model.
  const before = structuredClone(core.session.labs.hopfield);
  const W = 'runs.r7.hopfield.W';
  const t = core.session.tensor(W)!;
  core.session.store('runs', core.session.labs.runs, { [W]: { ...t, shape: [t.shape[1]!, t.shape[0]!] } });
  await assert.rejects(core.call('runs.open', { id: 'r7' }), /run r7's checkpoint: tensor "hopfield\.W" has shape/);
  assert.deepEqual(core.session.labs.hopfield, before);
});

test('a file from before checkpoints opens with its runs unpinned and without models', () => {
  const s = readSession('test/fixtures/sessions/runs-before-checkpoints.kairo');
  assert.equal(s.labs.runs.keep, 5);
  assert.equal(s.labs.runs.runs.length, 1);
  assert.equal(s.labs.runs.runs[0]!.checkpoint, null);
  assert.equal(s.labs.runs.runs[0]!.pinned, false);
});

test('CLI: runs list, --session on training, --run on a command that uses the model, pin and keep', () => {
  const dir = tempDir();
  const a = join(dir, 'a.kairo');
  const train = (seed: number, ...more: string[]) =>
    kairo('hopfield', 'train', '--clusters', '3', '--per-cluster', '20', '--epochs', '2', '--seed', String(seed), ...more);
  assert.equal(train(1, '--out', a).code, 0);
  copyFileSync(a, join(dir, 'only-r1.kairo'));
  const second = train(2, '--hidden', '4', '--clusters', '4', '--session', a);
  assert.equal(second.code, 0, second.err);
  assert.equal(JSON.parse(second.out).session, a, 'the session is saved back where it came from');
  const list = JSON.parse(kairo('runs', 'list', '--session', a).out);
  assert.deepEqual(
    list.runs.map((r: { id: string; checkpoint: boolean; pinned: boolean }) => [r.id, r.checkpoint, r.pinned]),
    [
      ['r1', true, false],
      ['r2', true, false],
    ],
  );
  assert.equal(list.runs[1].params.hidden, 4);
  // --run r1 gives what the session holding only r1's model gives, not the current model's numbers.
  const points = join(dir, 'p.json');
  writeFileSync(
    points,
    JSON.stringify([
      [0, 0],
      [1, -1],
    ]),
  );
  const nll = (...args: string[]) => JSON.parse(kairo('hopfield', 'nll', '--points', points, ...args).out).nll;
  const ownR1 = nll('--session', join(dir, 'only-r1.kairo'));
  assert.deepEqual(nll('--session', a, '--run', 'r1'), ownR1);
  assert.notDeepEqual(nll('--session', a), ownR1);
  const wrong = kairo('hopfield', 'nll', '--points', points, '--machine', points, '--run', 'r1');
  assert.match(wrong.err, /--run ID names a run of a session/);
  assert.match(kairo('curvature', '--run', 'r1', '--model', 'hopfield').err, /--run ID names a run of a session/);
  assert.match(kairo('curvature', '--session', a, '--model', 'field', '--run', 'r1').err, /run r1 is a hopfield run/);
  // Pin r1, keep 0: only the pinned model stays.
  assert.equal(kairo('runs', 'pin', '--session', a, '--run', 'r1').code, 0);
  const kept = JSON.parse(kairo('runs', 'keep', '--session', a, '--keep', '0').out);
  assert.deepEqual(kept.kept, ['r1']);
  assert.match(kairo('hopfield', 'nll', '--points', points, '--session', a, '--run', 'r2').err, /dropped by the budget/);
  assert.match(kairo('runs', 'keep', '--session', a).err, /--keep N is required/);
  assert.deepEqual(JSON.parse(kairo('session', 'inspect', a).out).checkpoints, {
    count: 1,
    pinned: 1,
    keep: 0,
    bytes: list.runs[0].checkpoint_bytes,
  });
});

test('the kinds whose output is a lab’s model are the four training jobs, and only they keep checkpoints', async () => {
  const { JOB_KINDS, jobDef } = await import('../../core/labs/index.ts');
  assert.deepEqual(JOB_KINDS.filter((k) => jobDef(k)!.checkpoint).sort(), [
    'data.baseline',
    'field.train',
    'hopfield.train',
    'vae.train',
  ]);
});

test('the budget counts each lab’s unpinned checkpoints on their own', async () => {
  const { withinBudget } = await import('../../core/labs/runs/checkpoints.ts');
  const rec = (id: string, lab: string, pinned = false) =>
    ({ id, lab, pinned, checkpoint: { result: null, tensors: {}, bytes: 0 } }) as never;
  const s = withinBudget({
    keep: 1,
    next: 7,
    runs: [
      rec('r1', 'vae'),
      rec('r2', 'field'),
      rec('r3', 'vae', true),
      rec('r4', 'field'),
      rec('r5', 'vae'),
      rec('r6', 'field'),
    ],
  });
  assert.deepEqual(
    s.runs.filter((r) => r.checkpoint).map((r) => r.id),
    ['r3', 'r5', 'r6'],
  );
});
