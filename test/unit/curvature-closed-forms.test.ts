// The curvature of models whose products are not a plain network's: an NTK-scaled network (the
// field lab's), and the Hopfield–Boltzmann lab's NLL in closed form, each against explicit matrices
// from a loss written independently (the machine's from the lab's own float64 NLL).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { boltzmannOperator } from '../../models/curvature/boltzmann.ts';
import type { Network } from '../../models/curvature/network.ts';
import { operatorOf } from '../../models/curvature/products.ts';
import { makeMachine, meanNll, rbmAsMachine } from '../../models/hopfield/machine.ts';
import { columns, hessianOf, jacobianOf, jtwj, relErr } from './curvature-explicit.ts';

test('an NTK-scaled network: the curvature in the trained parameters is D (curvature in the effective weights) D', () => {
  // u = a W x + c b per layer; the loss written here with the scales inside.
  const r = mulberry32(4);
  const [I, Hd, O, N] = [3, 4, 2, 5];
  const [a1, a2, cb] = [1 / Math.sqrt(I), 1 / Math.sqrt(Hd), 0.3];
  const net: Network = {
    input: [I],
    layers: [
      { kind: 'linear', inputs: I, outputs: Hd, bias: true },
      { kind: 'activation', fn: 'tanh' },
      { kind: 'linear', inputs: Hd, outputs: O, bias: true },
    ],
  };
  const P = I * Hd + Hd + Hd * O + O;
  const scale = Float64Array.from({ length: P }, (_, j) =>
    j < I * Hd ? a1 : j < I * Hd + Hd ? cb : j < I * Hd + Hd + Hd * O ? a2 : cb,
  );
  const theta = Float64Array.from({ length: P }, () => gaussian(r));
  const X = Float64Array.from({ length: N * I }, () => gaussian(r));
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * O));
  const lossAt = (t: Float64Array) => {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const h = Array.from({ length: Hd }, (_, o) => {
        let u = cb * t[I * Hd + o]!;
        for (let i = 0; i < I; i++) u += a1 * t[o * I + i]! * X[n * I + i]!;
        return Math.tanh(u);
      });
      for (let k = 0; k < O; k++) {
        let u = cb * t[I * Hd + Hd + Hd * O + k]!;
        for (let i = 0; i < Hd; i++) u += a2 * t[I * Hd + Hd + k * Hd + i]! * h[i]!;
        s += (u - (labels[n] === k ? 1 : 0)) ** 2 / 2;
      }
    }
    // The field lab's MSE: over N and over the outputs too.
    return s / (N * O);
  };
  const op = operatorOf({ net, theta, X, N, loss: 'mse', labels, targets: null, scale, lossScale: 1 / O }, 'hessian');
  assert.ok(Math.abs(op.loss! - lossAt(theta)) < 1e-13);
  const err = relErr(columns(P, op.matvec), hessianOf(lossAt, theta));
  assert.ok(err < 1e-5, `relative error ${err.toExponential(2)}`);
});

for (const [kind, trainB, trainC] of [
  ['attnbm', true, true],
  ['attnbm', false, true],
  ['gbrbm', true, false],
] as const)
  test(`the ${kind} NLL${trainB ? '' : ' (b held fixed)'}${trainC ? '' : ' (c held fixed)'}: Hessian and empirical Fisher equal the explicit ones from the lab's own NLL`, () => {
    const r = mulberry32(kind === 'attnbm' ? 5 : 6);
    const [K, nv, N] = [3, 4, 6];
    const W = Float64Array.from({ length: K * nv }, () => 0.8 * gaussian(r));
    const b = Float64Array.from({ length: nv }, () => 0.5 * gaussian(r));
    const c = Float64Array.from({ length: K }, () => 0.5 * gaussian(r));
    const V = Float64Array.from({ length: N * nv }, () => gaussian(r));
    const machineOf = (t: Float64Array) => {
      const Wt = t.subarray(0, K * nv);
      const bt = trainB ? t.subarray(K * nv, K * nv + nv) : b;
      const ct = trainC ? t.subarray(t.length - K) : c;
      return kind === 'gbrbm' ? rbmAsMachine(Wt, bt, ct, K, nv) : makeMachine(Wt, bt, ct, K, nv);
    };
    const theta = Float64Array.from([...W, ...(trainB ? b : []), ...(trainC ? c : [])]);
    const P = theta.length;
    const spec = { kind, K, nv, trainB, trainC };
    const op = boltzmannOperator(spec, W, b, c, V, N, 'hessian');
    assert.equal(op.P, P);
    const lossAt = (t: Float64Array) => meanNll(machineOf(t), V, N);
    assert.ok(Math.abs(op.loss! - lossAt(theta)) < 1e-12 * Math.abs(op.loss!));
    const g = jacobianOf((t) => Float64Array.of(lossAt(t)), theta);
    assert.ok(relErr(op.grad!, g) < 1e-7, 'gradient');
    const err = relErr(columns(P, op.matvec), hessianOf(lossAt, theta));
    assert.ok(err < 1e-5, `Hessian: relative error ${err.toExponential(2)}`);
    // Per-point gradients by differences of each point's NLL.
    const G = jacobianOf(
      (t) => Float64Array.from({ length: N }, (_, i) => meanNll(machineOf(t), V.subarray(i * nv, (i + 1) * nv), 1)),
      theta,
    );
    const ef = boltzmannOperator(spec, W, b, c, V, N, 'empirical-fisher');
    const err2 = relErr(columns(P, ef.matvec), jtwj(G, new Float64Array(N).fill(1 / N), P));
    assert.ok(err2 < 1e-6, `empirical Fisher: relative error ${err2.toExponential(2)}`);
  });
