// Natural-gradient numerics against explicit constructions: J by central finite differences, the
// approximate Fishers built as P × P matrices (block-diagonal, block-tri-diagonal, Kronecker factors
// read off J itself, unit blocks), solved by eigendecomposition; the function-space identities of
// Karakida & Osawa (2020); the unit Fisher's closed form against Monte Carlo and its explicit inverse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../models/common/rng.ts';
import { preconditioner, NGD_METHODS, tridiagonalCoefficients, type NgdMethod } from '../../models/ngd/methods.ts';
import { initNtk, linearise, parameterCount, type NtkNet } from '../../models/ngd/network.ts';
import { applyForster, forster, gaussianTask } from '../../models/ngd/data.ts';
import { runMethod } from '../../models/ngd/train.ts';
import { alphaOf } from '../../models/ngd/theory.ts';
import {
  randomDirection,
  unitFisherEigenvalues,
  unitFisherInverse,
  unitFisherMatrix,
  unitFisherMonteCarlo,
  unitMoments,
  eigenvaluesOf,
} from '../../models/ngd/unit-fisher.ts';
import { jacobianFd, eigSolve, explicitApprox, setup, methodStep, relErr } from './ngd-reference.ts';

test('every method’s step equals (G̃ + ρ)⁻¹ Jᵀr with G̃ built explicitly from a finite-difference Jacobian', () => {
  for (const [widths, T] of [
    [[4, 6, 5, 1], 3],
    [[3, 5, 4, 6, 2], 2],
  ] as const) {
    const { net, X, Y } = setup('tanh', [...widths], T);
    const P = parameterCount([...widths]);
    assert.ok(P <= 2000);
    const J = jacobianFd(net, X, T);
    const n = T * widths.at(-1)!;
    for (const method of NGD_METHODS) {
      for (const rho of [1e-2, 0.3]) {
        const { step, r } = methodStep(method, net, X, Y, T, rho);
        const Jr = new Float64Array(P);
        for (let a = 0; a < n; a++) for (let q = 0; q < P; q++) Jr[q]! += J[a * P + q]! * r[a]!;
        const want = method === 'gd' ? Jr.map((v) => v / T) : eigSolve(explicitApprox(method, net, X, T, J), P, Jr, rho);
        const e = relErr(step, want);
        assert.ok(e < 1e-6, `${method} ρ=${rho} widths ${widths}: relative error ${e}`);
      }
    }
  }
});

test('without damping, K-FAC and unit-wise steps are the pseudo-inverse solutions', () => {
  const { net, X, Y } = setup('tanh', [5, 7, 6, 1], 4);
  const T = 4;
  const P = parameterCount(net.widths);
  const J = jacobianFd(net, X, T);
  for (const method of ['kfac', 'unit-wise', 'exact', 'block-diagonal', 'block-tridiagonal'] as const) {
    const { step, r } = methodStep(method, net, X, Y, T, 0);
    const Jr = new Float64Array(P);
    for (let a = 0; a < T; a++) for (let q = 0; q < P; q++) Jr[q]! += J[a * P + q]! * r[a]!;
    const want = eigSolve(explicitApprox(method, net, X, T, J), P, Jr, 0);
    const e = relErr(step, want);
    assert.ok(e < 1e-5, `${method}: relative error ${e}`);
  }
});

test('damping limit: ρ·Δθ → Jᵀr for every natural-gradient method as ρ grows', () => {
  const { net, X, Y } = setup('relu', [4, 8, 8, 1], 3);
  const T = 3;
  const lin = linearise(net, X, T);
  const gradStep = methodStep('gd', net, X, Y, T, 0).step.map((v) => v * T); // Jᵀr
  for (const method of NGD_METHODS.filter((m) => m !== 'gd')) {
    const rho = 1e9;
    const s = methodStep(method, net, X, Y, T, rho).step.map((v) => v * rho);
    const e = relErr(s, gradStep);
    assert.ok(e < 1e-5, `${method}: ρΔθ vs Jᵀr relative error ${e}`);
  }
  assert.ok(lin.n === 3);
});

/** K = J G̃⁺ Jᵀ from the preconditioner's dual formula. */
function kernelOf(method: NgdMethod, net: NtkNet, X: Float64Array, T: number) {
  const lin = linearise(net, X, T);
  return { K: preconditioner(method, net, lin, 0).kernel()!, n: lin.n, lin };
}

function assertIdentity(K: Float64Array, n: number, diag: (i: number) => number, tol: number, what: string) {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const want = i === j ? diag(i) : 0;
      assert.ok(
        Math.abs(K[i * n + j]! - want) <= tol * Math.max(1, diag(i)),
        `${what}: K[${i},${j}] = ${K[i * n + j]} ≠ ${want}`,
      );
    }
}

test('function-space identities (ρ = 0): exact I, block-diagonal L·I, block-tri-diagonal (1ᵀT⁻¹1)·I, K-FAC (N(L−1) + 1)·I', () => {
  for (const L of [3, 4]) {
    const widths = [12, ...Array<number>(L - 1).fill(24), 1];
    const T = 8;
    const { net, X } = setup('tanh', widths, T);
    const c = tridiagonalCoefficients(L)!;
    assert.deepEqual(
      c.map((x) => Math.round(x)),
      L === 3 ? [0, 1, 0] : [1, 0, 0, 1],
    );
    for (const [method, alpha] of [
      ['exact', 1],
      ['block-diagonal', L],
      ['block-tridiagonal', L === 3 ? 1 : 2],
      ['kfac', T * (L - 1) + 1],
    ] as const) {
      const { K, n } = kernelOf(method, net, X, T);
      assertIdentity(K, n, () => alpha, 1e-7, `${method} L=${L}`);
      const th = alphaOf({ method, activation: 'tanh', widths, samples: T, bias: true, forster: false });
      assert.equal(th.alpha, alpha, `${method}: theory α`);
    }
  }
});

test('unit-wise (ReLU, ρ = 0): K = diag(1 + number of hidden units active on each sample), exactly', () => {
  const widths = [10, 16, 16, 1];
  const T = 6;
  const { net, X } = setup('relu', widths, T);
  const { K, n, lin } = kernelOf('unit-wise', net, X, T);
  const active = (t: number) => {
    let a = 0;
    for (let l = 0; l < 2; l++) for (let i = 0; i < 16; i++) if (lin.pass.u[l]![t * 16 + i]! > 0) a++;
    return a;
  };
  assertIdentity(K, n, (t) => 1 + active(t), 1e-8, 'unit-wise');
  // On average half of the hidden units are active: α = 1 + ½·32.
  assert.equal(alphaOf({ method: 'unit-wise', activation: 'relu', widths, samples: T, bias: true, forster: false }).alpha, 17);
});

test('the dual kernel K equals J G̃⁺ Jᵀ built explicitly', () => {
  const { net, X } = setup('tanh', [4, 6, 5, 1], 3);
  const T = 3;
  const P = parameterCount(net.widths);
  const J = jacobianFd(net, X, T);
  for (const method of NGD_METHODS.filter((m) => m !== 'gd')) {
    for (const rho of [0.05]) {
      const lin = linearise(net, X, T);
      const K = preconditioner(method, net, lin, rho).kernel()!;
      const G = explicitApprox(method, net, X, T, J);
      for (let j = 0; j < T; j++) {
        const col = eigSolve(
          G,
          P,
          Float64Array.from({ length: P }, (_, q) => J[j * P + q]!),
          rho,
        );
        for (let i = 0; i < T; i++) {
          let s = 0;
          for (let q = 0; q < P; q++) s += J[i * P + q]! * col[q]!;
          assert.ok(
            Math.abs(K[i * T + j]! - s) < 1e-6 * Math.max(1, Math.abs(s)),
            `${method} K[${i},${j}] ${K[i * T + j]} vs ${s}`,
          );
        }
      }
    }
  }
});

test('Forster transform: unit rows, XᵀX = (N/M₀)I, and K-FAC becomes isotropic with N > M₀', () => {
  const rand = mulberry32(9);
  const T = 12;
  const d = 5;
  const { X } = gaussianTask(T, d, 1, rand);
  const f = forster(X, T, d);
  assert.ok(f.residual < 1e-10, `residual ${f.residual} after ${f.iterations}`);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += f.X[t * d + j]! ** 2;
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
  // The map reproduces the transformed inputs from the originals.
  assert.ok(relErr(applyForster(X, T, d, f.map), f.X) < 1e-9);
  const widths = [d, 40, 40, 1];
  const net = initNtk({ activation: 'tanh', widths, sigmaW2: 2, sigmaB2: 0 }, rand);
  const lin = linearise(net, f.X, T);
  const K = preconditioner('kfac', net, lin, 0).kernel()!;
  const want = alphaOf({ method: 'kfac', activation: 'tanh', widths, samples: T, bias: false, forster: true }).alpha!;
  assert.equal(want, T + d + 1);
  assertIdentity(K, T, () => want, 1e-7, 'K-FAC with Forster');
  // Without the transform the first layer's contribution is not isotropic.
  const K0 = preconditioner('kfac', net, linearise(net, X, T), 0).kernel()!;
  const diag = Array.from({ length: T }, (_, i) => K0[i * T + i]!);
  assert.ok(Math.max(...diag) - Math.min(...diag) > 0.1, `diag spread ${Math.max(...diag) - Math.min(...diag)}`);
});

test('in a wide network every method follows its predicted curve; the gap shrinks with width', () => {
  const gaps = new Map<number, number>();
  for (const width of [64, 1024]) {
    const rand = mulberry32(5);
    const widths = [20, width, width, 1];
    const net = initNtk({ activation: 'relu', widths, sigmaW2: 2, sigmaB2: 0 }, rand);
    const T = 10;
    const tr = gaussianTask(T, 20, 1, rand);
    const te = gaussianTask(8, 20, 1, rand);
    const task = { X: tr.X, Y: tr.Y, T, Xt: te.X, Yt: te.Y, Tt: 8, forster: false };
    let worst = 0;
    for (const method of ['exact', 'block-diagonal', 'block-tridiagonal', 'kfac'] as const) {
      const run = runMethod(net, task, {
        method,
        eta: 0.5 / alphaOf({ method, activation: 'relu', widths, samples: T, bias: false, forster: false }).alpha!,
        rho: 0,
        steps: 4,
      });
      let gap = 0;
      for (let t = 0; t <= 4; t++) gap = Math.max(gap, Math.abs(run.losses[t]! - run.theory.losses[t]!) / run.losses[0]!);
      for (let t = 0; t <= 4; t++)
        gap = Math.max(gap, Math.abs(run.testLosses[t]! - run.theory.testLosses[t]!) / run.testLosses[0]!);
      worst = Math.max(worst, gap);
    }
    gaps.set(width, worst);
  }
  assert.ok(gaps.get(1024)! < 0.04, `gap at width 1024: ${gaps.get(1024)}`);
  assert.ok(gaps.get(1024)! < gaps.get(64)! / 2, `gaps ${[...gaps]}`);
});

test('unit Fisher: closed form against Monte Carlo, against quadrature, and its explicit inverse', () => {
  const rand = mulberry32(11);
  for (const act of ['relu', 'tanh', 'erf'] as const) {
    for (const beta of [-0.7, 0, 1.3]) {
      const n = 6;
      const e = randomDirection(n, rand);
      const m = unitMoments(act, beta, 1);
      const G = unitFisherMatrix(m, e);
      const N = n + 1;
      // Explicit inverse: G·G⁻¹ = I.
      const inv = unitFisherInverse(m, e);
      for (let i = 0; i < N; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < N; k++) s += G[i * N + k]! * inv[k * N + j]!;
          assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-10, `${act} β=${beta}: (G G⁻¹)[${i},${j}] = ${s}`);
        }
      // Eigenvalues of the assembled matrix match the closed-form list.
      const ev = eigenvaluesOf(G, N);
      const cf = unitFisherEigenvalues(m, n);
      assert.ok(relErr(ev, cf) < 1e-12);
      // Monte Carlo with 200k inputs: entries within 5 standard errors.
      const S = 200_000;
      const mc = unitFisherMonteCarlo(act, e, beta, 1, S, rand);
      const err = relErr(mc, G);
      assert.ok(err < 0.02, `${act} β=${beta}: MC vs closed form ${err}`);
    }
  }
  // erf's closed form against quadrature of the same integrals.
  const m = unitMoments('erf', 0.4, 0.8);
  const q = (() => {
    const N = 20000;
    let a11 = 0;
    let az1 = 0;
    let azz = 0;
    for (let i = 0; i < N; i++) {
      const z = -10 + (20 * (i + 0.5)) / N;
      const w = (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * (20 / N);
      const d2 = (4 / Math.PI) * Math.exp(-2 * (0.8 * (z + 0.4)) ** 2);
      a11 += d2 * w;
      az1 += d2 * z * w;
      azz += d2 * z * z * w;
    }
    return { a11, az1, azz };
  })();
  for (const k of ['a11', 'az1', 'azz'] as const) assert.ok(Math.abs(m[k] - q[k]) < 1e-9, `${k}: ${m[k]} vs ${q[k]}`);
});
