// The linear-regime diagnostics of a natural-gradient run (models/ngd/train.ts): the parameter step
// against its closed form, the linearisation error against a model that is linear in its
// parameters, and the finding they explain: unit-wise NGD with ReLU leaves the linear regime at
// ρ = 0 and converges with a small damping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
import { solveSPD } from '../../models/linalg/dense.ts';
import { gaussianTask } from '../../models/ngd/data.ts';
import { fullTheta, initNtk, linearise } from '../../models/ngd/network.ts';
import { runMethod } from '../../models/ngd/train.ts';

const norm = (net: ReturnType<typeof initNtk>) =>
  Math.sqrt(net.omega.concat(net.bias).reduce((s, w) => s + w.reduce((a, b) => a + b * b, 0), 0));

test('exact NGD: η‖Δθ‖ is η√(rᵀΘ⁻¹r), the minimum-norm step that fits the residual (closed form)', () => {
  const { X, Y } = gaussianTask(10, 20, 1, mulberry32(2));
  const net = initNtk({ activation: 'tanh', widths: [20, 64, 64, 1], sigmaW2: 1.5, sigmaB2: 0.1 }, mulberry32(4));
  const run = runMethod(
    net,
    { X, Y, T: 10, Xt: X, Yt: Y, Tt: 10, forster: false },
    { method: 'exact', eta: 0.3, rho: 0, steps: 1 },
  );
  const lin = linearise(net, X, 10);
  const r = lin.pass.h.at(-1)!.map((v, i) => v - Y[i]!);
  const w = solveSPD(fullTheta(lin), r, 10);
  const expected = (0.3 * Math.sqrt(r.reduce((s, v, i) => s + v * w[i]!, 0))) / norm(net);
  assert.ok(Math.abs(run.stepSizes[0]! / expected - 1) < 1e-9, `${run.stepSizes[0]} vs ${expected}`);
});

test('a network linear in its parameters (depth 1) has linearisation error 0; a deep one an error that shrinks with η', () => {
  const { X, Y } = gaussianTask(8, 12, 2, mulberry32(5));
  const task = { X, Y, T: 8, Xt: X, Yt: Y, Tt: 8, forster: false };
  const flat = initNtk({ activation: 'relu', widths: [12, 2], sigmaW2: 1, sigmaB2: 0.5 }, mulberry32(6));
  const a = runMethod(flat, task, { method: 'gd', eta: 0.5, rho: 0, steps: 2 });
  assert.ok(
    a.linearErrors.every((e) => e < 1e-10),
    `${a.linearErrors}`,
  );
  assert.deepEqual(a.signChanges, [0, 0]);
  const deep = initNtk({ activation: 'tanh', widths: [12, 32, 32, 2], sigmaW2: 1.5, sigmaB2: 0 }, mulberry32(6));
  const big = runMethod(deep, task, { method: 'exact', eta: 1, rho: 0, steps: 1 }).linearErrors[0]!;
  const small = runMethod(deep, task, { method: 'exact', eta: 0.1, rho: 0, steps: 1 }).linearErrors[0]!;
  // Second order in the step: the error relative to JΔθ scales as η.
  assert.ok(big > 0 && Math.abs(small / big / 0.1 - 1) < 0.2, `η = 1: ${big}, η = 0.1: ${small}`);
});

// ReLU, N = 48, M₀ = 64, width 256, η = 1/α: the per-unit blocks of units with small cotangents are
// nearly singular at ρ = 0, so those units' weights move by thousands (η‖Δθ‖ = 14‖θ₀‖), flip a
// third of the activations, and the run diverges; ρ = 10⁻⁶ bounds them and it converges.
test('unit-wise NGD with ReLU: at ρ = 0 the first step leaves the linear regime and the run diverges; ρ = 10⁻⁶ converges', () => {
  const r = mulberry32(1);
  const { X, Y } = gaussianTask(48, 64, 1, r);
  const task = { X, Y, T: 48, Xt: X.subarray(0, 64 * 8), Yt: Y.subarray(0, 8), Tt: 8, forster: false };
  const net = initNtk({ activation: 'relu', widths: [64, 256, 256, 1], sigmaW2: 2, sigmaB2: 0 }, mulberry32(3));
  const bare = runMethod(net, task, { method: 'unit-wise', eta: 'best', rho: 0, steps: 3 });
  assert.ok(bare.stepSizes[0]! > 1, `step ${bare.stepSizes[0]}`);
  assert.ok(bare.linearErrors[0]! > 1, `error ${bare.linearErrors[0]}`);
  assert.ok(bare.signChanges[0]! > 0.2, `sign changes ${bare.signChanges[0]}`);
  assert.ok(bare.losses.at(-1)! > bare.losses[0]!, `${bare.losses}`);
  const damped = runMethod(net, task, { method: 'unit-wise', eta: 'best', rho: 1e-6, steps: 3 });
  assert.ok(damped.linearErrors[0]! < 0.5 && damped.stepSizes[0]! < 0.5, `${damped.linearErrors} ${damped.stepSizes}`);
  assert.ok(damped.losses.at(-1)! < 0.01 * damped.losses[0]!, `${damped.losses}`);
});
