// The curvature lab's chart shaping (renderer/src/lib/curvature.ts), without a browser: the
// density keeps its values, the Lanczos eigenvalues are points (measurement), 2/η is dashed
// (the stability edge) and never looks like the measured λ_max, and the edge step is found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CurvatureResult, CurvatureTrackResult } from '../../core/contract.ts';
import { defaultSpectrum, defaultTrack } from '../../core/labs/curvature/state.ts';
import {
  densitySeries,
  edgeStep,
  fmt,
  logDensitySeries,
  lossSeries,
  relDiff,
  sharpnessSeries,
} from '../../renderer/src/lib/curvature.ts';

const result: CurvatureResult = {
  params: defaultSpectrum(),
  model: 'm',
  parameters: 10,
  samples: 3,
  loss: null,
  top: [5, 2],
  residuals: [0, 0],
  trace: null,
  density: {
    x: [0, 1, 2],
    y: [0.1, 0.5, 0.2],
    sigma: 0.1,
    log: { x: [0.01, 1, 100], y: [0.2, 0.9, 0.3], sigma: 0.04, below: 0.25 },
  },
  layers: [],
  matvecs: 4,
  seconds: 1,
  fisherLab: null,
  partial: false,
};
const track: CurvatureTrackResult = {
  params: { ...defaultTrack(), lr: 0.5 },
  model: 'm',
  parameters: 10,
  steps: [0, 10, 20],
  lambdaMax: [1, 3.7, 4.1],
  trace: null,
  losses: [1, 0.5, 0.4],
  twoOverLr: 4,
  gdSeconds: 2,
  trackSeconds: 1,
  partial: false,
};

test('the density keeps the SLQ values and marks the Lanczos eigenvalues as points', () => {
  const [d, top] = densitySeries(result);
  assert.deepEqual(
    d!.points.map((p) => p.y),
    [0.1, 0.5, 0.2],
  );
  assert.equal(top!.style, 'points');
  assert.deepEqual(
    top!.points.map((p) => p.x),
    [5, 2],
  );
  assert.deepEqual(densitySeries({ ...result, density: null }), []);
});

test('the log-axis density keeps its values, says the weight it leaves out, and marks only positive eigenvalues', () => {
  const [d, top] = logDensitySeries({ ...result, top: [5, -2] })!;
  assert.deepEqual(
    d!.points.map((p) => [p.x, p.y]),
    [
      [0.01, 0.2],
      [1, 0.9],
      [100, 0.3],
    ],
  );
  assert.match(d!.label, /25\.0 % of the weight below 10⁻⁶ λ_max/);
  assert.deepEqual(
    top!.points.map((p) => p.x),
    [5],
  );
  assert.equal(logDensitySeries({ ...result, density: { ...result.density!, log: null } }), null);
});

test('sharpness is drawn as a measured line and 2/η as a dashed edge across the run', () => {
  const [m, edge] = sharpnessSeries(track);
  assert.notEqual(m!.style, 'dashed');
  assert.equal(edge!.style, 'dashed');
  assert.deepEqual(edge!.points, [
    { x: 0, y: 4 },
    { x: 20, y: 4 },
  ]);
  assert.equal(edgeStep(track), 10);
  assert.equal(edgeStep({ ...track, lambdaMax: [1, 1, 1] }), null);
  assert.equal(lossSeries(track)[0]!.points.length, 3);
  assert.equal(sharpnessSeries({ ...track, trace: [1, 2, 3] })[2]!.right, true);
});

test('numbers as the tables write them', () => {
  assert.equal(fmt(117.33225), '117.33');
  assert.equal(fmt(1.5e-5), '1.5000e-5');
  assert.equal(fmt(0), '0.0000');
  assert.equal(fmt(null), '—');
  assert.equal(relDiff(1.0000001, 1), '1.0e-7');
  assert.equal(relDiff(1, null), '—');
});
