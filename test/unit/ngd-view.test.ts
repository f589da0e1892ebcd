// The natural-gradient lab's chart shaping: what the charts and the summary table show, from results
// built by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NgdCompareResult, NgdRunResult } from '../../core/contract.ts';
import { defaultNgdCompare } from '../../core/labs/ngd/state.ts';
import { isotropySeries, linearitySeries, lossSeries, summaryRows, sweepGapSeries } from '../../renderer/src/lib/ngd.ts';

const run = (over: Partial<NgdRunResult>): NgdRunResult => ({
  method: 'exact',
  at: 'best',
  eta: 1,
  losses: [1, 0.01, 1e-4],
  testLosses: [2, 1.5, 1.4],
  theory: {
    alpha: 1,
    note: null,
    losses: [1, 0, 0],
    testLosses: [2, 1.6, 1.6],
    testLossesAnalytic: [2, 1.55, 1.55],
    analyticNote: null,
  },
  spectrum: [0.9, 1, 1.1],
  spectrumNote: null,
  stepSizes: [0.01, 0.001],
  linearErrors: [0.02, 0.01],
  signChanges: [0.001, 0],
  diverged: false,
  error: null,
  stepsDone: 2,
  secondsPerStep: 0.1,
  ...over,
});

const result = (runs: NgdRunResult[]): NgdCompareResult => ({
  params: { ...defaultNgdCompare(), steps: 2 },
  parameters: 100,
  inputDim: 8,
  lambdaMax: 1,
  lambdaMin: 0.1,
  forster: null,
  runs,
  partial: false,
  finishedAt: '2026-12-01T12:00:00.000Z',
});

test('loss curves: measured solid, predicted dashed in the same colour; zeros and overflow stay off the log axis', () => {
  const r = result([
    run({}),
    run({
      method: 'kfac',
      diverged: true,
      losses: [1, 50, 1e300],
      theory: {
        alpha: 9,
        note: null,
        losses: [1, 0.25, 0.0625],
        testLosses: [2, 2, 2],
        testLossesAnalytic: null,
        analyticNote: null,
      },
    }),
    run({ method: 'unit-wise', error: 'singular', losses: [] }),
    run({ at: 'common', eta: 0.1 }),
  ]);
  const s = lossSeries(r, 'best', 'train');
  assert.deepEqual(
    s.map((x) => x.label),
    [
      'exact NGD',
      'exact NGD, predicted (α = 1; 0 from step 1)',
      'K-FAC (diverged)',
      'K-FAC, predicted (α = 9)',
      'predicted (dashed)',
    ],
  );
  assert.deepEqual(s[0]!.points, [
    { x: 0, y: 1 },
    { x: 1, y: 0.01 },
    { x: 2, y: 1e-4 },
  ]);
  assert.deepEqual(s[1]!.points, [{ x: 0, y: 1 }]);
  assert.equal(s[1]!.style, 'dashed');
  assert.equal(s[0]!.color, s[1]!.color);
  assert.deepEqual(
    s[2]!.points.map((p) => p.y),
    [1, 50],
  );
  assert.equal(lossSeries(r, 'common', 'test')[0]!.points.length, 3);
  // The test loss adds the infinite-width prediction, dotted, where a run has one.
  const t = lossSeries(r, 'best', 'test');
  assert.deepEqual(
    t.map((x) => `${x.label} [${x.style ?? 'line'}]`),
    [
      'exact NGD [line]',
      'exact NGD, predicted (α = 1, empirical NTK) [dashed]',
      'exact NGD, predicted (infinite-width NTK) [dotted]',
      'K-FAC (diverged) [line]',
      'K-FAC, predicted (α = 9, empirical NTK) [dashed]',
      'predicted, empirical NTK (dashed) [dashed]',
      'predicted, infinite-width NTK (dotted) [dotted]',
    ],
  );
  // The legend lists the methods and the two grey keys; the per-method predictions are drawn but not listed.
  assert.deepEqual(
    t.filter((x) => x.legend !== false).map((x) => x.label),
    ['exact NGD', 'K-FAC (diverged)', 'predicted, empirical NTK (dashed)', 'predicted, infinite-width NTK (dotted)'],
  );
  assert.deepEqual(
    t.filter((x) => x.color === -1).map((x) => x.points.length),
    [0, 0],
  );
  assert.deepEqual(
    t[2]!.points.map((p) => p.y),
    [2, 1.55, 1.55],
  );
});

test('isotropy: the kernel’s eigenvalues divided by α (gradient descent by their mean) against rank in [0, 1]', () => {
  const r = result([
    run({
      method: 'block-diagonal',
      theory: { alpha: 3, note: null, losses: [], testLosses: [], testLossesAnalytic: null, analyticNote: null },
      spectrum: [3, 3, 6],
    }),
    run({
      method: 'gd',
      theory: { alpha: null, note: 'x', losses: [], testLosses: [], testLossesAnalytic: null, analyticNote: null },
      spectrum: [1, 2, 3],
    }),
  ]);
  const s = isotropySeries(r);
  assert.deepEqual(s[0]!.points, [
    { x: 0, y: 1 },
    { x: 0.5, y: 1 },
    { x: 1, y: 2 },
  ]);
  assert.deepEqual(
    s[1]!.points.map((p) => p.y),
    [0.5, 1, 1.5],
  );
  assert.equal(s[1]!.label, 'gradient descent ÷ mean');
});

test('summary rows say each run’s outcome in words and its first-step ratio beside the prediction', () => {
  const rows = summaryRows(
    result([
      run({}),
      run({ method: 'kfac', diverged: true, losses: [1, 1e300] }),
      run({ method: 'block-tridiagonal', error: 'singular system', losses: [] }),
      run({
        method: 'gd',
        losses: [1, 2, 3],
        theory: { alpha: null, note: 'n', losses: [1, 0.9, 0.8], testLosses: [], testLossesAnalytic: null, analyticNote: null },
      }),
    ]),
  );
  assert.deepEqual(
    rows.map((r) => r.outcome),
    ['converging', 'diverged at step 1', 'not run: singular system', 'loss rose'],
  );
  assert.equal(rows[0]!.firstStep, '0.01000');
  assert.equal(rows[0]!.firstStepTheory, '0');
  assert.equal(rows[0]!.isotropy, '0.9000 … 1.100');
  assert.equal(rows[3]!.alpha, '—');
  assert.equal(rows[2]!.eta, '—');
});

test('sweep gaps per method against the varied value, dropping zero gaps a log axis cannot show', () => {
  const base = { eta: 1, alpha: 1, losses: [1, 0.1], theoryLosses: [1, 0], diverged: false };
  const s = sweepGapSeries({
    params: {
      axis: 'width',
      values: [8, 16],
      etaFactor: 0.5,
      damping: 0,
      steps: 1,
      network: defaultNgdCompare().network,
      methods: ['exact'],
    },
    points: [
      { ...base, value: 8, method: 'exact', gap: 0.2 },
      { ...base, value: 16, method: 'exact', gap: 0 },
    ],
    partial: false,
  });
  assert.deepEqual(s[0]!.points, [{ x: 8, y: 0.2 }]);
});

test('log-axis ticks: decades only, plain from 0.01 to 1000, exponents beyond', async () => {
  const { logTick } = await import('../../renderer/src/lib/series.ts');
  assert.deepEqual([1e-32, 0.001, 0.01, 0.02, 0.1, 1, 5, 10, 1000, 1e4, 1e6, 0, -1].map(logTick), [
    '1e-32',
    '1e-3',
    '0.01',
    '',
    '0.1',
    '1',
    '',
    '10',
    '1000',
    '1e+4',
    '1e+6',
    '',
    '',
  ]);
});

test('a log axis spans at most 24 decades below the largest value (chart.js breaks at ~30)', async () => {
  const { logAxisMin } = await import('../../renderer/src/lib/series.ts');
  const pts = (ys: number[]) => [{ label: 'a', points: ys.map((y, x) => ({ x, y })) }];
  assert.equal(logAxisMin(pts([0.15, 1e-32, 6e5])), 1e-18);
  assert.equal(logAxisMin(pts([0.15, 1e-6, 6e5])), undefined);
  assert.equal(logAxisMin(pts([0, -1])), undefined);
});

test('series colours: the palette first, then every colour distinct for as many series as a chart has', async () => {
  const { seriesColor } = await import('../../renderer/src/lib/series.ts');
  const cs = Array.from({ length: 40 }, (_, i) => seriesColor(i));
  assert.equal(cs[0], '#4c78a8');
  assert.equal(new Set(cs).size, 40);
  for (const c of cs) assert.match(c, /^#[0-9a-f]{6}$/);
});

test('linear regime: per step taken (step t from t − 1), zeros left off the log axis, one series per method', () => {
  const r = result([run({}), run({ method: 'kfac', signChanges: [0.3, 0.25], diverged: true }), run({ at: 'common' })]);
  const signs = linearitySeries(r, 'best', 'signs');
  assert.deepEqual(
    signs.map((s) => s.label),
    ['exact NGD', 'K-FAC (diverged)'],
  );
  assert.deepEqual(signs[0]!.points, [{ x: 1, y: 0.001 }]);
  assert.deepEqual(
    signs[1]!.points.map((p) => [p.x, p.y]),
    [
      [1, 0.3],
      [2, 0.25],
    ],
  );
  assert.deepEqual(
    linearitySeries(r, 'best', 'error')[0]!.points.map((p) => p.y),
    [0.02, 0.01],
  );
  assert.deepEqual(
    linearitySeries(r, 'best', 'size')[0]!.points.map((p) => p.y),
    [0.01, 0.001],
  );
});
