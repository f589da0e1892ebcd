// The fuzz run in the suite (bounded and seeded; `npm run fuzz -- --cases N` runs more): 200 cases
// of each family (test/fuzz/run.ts) from real files. Each loads correctly or is refused
// with one line; a few are also opened through the CLI, which must exit 2 with one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fuzz, prepareBase } from '../fuzz/run.ts';
import { tempDir } from '../helpers.ts';

test('200 cases of each family (damaged sessions, IDX pairs, re-signed session edits, sweep files): each loads as it should or is refused with one line', async (t) => {
  const dir = tempDir();
  const base = await prepareBase(dir);
  const r = await fuzz({ cases: 200, seed: 12, dir, base });
  t.diagnostic(`${r.loaded} loaded, ${r.refused} refused, ${r.failures.length} failed`);
  assert.deepEqual(r.failures, []);
  // A sweep case is checked twice: as a spec, and as a folder's manifest.
  assert.equal(r.cases, 5 * 200);
  assert.ok(r.refused > 700, `${r.refused} refused: most mutations are damage that must be refused`);

  // Through the CLI, as a user's script meets them: exit 2, one line on stderr, nothing on stdout.
  const files = readdirSync(dir);
  const sessions = files.filter((f) => /^case-\d+\.kairo$/.test(f)).slice(0, 4);
  const idx = files.filter((f) => /^case-\d+-images$/.test(f)).slice(0, 3);
  const kairo = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/kairo.mjs', ...args], { encoding: 'utf8', env: { ...process.env, KAIRO_HOME: tempDir() } });
  for (const f of sessions) {
    const c = kairo('session', 'inspect', join(dir, f));
    assert.ok(
      c.status === 0 ||
        (c.status === 2 && c.stdout === '' && c.stderr.trim().split('\n').length === 1 && c.stderr.startsWith('kairo: error: ')),
      `${f}: ${c.status} ${c.stderr}`,
    );
  }
  for (const f of idx) {
    const c = kairo('data', 'inspect', '--idx-images', join(dir, f), '--idx-labels', join(dir, f.replace('images', 'labels')));
    assert.ok(c.status === 0 || (c.status === 2 && c.stderr.trim().split('\n').length === 1), `${f}: ${c.status} ${c.stderr}`);
  }
});
