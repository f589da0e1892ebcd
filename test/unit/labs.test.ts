// The lab registry (core/labs/index.ts) is what the rest of Kairo iterates: every lab has its
// folder in each layer, every job kind validates its parameters at jobs.start (refused with one
// line before any worker starts), and app.info lists the labs with their titles.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { JOB_KINDS, LAB_IDS, LABS } from '../../core/labs/index.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

test('every lab has its contract, its core folder and its view, found by folder name', () => {
  for (const id of LAB_IDS) {
    for (const f of [
      `core/labs/${id}/contract.ts`,
      `core/labs/${id}/lab.ts`,
      `core/labs/${id}/state.ts`,
      `renderer/src/views/${id}/Lab.svelte`,
    ])
      assert.ok(existsSync(f), `${id}: ${f} is missing`);
    assert.equal(LABS[id].id, id);
    for (const kind of Object.keys(LABS[id].jobs)) assert.ok(kind.startsWith(`${id}.`), `${kind} is not named for ${id}`);
  }
  // The registry's job list is exactly the labs' job kinds, each once (derived, never counted by hand).
  const kinds = LAB_IDS.flatMap((id) => Object.keys(LABS[id].jobs));
  assert.deepEqual([...JOB_KINDS].sort(), [...kinds].sort());
  assert.equal(new Set(kinds).size, kinds.length);
});

test('app.info lists the labs in registry order with their titles', async () => {
  const info = await core.call('app.info', {});
  assert.deepEqual(info.labs, LAB_IDS);
  assert.deepEqual(
    info.labs.map((id) => info.labTitles[id]),
    LAB_IDS.map((id) => LABS[id].title),
  );
});

test('every job kind refuses nonsense parameters at jobs.start, before any worker starts', async () => {
  const before = core.jobs.list().length;
  for (const kind of JOB_KINDS) {
    for (const params of [{}, { seed: 'one' }, null]) {
      await assert.rejects(
        core.call('jobs.start', { kind, params } as never),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'invalid_input', `${kind}: ${e.message}`);
          assert.ok(!e.message.includes('\n'), `${kind}: not one line: ${e.message}`);
          assert.ok(e.message.startsWith(`${kind}`), `${kind}: names the job: ${e.message}`);
          return true;
        },
        `${kind} accepted ${JSON.stringify(params)}`,
      );
    }
  }
  assert.equal(core.jobs.list().length, before, 'a refused job was queued');
});
