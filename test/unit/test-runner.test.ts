// `npm test`'s runner (scripts/test.mjs): a missing system package skips exactly its tests with one
// line saying which and how to get it; on CI the same fails instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const list = (env: NodeJS.ProcessEnv) => {
  const { CI: _ci, ...rest } = process.env;
  return spawnSync(process.execPath, ['scripts/test.mjs', '--list'], { encoding: 'utf8', env: { ...rest, ...env } });
};

test('without Chromium, npm test skips the browser tests in one line and runs the rest', () => {
  const all = list({}).stdout.trim().split('\n');
  assert.ok(all.some((f) => f.startsWith('test/e2e/')) && all.includes('test/unit/test-runner.test.ts'));
  const r = list({ CHROMIUM_PATH: '/nonexistent/chromium' });
  assert.equal(r.status, 0);
  const run = r.stdout.trim().split('\n');
  assert.deepEqual(
    run,
    all.filter((f) => !f.startsWith('test/e2e/')),
  );
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0]!,
    /^npm test: no Chromium \(\/nonexistent\/chromium\): skipping \d+ files .*apt-get install chromium .*npm run test:setup$/,
  );
});

test('on CI a missing package fails the run instead', () => {
  const r = list({ CHROMIUM_PATH: '/nonexistent/chromium', CI: 'true' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no Chromium .*: failing/);
});
