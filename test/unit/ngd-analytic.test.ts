// The infinite-width NTK of the NGD lab (models/ngd/analytic.ts) against the empirical NTK of
// sampled networks, which must converge to it as 1/√M, and its test-loss predictions against the
// empirical-NTK ones, which must close in on them with width.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
import { moments } from '../../models/fisher/theory.ts';
import { layerKernels, layerThetas, pairMoments } from '../../models/ngd/analytic.ts';
import { gaussianTask } from '../../models/ngd/data.ts';
import { fullTheta, initNtk, linearise } from '../../models/ngd/network.ts';
import { runMethod } from '../../models/ngd/train.ts';
import { relErr } from './ngd-reference.ts';

const d = 30;
const T = 12;
const { X } = gaussianTask(T, d, 1, mulberry32(1));

test('the analytic NTK: sampled networks converge to it as 1/√M (ReLU, erf, linear; tanh by quadrature)', () => {
  for (const activation of ['relu', 'erf', 'linear', 'tanh'] as const) {
    const spec = { activation, widths: [d, 1, 1, 1], sigmaW2: 2, sigmaB2: 0.1 };
    const theory = layerThetas(layerKernels(spec, X, T, X, T)).total;
    const err = [128, 2048].map((M) => {
      let e = 0;
      for (let s = 0; s < 3; s++) {
        const net = initNtk({ ...spec, widths: [d, M, M, 1] }, mulberry32(10 + s));
        e += relErr(fullTheta(linearise(net, X, T)), theory) / 3;
      }
      return e;
    });
    // 16× the width: 1/√M says a factor 4 (measured 3.7–5.7 over these seeds).
    assert.ok(err[0]! / err[1]! > 2.5, `${activation}: error ${err[0]} at M = 128, ${err[1]} at 2,048`);
    assert.ok(err[1]! < 0.05, `${activation}: error ${err[1]} at M = 2,048`);
  }
});

test('the analytic NTK: erf’s closed-form moments agree with Gauss–Hermite quadrature, and the layers sum to Θ', () => {
  // erf only: ReLU's step derivative defeats Gauss–Hermite quadrature (1–3 % off); its arc-cosine forms are
  // checked against sampled networks above.
  for (const activation of ['erf'] as const)
    for (const [q1, q2] of [
      [0.7, 0.3],
      [2, -1.2],
    ] as const) {
      const a = moments(activation, q1, q2);
      const b = moments(activation, q1, q2, true);
      for (const k of ['e12', 'd12'] as const)
        assert.ok(Math.abs(a[k] - b[k]) < 1e-8 * Math.abs(a[k]), `${activation} ${k}: ${a[k]} vs ${b[k]}`);
    }
  // tanh (no closed form): the Chebyshev interpolant in ρ against direct quadrature at each ρ.
  for (const [q, tol] of [
    [0.5, 1e-12],
    [2, 1e-9],
    [8, 1e-5],
  ] as const) {
    const pair = pairMoments('tanh', q);
    const diag = moments('tanh', q, q, true);
    for (const rho of [-0.97, -0.3, 0.11, 0.8, 0.999]) {
      const a = pair(rho * q);
      const b = moments('tanh', q, rho * q, true);
      assert.ok(Math.abs(a.e12 - b.e12) < tol * diag.e11 && Math.abs(a.d12 - b.d12) < tol * diag.d11, `q = ${q}, ρ = ${rho}`);
    }
  }
  // Depth 1 (a linear readout of the input): Θ = Σ¹ = σ_w² x·x'/M₀ + σ_b², by hand.
  const k = layerThetas(layerKernels({ activation: 'relu', widths: [d, 1], sigmaW2: 1.5, sigmaB2: 0.2 }, X, T, X, T));
  const dot = (a: number, b: number) => X.subarray(a * d, a * d + d).reduce((s, v, j) => s + v * X[b * d + j]!, 0);
  assert.ok(Math.abs(k.total[1 * T + 4]! - ((1.5 * dot(1, 4)) / d + 0.2)) < 1e-14);
});

test('the analytic test-loss prediction closes in on the empirical-NTK one with width (exact NGD, K-FAC, gradient descent)', () => {
  const r = mulberry32(1);
  const dd = 40;
  const N = 16;
  const { X: Xn, Y } = gaussianTask(N, dd, 1, r);
  const { X: Xt, Y: Yt } = gaussianTask(20, dd, 1, r);
  const task = { X: Xn, Y, T: N, Xt, Yt, Tt: 20, forster: false };
  for (const method of ['exact', 'kfac', 'gd'] as const) {
    const gap = [256, 2048].map((M) => {
      const net = initNtk({ activation: 'relu', widths: [dd, M, M, 1], sigmaW2: 2, sigmaB2: 0 }, mulberry32(3));
      const run = runMethod(net, task, { method, eta: 'best', rho: 0, steps: 2 });
      const a = run.theory.testLossesAnalytic!;
      return Math.max(...run.theory.testLosses.map((v, t) => Math.abs(a[t]! / v - 1)));
    });
    // Measured: exact 9.5 % → 1.7 %, gradient descent 5.3 % → 1.1 %, K-FAC 0.05 % → 0.4 % (already close at 256).
    assert.ok(
      gap[1]! < 0.05 && gap[1]! < Math.max(gap[0]!, 0.01),
      `${method}: relative gap ${gap[0]} at M = 256, ${gap[1]} at 2,048`,
    );
  }
});
