// The Hopfield–Boltzmann lab's chart shaping, from results built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CapacityResult, HopfieldTrainResult, RetrievalSummary } from '../../core/contract.ts';
import { defaultCapacity, defaultRetrieval } from '../../core/labs/hopfield/state.ts';
import { capacityVsLevel, capacityVsPatterns, nllSeries, overlapSeries } from '../../renderer/src/lib/hopfield.ts';

test('NLL curves: live batch/train/test while training (test only where measured), the stored curve after', () => {
  const live: { step: number; metrics: Record<string, number> }[] = [
    { step: 1, metrics: { batch_nll: 5, train_nll: 4 } },
    { step: 2, metrics: { batch_nll: 3, train_nll: 3.5, test_nll: 3.6 } },
  ];
  const s = nllSeries(live, null);
  assert.deepEqual(
    s.map((x) => x.label),
    ['batch NLL', 'train NLL', 'test NLL'],
  );
  assert.deepEqual(s[2]!.points, [{ x: 2, y: 3.6 }]);
  const result = {
    curve: [
      { epoch: 0, step: 0, train: 9, test: null },
      { epoch: 1, step: 10, train: 8, test: 8.5 },
    ],
  } as unknown as HopfieldTrainResult;
  const r = nllSeries(null, result);
  assert.deepEqual(r[0]!.points, [
    { x: 0, y: 9 },
    { x: 10, y: 8 },
  ]);
  assert.deepEqual(r[1]!.points, [{ x: 10, y: 8.5 }]);
  assert.deepEqual(nllSeries(null, null), []);
});

test('retrieval overlaps per step; capacity against P at one level and against the level per (β, P)', () => {
  const summary: RetrievalSummary = {
    settings: defaultRetrieval(),
    overlapTarget: [0.5, 0.9],
    overlapOther: [0.4, 0.2],
    nearest: 0,
    ownCluster: null,
    success: true,
  };
  assert.deepEqual(overlapSeries(summary)[1]!.points, [
    { x: 0, y: 0.4 },
    { x: 1, y: 0.2 },
  ]);
  const c: CapacityResult = {
    params: { ...defaultCapacity(), betas: [1, 4], patternCounts: [10, 50], levels: [0.2, 0.5], source: { kind: 'mnist' } },
    points: [
      { beta: 1, patterns: 10, level: 0.2, success: 1, meanOverlap: 1 },
      { beta: 1, patterns: 50, level: 0.2, success: 0.5, meanOverlap: 0.8 },
      { beta: 1, patterns: 10, level: 0.5, success: 0.7, meanOverlap: 0.9 },
      { beta: 4, patterns: 10, level: 0.2, success: 0.9, meanOverlap: 1 },
    ],
    partial: false,
  };
  const vp = capacityVsPatterns(c, 0.2);
  assert.deepEqual(
    vp.map((s) => s.points.map((p) => [p.x, p.y])),
    [
      [
        [10, 1],
        [50, 0.5],
      ],
      [[10, 0.9]],
    ],
  );
  const vl = capacityVsLevel(c);
  assert.equal(vl.length, 4);
  assert.deepEqual(
    vl[0]!.points.map((p) => [p.x, p.y]),
    [
      [0.2, 1],
      [0.5, 0.7],
    ],
  );
});
