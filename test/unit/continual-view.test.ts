// The continual-learning lab's chart shaping, from results built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClChainResult, ClCompareResult, ClSweepResult } from '../../core/contract.ts';
import { chainSeries, compareSeries, correctionSeries, ratioSeries, similaritySeries } from '../../renderer/src/lib/continual.ts';

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

test('no theory: the chain and the sweeps draw Monte Carlo only; a correction sweep draws ratios against the setting', () => {
  const r = { mean: [[1, 2]], sd: [[0.1, 0.2]], theory: null, draws: 5 } as unknown as ClChainResult;
  assert.deepEqual(
    chainSeries(r).map((x) => x.label),
    ['task 1, Monte Carlo (5 draws)', 'task 1, ± sd'],
  );
  const s = {
    params: { axis: 'replay' },
    points: [{ ...point(0, 1, [1, 2, 2, 4], [1, 2, 2, 4]) }, { ...point(10, 1, [1, 1.5, 1.5, 4], [0, 0, 0, 0]), theory: null }],
  } as unknown as ClSweepResult;
  const c = correctionSeries(s);
  const forgetting = c.find((x) => x.label.startsWith('E₁₂/E₁₁ (task 1'))!;
  assert.deepEqual(
    forgetting.points.map((p) => [p.x, p.y]),
    [
      [0, 2],
      [10, 1.5],
    ],
  );
  // The theory line has only the point with a formula.
  assert.deepEqual(
    c.find((x) => x.label === 'E₁₂/E₁₁, theory')!.points.map((p) => [p.x, p.y]),
    [[0, 2]],
  );
  assert.equal(ratioSeries(s).filter((x) => x.label.includes('theory')).length, 2);
});

test('the comparison: one legend entry per correction, theory lines out of the legend behind one grey key', () => {
  const two = (e12: number) => ({ e11: 1, e12, e22: e12, e2alone: 4 });
  const row = (correction: string, e12: number, theory: boolean) => ({
    correction,
    setting: null,
    mean: two(e12),
    sd: two(0),
    theory: theory ? two(e12 * 1.1) : null,
    memory: { samples: 0, inputs: 0 },
  });
  const rows = (f: number) => [
    row('none', 2 * f, true),
    row('replay', f, false),
    row('anchor', f, false),
    row('balanced', f, true),
    row('balanced-auto', f, true),
  ];
  const r = {
    params: { similarity: 1 },
    points: [
      { noise: 0.1, ratio: 0.1, n2: 10, rows: rows(1), best: 'replay' },
      { noise: 0.1, ratio: 1, n2: 100, rows: rows(0.5), best: 'replay' },
      { noise: 0, ratio: 0.1, n2: 10, rows: rows(3), best: 'replay' },
    ],
  } as unknown as ClCompareResult;
  const s = compareSeries(r, 0.1);
  assert.deepEqual(
    s.filter((x) => x.legend !== false).map((x) => x.label),
    [
      'no correction',
      'replay, best R',
      'anchor, best λ_a',
      'balanced step, best c',
      'step rule c = N₂/(N₁+N₂)',
      'points: Monte Carlo; lines: theory',
      'E₂ = E₁',
    ],
  );
  assert.deepEqual(
    s[0]!.points.map((p) => [p.x, p.y]),
    [
      [0.1, 2],
      [1, 1],
    ],
  );
  // The theory line of no correction, out of the legend.
  assert.equal(s[1]!.legend, false);
  assert.deepEqual(
    s[1]!.points.map((p) => p.y),
    [2.2, 1.1],
  );
});
