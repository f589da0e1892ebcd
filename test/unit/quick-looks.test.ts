// Each lab's quick look (issue 17) runs as the view starts it, and every number its one-line claim
// quotes is the number measured now (bench/quick-look-list.ts formats them as the line does). Its
// time is not asserted here: `npm run bench:quick-looks` measures it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { JobKind } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { LAB_IDS } from '../../core/labs/index.ts';
import { quickLooks } from '../../bench/quick-look-list.ts';
import { tempDir } from '../helpers.ts';

const QUICK_LOOKS = await quickLooks();
process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

test('every lab has a quick look (the runs ledger, which runs nothing, aside) under 30 s by its own measurement', () => {
  assert.deepEqual(
    QUICK_LOOKS.map((q) => q.lab),
    LAB_IDS.filter((id) => id !== 'runs'),
  );
  for (const q of QUICK_LOOKS) assert.ok(q.seconds > 0 && q.seconds < 30, `${q.lab}: ${q.seconds} s`);
});

for (const q of QUICK_LOOKS)
  test(`the ${q.lab} quick look shows what it says`, async () => {
    for (const [kind, params] of q.jobs) {
      const job = await core.call('jobs.start', { kind: kind as JobKind, params } as never);
      const end = await core.jobs.wait(job.id);
      assert.equal(end.state, 'done', end.error?.message);
    }
    for (const quote of q.quotes(core.session.labs)) assert.ok(q.shows.includes(quote), `"${q.shows}" does not say "${quote}"`);
    // What the app shows beneath the line after a quick look: the same fragments, from the core.
    assert.deepEqual(await core.call('app.quickLookQuotes', { lab: q.lab as never }), q.quotes(core.session.labs));
  });

test('app.quickLookQuotes: null for a lab with no quick look, one line for a name that is no lab', async () => {
  assert.equal(await core.call('app.quickLookQuotes', { lab: 'runs' }), null);
  await assert.rejects(core.call('app.quickLookQuotes', { lab: '__proto__' as never }), /unknown lab "__proto__"/);
});
