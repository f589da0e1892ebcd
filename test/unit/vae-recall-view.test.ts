// Chart shaping of the VAE lab's recall view: normalised level curves and sweep series from
// stored results, checked on hand-made runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecallPoint, RecallRunResult, VaeSweepResult } from '../../core/contract.ts';
import { defaultRecall, defaultSweep } from '../../core/labs/vae/state.ts';
import { levelSeries, runLabel, sweepLevelSeries } from '../../renderer/src/lib/recall.ts';

const point = (t: number, m: number | null, c: number, r: number | null, g: number): RecallPoint => ({
  t,
  meanDistOwn: c,
  meanCosOwn: null,
  fracNearestOwn: null,
  spread: 0,
  nearestHistogram: [],
  distMemory: m,
  distConcept: c,
  distRoot: r,
  distGlobal: g,
  nearestLevel: null,
  withinConceptSpread: null,
});
const run = (noise: number, pts: RecallPoint[], kind: RecallRunResult['params']['noiseKind'] = 'bitflip'): RecallRunResult => ({
  id: String(noise),
  params: { ...defaultRecall(), noiseKind: kind },
  noise,
  points: pts,
  minima: { memory: null, concept: null, root: null, global: null },
  tensors: { projection: '', labels: '', strips: '' },
});

test('level curves are d(t)/d(0) per run; a level that starts at 0 or is absent gives no series', () => {
  const a = run(0, [point(0, 0, 2, null, 4), point(1, 1, 1, null, 2)]);
  const b = run(0.2, [point(0, 2, 4, null, 8), point(1, 3, 3, null, 6)], 'gaussian');
  assert.deepEqual(levelSeries([a, b], 'concept'), [
    {
      label: 'flip p = 0 · mean',
      points: [
        { x: 0, y: 1 },
        { x: 1, y: 0.5 },
      ],
    },
    {
      label: 'σ = 0.2 · mean',
      points: [
        { x: 0, y: 1 },
        { x: 1, y: 0.75 },
      ],
    },
  ]);
  assert.deepEqual(
    levelSeries([a, b], 'memory').map((s) => s.label),
    ['σ = 0.2 · mean'],
  );
  assert.deepEqual(levelSeries([a, b], 'root'), []);
  assert.equal(runLabel({ ...a, params: { ...a.params, xMode: 'sample', mode: 'sample' } }), 'flip p = 0 · sample, x sampled');
  assert.equal(runLabel({ ...a, params: { ...a.params, noiseKind: 'pure' } }), 'pure noise · mean');
});

test('sweep series: the fraction nearest a level against noise, one series per latent size', () => {
  const cell = (latent: number, noise: number, global: number) => ({
    latent,
    noise,
    distStart: 1,
    distEnd: 1,
    fracStart: 1,
    fracEnd: 1,
    minConcept: 1,
    minConceptSd: 0,
    minStep: 0,
    t90: null,
    testNegElbo: null,
    nearestLevel: { memory: 0, concept: 1 - global, root: null, global },
  });
  const s: VaeSweepResult = {
    params: { ...defaultSweep(), latents: [2, 10], source: { kind: 'mnist' } },
    cells: [cell(2, 0, 0.1), cell(2, 0.4, 0.8), cell(10, 0, 0.05)],
    partial: false,
    seconds: 1,
  };
  assert.deepEqual(sweepLevelSeries(s, 'global'), [
    {
      label: 'd = 2',
      points: [
        { x: 0, y: 0.1 },
        { x: 0.4, y: 0.8 },
      ],
    },
    { label: 'd = 10', points: [{ x: 0, y: 0.05 }] },
  ]);
  assert.deepEqual(sweepLevelSeries(s, 'root'), [
    { label: 'd = 2', points: [] },
    { label: 'd = 10', points: [] },
  ]);
});

test('training curves: live points while training (test −ELBO once per new value), the stored steps after', async () => {
  const { trainingSeries, elboSeries } = await import('../../renderer/src/lib/recall.ts');
  const live: { step: number; metrics: Record<string, number> }[] = [
    { step: 1, metrics: { loss: 5, rec: 4, kl: 1, test_neg_elbo: 9 } },
    { step: 2, metrics: { loss: 4, rec: 3, kl: 1, test_neg_elbo: 9 } },
    { step: 3, metrics: { loss: 3, rec: 2, kl: 1, test_neg_elbo: 7 } },
  ];
  const s = trainingSeries(live, null);
  assert.deepEqual(
    s.map((x) => x.label),
    ['loss (β-weighted)', 'reconstruction −log p(x|z)', 'KL', 'test −ELBO (per epoch)'],
  );
  assert.deepEqual(
    s[3]!.points.map((p) => [p.x, p.y]),
    [
      [1, 9],
      [3, 7],
    ],
  );
  assert.equal(s[3]!.style, 'points');
  assert.deepEqual(trainingSeries(null, null), []);
  const result = {
    steps: [{ step: 1, epoch: 1, loss: 2, rec: 1.5, kl: 0.5 }],
    epochs: [{ epoch: 1, testNegElbo: null, testRec: null, testKl: null, trainLoss: 2 }],
  } as unknown as Parameters<typeof elboSeries>[0];
  assert.deepEqual(trainingSeries(null, result)[2]!.points, [{ x: 1, y: 0.5 }]);
  // No test split: no ELBO chart.
  assert.deepEqual(elboSeries(result), []);
});

test('recall metrics skip undefined steps; the nearest-concept bars clamp t to the run', async () => {
  const { metricSeries, nearestConceptSeries } = await import('../../renderer/src/lib/recall.ts');
  const a = run(0, [
    { ...point(0, 0, 2, null, 4), meanCosOwn: 0.5, nearestHistogram: [3, 1] },
    { ...point(1, 1, 1, null, 2), nearestHistogram: [4, 0] },
  ]);
  assert.deepEqual(metricSeries([a], 'meanCosOwn')[0]!.points, [{ x: 0, y: 0.5 }]);
  const bars = nearestConceptSeries(a, 9);
  assert.equal(bars[0]!.label, 'nearest concept at t = 1');
  assert.deepEqual(
    bars[0]!.points.map((p) => p.y),
    [4, 0],
  );
  assert.deepEqual(nearestConceptSeries(null, 0), []);
});
