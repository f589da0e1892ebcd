// Hot exit: the background copy of unsaved work, written only while there are unsaved changes, kept
// untouched while an earlier copy waits, restored exactly, and removed once the work is saved.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Core } from '../../core/core.ts';
import { Recovery } from '../../core/session/recovery.ts';
import { tempDir } from '../helpers.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a dirty session is copied; a save removes the copy; the next start restores it exactly', async () => {
  const dir = tempDir();
  const core = new Core({ platform: { carrier: 'web' }, recovery: new Recovery(dir, 20) });
  const lab = core.session.labs.data;
  await core.call('session.update', { lab: 'data', state: { ...lab, split: 'test', classFilter: 3 } });
  await wait(100);
  assert.ok(existsSync(join(dir, 'recovery.kairo')));
  assert.equal(JSON.parse(readFileSync(join(dir, 'recovery.json'), 'utf8')).path, null);
  const file = join(tempDir(), 's.kairo');
  await core.call('session.save', { path: file });
  await wait(100);
  assert.ok(!existsSync(join(dir, 'recovery.kairo')), 'saved work still has a recovery copy');
  // Unsaved again, then the process ends: shutdown writes the copy at once.
  await core.call('session.update', { lab: 'data', state: { ...lab, split: 'test', classFilter: 5 } });
  await core.shutdown();
  const again = new Core({ platform: { carrier: 'web' }, recovery: new Recovery(dir, 20) });
  assert.deepEqual(await again.call('session.recovery', {}), {
    path: file,
    savedAt: JSON.parse(readFileSync(join(dir, 'recovery.json'), 'utf8')).savedAt,
  });
  // While the copy waits, changes in the new run do not overwrite it.
  const before = readFileSync(join(dir, 'recovery.kairo'));
  await again.call('session.update', { lab: 'data', state: { ...again.session.labs.data, offset: 100 } });
  await wait(100);
  assert.deepEqual(readFileSync(join(dir, 'recovery.kairo')), before);
  const view = await again.call('session.recover', {});
  assert.equal(view.labs.data.classFilter, 5);
  assert.equal(view.path, file);
  assert.equal(view.dirty, true);
  await assert.rejects(new Core({ platform: { carrier: 'web' } }).call('session.recover', {}), /no unsaved session to recover/);
  await again.call('session.discardRecovery', {});
  await again.call('session.new', {});
  await wait(100);
  assert.ok(!existsSync(join(dir, 'recovery.kairo')) && !existsSync(join(dir, 'recovery.json')));
  await again.shutdown();
});

test('Save As does not replace another existing file unless told to', async () => {
  const core = new Core({ platform: { carrier: 'web' } });
  const a = join(tempDir(), 'a.kairo');
  await core.call('session.save', { path: a });
  const c2 = new Core({ platform: { carrier: 'web' } });
  await assert.rejects(
    c2.call('session.save', { path: a, overwrite: false }),
    (e: Error & { code?: string }) => e.code === 'exists',
  );
  await c2.call('session.save', { path: a, overwrite: true });
  // Saving over its own file is not "replacing another".
  await c2.call('session.save', { path: a, overwrite: false });
});

test('quitting with "Don’t Save" leaves no copy of this session, but a copy from an earlier run still waiting stays', async () => {
  const dir = tempDir();
  const first = new Core({ platform: { carrier: 'web' }, recovery: new Recovery(dir, 20) });
  await first.call('session.update', { lab: 'data', state: { ...first.session.labs.data, classFilter: 2 } });
  await first.shutdown({ keepRecovery: false });
  assert.ok(!existsSync(join(dir, 'recovery.kairo')), '"Don’t Save" kept a copy');
  // A crash leaves a copy; the next run quits without answering it and without saving its own work.
  const crashed = new Core({ platform: { carrier: 'web' }, recovery: new Recovery(dir, 20) });
  await crashed.call('session.update', { lab: 'data', state: { ...crashed.session.labs.data, classFilter: 7 } });
  await crashed.shutdown();
  const next = new Core({ platform: { carrier: 'web' }, recovery: new Recovery(dir, 20) });
  await next.call('session.update', { lab: 'data', state: { ...next.session.labs.data, classFilter: 9 } });
  await next.shutdown({ keepRecovery: false });
  const last = new Core({ platform: { carrier: 'web' }, recovery: new Recovery(dir, 20) });
  assert.equal((await last.call('session.recover', {})).labs.data.classFilter, 7);
  await last.shutdown({ keepRecovery: false });
});
