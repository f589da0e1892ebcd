// The continual-learning lab's chart shaping, from results built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClChainResult, ClSweepResult } from '../../core/contract.ts';
import { chainSeries, ratioSeries, similaritySeries } from '../../renderer/src/lib/continual.ts';

test('chain: per task Monte-Carlo points, a + sd band and the theory line, against the stage', () => {
  const r = { mean: [[1, 2]], sd: [[0.1, 0.2]], theory: [[1.1, 1.9]], draws: 5 } as unknown as ClChainResult;
  const s = chainSeries(r);
  assert.deepEqual(
    s.map((x) => x.label),
    ['task 1, Monte Carlo (5 draws)', 'task 1, ± sd', 'task 1, theory'],
  );
  assert.deepEqual(
    s[1]!.points.map((p) => [p.x, p.y]),
    [
      [1, 1.1],
      [2, 2.2],
    ],
  );
});

const point = (value: number, rho: number, m: number[], th: number[]) => ({
  value,
  n2: 10,
  rho,
  mean: { e11: m[0]!, e12: m[1]!, e22: m[2]!, e2alone: m[3]! },
  sd: { e11: 0, e12: 0.5, e22: 0, e2alone: 0 },
  theory: { e11: th[0]!, e12: th[1]!, e22: th[2]!, e2alone: th[3]! },
});

test('ratio sweep: task 1 after stage 2 against N₂/N₁, beside its error before stage 2', () => {
  const s = { points: [point(0.5, 1, [1, 2, 2, 3], [1, 2.1, 2, 3])] } as unknown as ClSweepResult;
  const r = ratioSeries(s);
  assert.deepEqual(r[0]!.points, [{ x: 0.5, y: 2 }]);
  assert.deepEqual(r[1]!.points, [{ x: 0.5, y: 2.5 }]);
  assert.deepEqual(r[3]!.points, [{ x: 0.5, y: 1 }]);
});

test('similarity sweep: forward = alone − after, backward = before − after, and the critical ρ markers', () => {
  const s = {
    points: [point(0.2, 0.2, [1, 3, 4, 2], [1, 3, 4, 2]), point(0.9, 0.9, [1, 1.5, 1, 2], [1, 1.4, 1, 2])],
    critical: { forward: 0.5, backward: null },
  } as unknown as ClSweepResult;
  const r = similaritySeries(s);
  assert.deepEqual(
    r[0]!.points.map((p) => p.y),
    [-2, 1],
  );
  assert.deepEqual(
    r[3]!.points.map((p) => p.y),
    [-2, -0.3999999999999999],
  );
  assert.deepEqual(
    r.slice(4).map((x) => x.label),
    ['critical ρ, forward (0.500)'],
  );
});
