// The one mean ± sd every lab reports over seeds, draws or runs, on hand-computed cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, meanSd, sampleSd } from '../../models/common/stats.ts';

test('mean and sample sd (n − 1) by hand; one value has sd 0', () => {
  // 1, 2, 3, 4: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / 3.
  assert.deepEqual(meanSd([1, 2, 3, 4]), { mean: 2.5, sd: Math.sqrt(5 / 3) });
  assert.deepEqual(meanSd([7]), { mean: 7, sd: 0 });
  assert.equal(mean([0.1, 0.2, 0.3]), (0.1 + 0.2 + 0.3) / 3);
  // The population sd would be √(5/4): the labs report the sample one.
  assert.notEqual(sampleSd([1, 2, 3, 4]), Math.sqrt(5 / 4));
});
