// The Runs ledger (issue 17): every job that ends leaves a record with its configuration, seed,
// time, final metrics and curves; records can be renamed, annotated and deleted; they survive
// save and open; files from before the ledger load with an empty one.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { defaultNetwork } from '../../core/labs/fisher/state.ts';
import { curve, MAX_CURVE_POINTS } from '../../core/labs/kit/runs.ts';
import { readSession } from '../../core/session/session.ts';
import { runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const network = { ...defaultNetwork(), width: 20, depth: 2, inputDim: 12, samples: 8, outputs: 2, seed: 7 };

test('a finished job leaves a run whose metrics are the stored result and whose seed and parameters are the ones started', async () => {
  const t0 = Date.now();
  await runJobDone(core, 'fisher.spectrum', { network, compare: false });
  const runs = core.session.labs.runs.runs;
  assert.equal(runs.length, 1);
  const run = runs[0]!;
  const sp = core.session.labs.fisher.spectrum!;
  assert.equal(run.id, 'r1');
  assert.equal(run.kind, 'fisher.spectrum');
  assert.equal(run.lab, 'fisher');
  assert.equal(run.outcome, 'done');
  assert.equal(run.error, null);
  assert.equal(run.seed, null, 'the spectrum job has no top-level seed: its network has');
  assert.deepEqual((run.params as { network: { seed: number } }).network.seed, 7);
  assert.equal(run.metrics['m_λ'], sp.stats.mLambda);
  assert.equal(run.metrics['λ_max'], sp.stats.lambdaMax);
  assert.equal(run.metrics['theory λ_max'], sp.theory!.lambdaMax);
  assert.ok(run.startedAt >= t0 && run.finishedAt >= run.startedAt && run.finishedAt <= Date.now());
  assert.match(run.name, /#1$/);
});

test('runs are renamed, annotated and deleted; ids never repeat; unknown ids are refused in one line', async () => {
  await runJobDone(core, 'fisher.spectrum', { network: { ...network, seed: 8 }, compare: false });
  let s = await core.call('runs.edit', { id: 'r2', name: '  wide  ', note: 'seed 8 for the figure' });
  assert.equal(s.runs[1]!.name, 'wide');
  assert.equal(s.runs[1]!.note, 'seed 8 for the figure');
  s = await core.call('runs.edit', { id: 'r2', name: '   ' });
  assert.equal(s.runs[1]!.name, 'wide', 'a blank name keeps the old one');
  s = await core.call('runs.delete', { ids: ['r1'] });
  assert.deepEqual(
    s.runs.map((r) => r.id),
    ['r2'],
  );
  await assert.rejects(core.call('runs.delete', { ids: ['r1'] }), /there is no run "r1"/);
  await assert.rejects(core.call('runs.edit', { id: '__proto__', note: 'x' }), /there is no run "__proto__"/);
  await runJobDone(core, 'fisher.spectrum', { network, compare: false });
  assert.deepEqual(
    core.session.labs.runs.runs.map((r) => r.id),
    ['r2', 'r3'],
  );
});

test('runs survive save and open exactly; a file from before the ledger opens with none', async () => {
  const file = join(tempDir(), 'runs.kairo');
  await core.call('session.save', { path: file });
  const before = core.session.labs.runs;
  assert.deepEqual(readSession(file).labs.runs, before);
  await core.call('session.new', {});
  assert.equal(core.session.labs.runs.runs.length, 0);
  await core.call('session.open', { path: file });
  assert.deepEqual(core.session.labs.runs, before);
  // Written by commit 02bd47b, long before runs existed.
  assert.deepEqual(readSession('test/fixtures/sessions/fisher-snake-case.kairo').labs.runs, { runs: [], keep: 5, next: 1 });
});

test('a stored curve keeps at most MAX_CURVE_POINTS points, first and last included, and turns NaN and ∞ into null', () => {
  const y = Array.from({ length: 1001 }, (_, i) => (i === 500 ? NaN : i === 1000 ? Infinity : i * 2));
  const c = curve('loss', 'step', y);
  assert.equal(c.x.length, MAX_CURVE_POINTS);
  assert.equal(c.x[0], 0);
  assert.equal(c.x.at(-1), 1000);
  assert.equal(c.y.at(-1), null);
  // Every kept point is the original one at its x.
  c.x.forEach((x, i) => assert.equal(c.y[i], x === 500 || x === 1000 ? null : x * 2));
  assert.deepEqual(curve('a', 't', [1, NaN, 3], [10, 20, 30]), { name: 'a', xLabel: 't', x: [10, 20, 30], y: [1, null, 3] });
});
