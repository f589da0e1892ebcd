// The augmentation lab's chart and table shaping, from a result built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AugmentCell, AugmentPolicy, AugmentResult } from '../../core/contract.ts';
import { fractionSeries, instabilitySeries, learningSeries, policyRows, sizeSeries } from '../../renderer/src/lib/augment.ts';

const cell = (policy: AugmentPolicy, perClass: number, acc: number, sd: number, seconds: number, seeds = 3): AugmentCell => ({
  policy,
  perClass,
  seeds,
  accuracy: { mean: acc, sd },
  testLoss: { mean: 1 - acc, sd: 0 },
  trainSeconds: { mean: seconds, sd: 0.5 },
  curve: [1, 2].map((epoch) => ({
    epoch,
    accuracy: { mean: (acc * epoch) / 2, sd },
    testLoss: 2 - epoch,
    trainLoss: 3 - epoch,
    augmented: policy === 'none' ? 0 : policy === 'self-paced' ? 1 / epoch : 1,
    instability: policy === 'none' ? 0 : 0.1 * epoch,
    stepNoise: 0.05,
  })),
});

const result = {
  params: { policies: ['none', 'self-paced'], perClass: [100, 10] },
  cells: [
    cell('none', 100, 0.95, 0.01, 8),
    cell('self-paced', 100, 0.96, 0.02, 12),
    cell('none', 10, 0.7, 0.05, 1),
    cell('self-paced', 10, 0.76, 0.04, 1.5),
  ],
} as unknown as AugmentResult;

test('accuracy against training-set size: per policy, sorted by size, in %, with ± sd lines', () => {
  const s = sizeSeries(result);
  assert.deepEqual(
    s.map((x) => x.label),
    [
      'NA (no augmentation)',
      'NA (no augmentation) + sd',
      'NA (no augmentation) − sd',
      'SPA (self-paced)',
      'SPA (self-paced) + sd',
      'SPA (self-paced) − sd',
    ],
  );
  // Only the means are in the legend: the ± sd lines would crowd a half-width chart's plot away.
  assert.deepEqual(
    s.map((x) => x.legend !== false),
    [true, false, false, true, false, false],
  );
  assert.deepEqual(
    s[3]!.points.map((p) => [p.x, +p.y.toFixed(9)]),
    [
      [10, 76],
      [100, 96],
    ],
  );
  assert.deepEqual(
    s[5]!.points.map((p) => +p.y.toFixed(9)),
    [72, 94],
  );
  // One seed: no sd lines.
  const one = { ...result, cells: result.cells.map((c) => ({ ...c, seeds: 1, accuracy: { ...c.accuracy, sd: 0 } })) };
  assert.equal(sizeSeries(one).length, 2);
});

test('learning curves, fraction augmented and instability at the chosen size', () => {
  const acc = learningSeries(result, 10, 'accuracy');
  assert.deepEqual(
    acc[0]!.points.map((p) => [p.x, +p.y.toFixed(9)]),
    [
      [1, 35],
      [2, 70],
    ],
  );
  assert.deepEqual(
    learningSeries(result, 100, 'testLoss').map((x) => x.points.map((p) => p.y)),
    [
      [1, 0],
      [1, 0],
    ],
  );
  const f = fractionSeries(result, 10);
  assert.deepEqual(
    f.map((x) => [x.label, x.points.map((p) => p.y)]),
    [['SPA (self-paced)', [100, 50]]],
  );
  const i = instabilitySeries(result, 10);
  assert.deepEqual(
    i.map((x) => [x.label, x.right ?? false]),
    [
      ['NA: variance over draws', false],
      ['NA: step noise (right axis)', true],
      ['SPA: variance over draws', false],
      ['SPA: step noise (right axis)', true],
    ],
  );
  assert.deepEqual(
    i[2]!.points.map((p) => p.y),
    [0.1, 0.2],
  );
  // Not measured (no probe): only the step noise is drawn.
  const unprobed = {
    ...result,
    cells: result.cells.map((c) => ({ ...c, curve: c.curve.map((e) => ({ ...e, instability: null })) })),
  };
  assert.equal(instabilitySeries(unprobed, 10).length, 2);
});

test('the table: accuracy in %, the gain over NA in points and the time ratio at the same size', () => {
  const rows = policyRows(result);
  const spa = rows.find((r) => r.policy === 'self-paced' && r.perClass === 10)!;
  assert.equal(spa.accuracy, '76.0 ± 4.0');
  assert.ok(Math.abs(spa.gain! - 6) < 1e-9);
  assert.equal(spa.timeRatio, 1.5);
  assert.equal(spa.seconds, '1.5 ± 0.5');
  assert.ok(rows.filter((r) => r.policy === 'none').every((r) => r.gain === null && r.timeRatio === null));
  const withoutNa = policyRows({ ...result, cells: result.cells.filter((c) => c.policy !== 'none') });
  assert.ok(withoutNa.every((r) => r.gain === null && r.timeRatio === null));
});
