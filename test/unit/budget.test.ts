// Jobs whose memory grows with their parameters are refused before a worker starts when their
// estimate is above the limit (issue 13, defect 10).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { checkJobMemory } from '../../core/jobs/budget.ts';
import { fisherBytes } from '../../core/labs/fisher/memory.ts';
import { defaultNetwork } from '../../core/labs/fisher/state.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

test('the weight term of the estimate counts exactly the parameters the built network has', async () => {
  const network = { ...defaultNetwork(), depth: 3, width: 64, inputDim: 32, outputs: 3, samples: 20 };
  const job = await core.call('jobs.start', { kind: 'fisher.spectrum', params: { network, compare: false } });
  assert.equal((await core.jobs.wait(job.id)).state, 'done');
  const P = core.session.labs.fisher.spectrum!.stats.P;
  // fisherBytes with no samples is 8 bytes per parameter (the dual and activations vanish).
  assert.equal(fisherBytes({ ...network, samples: 0 }), 8 * P);
  // Each sample adds its inputs, two activations and C errors per unit, and grows the dual.
  const units = 2 * 64 + 3;
  const n = 20 * 3;
  assert.equal(fisherBytes(network), 8 * (P + 20 * 32 + 2 * 20 * units + 20 * 3 * units + 2 * n * n));
});

test('a network needing tens of gigabytes is refused at jobs.start, before any worker', async () => {
  const network = { ...defaultNetwork(), depth: 64, width: 8192, inputDim: 784, samples: 100, outputs: 2 };
  assert.ok(fisherBytes(network) > 30 * 1024 ** 3);
  const before = core.jobs.list().length;
  await assert.rejects(
    core.call('jobs.start', { kind: 'fisher.spectrum', params: { network, compare: false } }),
    /^KairoError: fisher\.spectrum would need about 3\d GB of memory; the limit is [\d.]+ GB \(KAIRO_MAX_JOB_MB\)/,
  );
  assert.equal(core.jobs.list().length, before);
  // The limit is configurable: a small network passes a small limit, a sweep is judged by its largest value.
  const small = { ...defaultNetwork(), depth: 3, width: 256, samples: 100 };
  assert.doesNotThrow(() =>
    checkJobMemory('fisher.spectrum', { network: small, compare: false }, { imageSize: null }, 64 * 1024 ** 2),
  );
  assert.throws(
    () =>
      checkJobMemory(
        'fisher.sweep',
        { network: small, axis: 'width', values: [64, 8192], seeds: 1 },
        { imageSize: null },
        64 * 1024 ** 2,
      ),
    /fisher\.sweep would need/,
  );
  assert.doesNotThrow(() => checkJobMemory('vae.train', { anything: 1 }, { imageSize: null }, 1));
});
