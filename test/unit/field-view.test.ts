// The random-neural-field lab's chart shaping, from results built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldExploreView, FieldRobustnessResult, FieldTrainResult } from '../../core/contract.ts';
import { correlationSeries, ntkLossSeries, robustnessSeries } from '../../renderer/src/lib/field.ts';

test('correlation: measured points and the formula line, lag by lag', () => {
  const view = {
    correlation: [
      { lag: 0, empirical: 1, theory: 1 },
      { lag: 5, empirical: 0.4, theory: 0.5 },
    ],
  } as FieldExploreView;
  const s = correlationSeries(view);
  assert.equal(s[0]!.style, 'points');
  assert.deepEqual(s[1]!.points, [
    { x: 0, y: 1 },
    { x: 5, y: 0.5 },
  ]);
  assert.deepEqual(correlationSeries(null), []);
});

test('training loss beside its NTK prediction, step by step', () => {
  const s = ntkLossSeries({ trainLoss: [1, 0.5], ntkLoss: [1, 0.6] } as FieldTrainResult);
  assert.deepEqual(
    s.map((x) => x.points.map((p) => p.y)),
    [
      [1, 0.5],
      [1, 0.6],
    ],
  );
  assert.equal(s[1]!.style, 'dashed');
});

test('robustness: the mean per network, with ± sd bands only for several seeds', () => {
  const curve = (model: 'field' | 'vanilla') => ({
    model,
    perturbation: 'noise' as const,
    levels: [0, 0.1],
    mean: [0.9, 0.8],
    sd: [0.01, 0.02],
  });
  const r = (seeds: number) =>
    ({ params: { seeds }, curves: [curve('field'), curve('vanilla')], partial: false }) as unknown as FieldRobustnessResult;
  assert.equal(robustnessSeries(r(1), 'noise').length, 2);
  const s = robustnessSeries(r(3), 'noise');
  assert.equal(s.length, 6);
  assert.deepEqual(
    s[1]!.points.map((p) => p.y),
    [0.91, 0.8200000000000001],
  );
  assert.deepEqual(robustnessSeries(r(3), 'fgsm'), []);
});
