// The Recent list: the app's opened and saved files only (the CLI's stay out), named so that two
// files of the same name can be told apart.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SessionService } from '../../core/session/service.ts';
import { recentLabels } from '../../renderer/src/lib/recent.ts';
import { tempDir } from '../helpers.ts';

test('recent labels: the file name, with parent folders only where two names clash', () => {
  assert.deepEqual(recentLabels(['/home/u/a/bar-b.kairo', '/home/u/b/bar-b.kairo', '/home/u/c/other.kairo']), [
    'a/bar-b.kairo',
    'b/bar-b.kairo',
    'other.kairo',
  ]);
  assert.deepEqual(recentLabels(['/x/p/a/s.kairo', '/y/p/a/s.kairo']), ['x/p/a/s.kairo', 'y/p/a/s.kairo']);
  assert.deepEqual(recentLabels(['C:\\runs\\s.kairo']), ['s.kairo']);
});

test('the app’s saves enter the Recent list; files the CLI writes with --out do not', () => {
  const home = tempDir();
  const recent = join(home, 'recent.json');
  const out = join(tempDir(), 'scripted.kairo');
  const c = spawnSync(process.execPath, ['bin/kairo.mjs', 'hopfield', 'train', '--data', 'toy', '--epochs', '1', '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_HOME: home },
  });
  assert.equal(c.status, 0, c.stderr);
  assert.ok(existsSync(out));
  assert.ok(!existsSync(recent), 'the CLI wrote a Recent list');
  const before = process.env.KAIRO_HOME;
  process.env.KAIRO_HOME = home;
  try {
    const app = join(tempDir(), 'app.kairo');
    new SessionService(() => {}, true).save(app);
    assert.deepEqual(JSON.parse(readFileSync(recent, 'utf8')), [app]);
  } finally {
    process.env.KAIRO_HOME = before;
  }
});
