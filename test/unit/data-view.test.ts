// The Datasets lab's chart shaping and its result sentence, from results built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BaselineResult } from '../../core/contract.ts';
import { baselineSeries, baselineSummary, classHistogram } from '../../renderer/src/lib/datasets.ts';

const baseline = (over: Partial<BaselineResult>): BaselineResult =>
  ({
    curve: [
      { step: 1, epoch: 0.5, loss: 2, accuracy: 0.3 },
      { step: 2, epoch: 1, loss: 1, accuracy: 0.6 },
    ],
    stepsDone: 2,
    partial: false,
    testAccuracy: 0.9123,
    testLoss: 0.31234,
    ...over,
  }) as BaselineResult;

test('the baseline sentence: steps, test accuracy and loss, or where it was cancelled', () => {
  assert.equal(baselineSummary(baseline({})), 'Trained 2 steps · test accuracy 91.23 % · test loss 0.3123 nats');
  assert.equal(baselineSummary(baseline({ partial: true, testAccuracy: null })), 'Cancelled after 2 steps');
  assert.equal(baselineSummary(null), '');
});

test('baseline curves put accuracy on the right axis; the class histogram counts per class', () => {
  const s = baselineSeries(null, baseline({}));
  assert.equal(s[1]!.right, true);
  assert.deepEqual(
    s[0]!.points.map((p) => p.y),
    [2, 1],
  );
  assert.deepEqual(
    baselineSeries([{ step: 3, metrics: { loss: 0.5 } }], null)[1]!.points.map((p) => p.y),
    [NaN],
  );
  const h = classHistogram('test', { count: 5, shape: [2, 2], classes: 2, classCounts: [3, 2] });
  assert.equal(h[0]!.label, 'test images per class');
  assert.deepEqual(h[0]!.points, [
    { x: 0, y: 3 },
    { x: 1, y: 2 },
  ]);
});
