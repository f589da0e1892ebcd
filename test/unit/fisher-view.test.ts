// Chart shaping of the Fisher lab's view (renderer/src/lib/fisher.ts), checked on hand-made
// results: the histogram counts every nonzero eigenvalue once and puts each in its bin, the
// markers sit at log₁₀ of their values, the sweep band is mean ± sd, and diverged runs say so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FisherSweepResult, FisherTheoryValues } from '../../core/contract.ts';
import { defaultFisherLab, defaultNetwork } from '../../core/labs/fisher/state.ts';
import {
  comparisonSeries,
  eigenHistogram,
  fmt,
  isometrySeries,
  isometrySpread,
  lrSeries,
  isometryHistogramSeries,
  isometryLrSeries,
  isometryEtaSeries,
  phaseSeries,
  signalCorrelationSeries,
  relError,
  sweepSeries,
} from '../../renderer/src/lib/fisher.ts';
import { nonFinitePoints } from '../../renderer/src/lib/series.ts';

const theory: FisherTheoryValues = {
  kappa1: 1,
  kappa2: 0.5,
  mLambda: 0.01,
  sLambda: 2,
  lambdaMax: 100,
  bulk: 0.1,
  note: null,
  layers: [],
};

test('the eigenvalue histogram counts each nonzero eigenvalue once, in the bin of its log₁₀, with markers at the theory', () => {
  // Zeros (and values below 1e-12 of the largest) are the dual's null space: left out.
  const eigen = [0, 1e-20, 0.001, 0.01, 0.01, 0.1, 1, 10, 100];
  const s = eigenHistogram(eigen, theory, 100, 5);
  const steps = s[0]!.points;
  assert.equal(steps.length, 10);
  const counts = steps.filter((_, i) => i % 2 === 0).map((p) => p.y);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    7,
  );
  // log10 spans −3..2 in 5 bins of width 1: [−3,−2) holds 0.001, [−2,−1) the two 0.01s, …, the top bin 10 and 100.
  assert.deepEqual(counts, [1, 2, 1, 1, 2]);
  assert.deepEqual(steps[0], { x: -3, y: 1 });
  const marker = (label: string) => s.find((x) => x.label === label)!.points;
  assert.deepEqual(marker('theory λ_max'), [
    { x: 2, y: 0 },
    { x: 2, y: 2 },
  ]);
  assert.equal(marker('theory m_λ')[0]!.x, -2);
  assert.equal(marker('theory bulk')[0]!.x, -1);
  assert.equal(marker('measured λ_max')[0]!.x, 2);
  // No theory (batch norm in hidden layers): only the histogram and the measured marker.
  assert.deepEqual(
    eigenHistogram(eigen, null, 100, 5).map((x) => x.label),
    ['eigenvalues of F* (count)', 'measured λ_max'],
  );
  assert.deepEqual(eigenHistogram([], theory, 1), []);
});

test('a sweep is drawn as its mean, mean ± sd and the theory line, point by point', () => {
  const stats = (v: number) => ({ P: v, mLambda: v / 100, sLambda: v, lambdaMax: 2 * v });
  const sweep: FisherSweepResult = {
    params: { ...defaultFisherLab().sweepDraft, network: defaultNetwork(), values: [32, 64] },
    points: [32, 64].map((value) => ({
      value,
      mean: stats(value),
      sd: { mLambda: 0.1, sLambda: 1, lambdaMax: 3 * value },
      theory: value === 32 ? { ...theory, lambdaMax: 70 } : null,
    })),
    partial: false,
  };
  const [mean, hi, lo, th] = sweepSeries(sweep, 'lambdaMax');
  assert.deepEqual(
    mean!.points.map((p) => p.y),
    [64, 128],
  );
  assert.deepEqual(
    hi!.points.map((p) => p.y),
    [64 + 96, 128 + 192],
  );
  // mean − sd < 0 on a log axis: drawn at the smallest positive number.
  assert.deepEqual(
    lo!.points.map((p) => p.y),
    [1e-300, 1e-300],
  );
  assert.deepEqual(th!.points, [{ x: 32, y: 70 }]);
});

test('learning-rate, isometry and comparison series carry the stored numbers', () => {
  const lr = lrSeries({
    params: { ...defaultFisherLab().lrDraft, network: defaultNetwork() },
    lambdaMax: 4,
    curves: [
      { factor: 0.5, eta: 0.25, losses: [1, 0.5], diverged: false },
      { factor: 2, eta: 1, losses: [1, 1e20, 1e300], diverged: true },
    ],
    partial: false,
  });
  assert.equal(lr[1]!.label, 'η = 2 × 2/λ_max (diverged)');
  assert.deepEqual(
    lr[1]!.points.map((p) => p.y),
    [1, 1e12, NaN],
  );
  const iso = {
    params: defaultFisherLab().isometryDraft,
    runs: [
      { depth: 2, weights: 'gaussian' as const, eigenvalues: [1, 3], theory: null, histogram: null, lr: null },
      {
        depth: 2,
        weights: 'orthogonal' as const,
        eigenvalues: [4, 4],
        theory: { lambdaMax: 4.5, moments: [4, 16, 64] },
        histogram: null,
        lr: { eta: 0.4, curves: [{ factor: 2, losses: [1, 9, 1e300], diverged: true }] },
      },
      {
        depth: 4,
        weights: 'orthogonal' as const,
        eigenvalues: [8, 8],
        theory: { lambdaMax: null, moments: [8, 64, 512] },
        histogram: null,
        lr: null,
      },
    ],
  };
  // Theory lines only where the runs have theory: orthogonal, λ_max only where the law was computed.
  assert.deepEqual(
    isometrySeries(iso, 'max').map((s) => [s.label, s.points]),
    [
      ['gaussian weights', [{ x: 2, y: 3 }]],
      [
        'orthogonal weights',
        [
          { x: 2, y: 4 },
          { x: 4, y: 8 },
        ],
      ],
      ['orthogonal: free probability', [{ x: 2, y: 4.5 }]],
    ],
  );
  assert.deepEqual(
    isometryHistogramSeries({ ...iso.runs[0]!, histogram: { edges: [0, 2, 4], measured: [0.5, 0.5], theory: [0.25, 0.75] } }).map(
      (s) => s.points,
    ),
    [
      [
        { x: 1, y: 0.5 },
        { x: 3, y: 0.5 },
      ],
      [
        { x: 1, y: 0.25 },
        { x: 3, y: 0.75 },
      ],
    ],
  );
  const [g, o] = isometrySeries(iso, 'mean');
  assert.deepEqual(g!.points, [{ x: 2, y: 2 }]);
  assert.deepEqual(
    o!.points.map((p) => p.y),
    [4, 8],
  );
  assert.deepEqual(
    isometrySeries(iso, 'max')[0]!.points.map((p) => p.y),
    [3],
  );
  // Training curves: overflow (10³⁰⁰) is NaN, marked on the chart; η* only where a run trained.
  assert.deepEqual(
    isometryLrSeries(iso.runs[1]!).map((x) => [x.label, x.points.map((p) => p.y)]),
    [['c = 2 (did not converge)', [1, 9, NaN]]],
  );
  assert.deepEqual(
    isometryEtaSeries(iso).map((x) => x.points),
    [[{ x: 2, y: 0.4 }]],
  );
  // Divided by depth: orthogonal linear networks lie flat at the same height.
  assert.deepEqual(
    isometrySpread(iso)
      .slice(1)
      .map((s) => s.points.map((p) => p.y)),
    [
      [2, 2],
      [2, 2],
    ],
  );
  const cmp = comparisonSeries([
    { norm: 'none', lambdaMax: 10, mLambda: 1, theoryLambdaMax: 9 },
    { norm: 'bn-hidden', lambdaMax: 3, mLambda: 1, theoryLambdaMax: null },
  ]);
  assert.deepEqual(
    cmp[1]!.points.map((p) => p.y),
    [9, NaN],
  );
  // No theory by design (hidden batch norm) is said in the legend, not flagged as a non-finite value.
  assert.equal(cmp[1]!.label, 'theory λ_max (no theory for bn-hidden)');
  assert.deepEqual(nonFinitePoints(cmp), []);
  assert.equal(nonFinitePoints([{ label: 'x', points: [{ x: 0, y: NaN }] }]).length, 1);
  assert.equal(fmt(123456), '1.2346e+5');
  assert.equal(fmt(0.5), '0.50000');
  assert.equal(relError(110, 100), '10.0 %');
  assert.equal(relError(1, null), '—');
});

test('the phase diagram draws χ₁ = 1 where each σ_b² row crosses it (linear between grid points) and marks the network', () => {
  const r = {
    params: { ...defaultFisherLab().signalDraft, sigmaW2: 1.5, sigmaB2: 0.1 },
    layers: [],
    fixedPoint: { q: 1, c: 1, chi1: 0.9, xiQ: 1, xiC: 1 },
    // Two rows (σ_b² = 0, 0.1), three columns (σ_w² = 1, 2, 3): row 0 crosses between 1 and 2 at 0.5 → 1.5; row 1 between 2 and 3.
    phase: { sigmaW2: [1, 2, 3], sigmaB2: [0, 0.1], chi1: [0.5, 1.5, 2, 0.2, 0.6, 1.4] },
  };
  const [boundary, me] = phaseSeries(r);
  assert.deepEqual(boundary!.points, [
    { x: 1.5, y: 0 },
    { x: 2.5, y: 0.1 },
  ]);
  assert.deepEqual(me!.points, [{ x: 1.5, y: 0.1 }]);
  const angle = signalCorrelationSeries(
    { ...r, layers: [{ l: 1, q: 1, c: 0.5, qTheory: 1, cTheory: 0, qSd: 0, cSd: 0 }] },
    'angle',
  );
  assert.ok(Math.abs(angle[0]!.points[0]!.y - 90) < 1e-12 && Math.abs(angle[1]!.points[0]!.y - 60) < 1e-12);
});
