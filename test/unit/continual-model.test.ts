// Continual-learning numerics against independent computations: the sequential fit against a direct
// solve by another algorithm, the Mercer eigenvalues against brute-force integration and the Funk–Hecke
// identity by Monte Carlo, the theory against Monte Carlo, its limits, and the network's NTK with an
// output scale against finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { luFactor, luSolve } from '../../models/linalg/small.ts';
import { chainMonteCarlo, kernelMatrix, sequentialFit, spherePoints, twoTaskGrid } from '../../models/continual/monte-carlo.ts';
import { gegenbauer, KERNELS, mercerSpectrum, multiplicity } from '../../models/continual/spectrum.ts';
import { chainTheory, singleTaskError } from '../../models/continual/theory.ts';
import { forwardNtk, fullTheta, initNtk, linearise } from '../../models/ngd/network.ts';

const k = KERNELS['ntk-relu'].k;

test('the sequential fit equals the direct two-stage formula solved by LU', () => {
  const rand = mulberry32(3);
  const d = 4;
  const [N1, N2, T] = [7, 5, 6];
  const X1 = spherePoints(N1, d, rand);
  const X2 = spherePoints(N2, d, rand);
  const Xt = spherePoints(T, d, rand);
  const y1 = Float64Array.from({ length: N1 }, () => gaussian(rand));
  const y2 = Float64Array.from({ length: N2 }, () => gaussian(rand));
  const ridge = 0.05;
  const fits = sequentialFit(
    k,
    d,
    [
      { X: X1, N: N1, y: y1 },
      { X: X2, N: N2, y: y2 },
    ],
    ridge,
    Xt,
    T,
  );
  const solve = (A: Float64Array, n: number, b: Float64Array) => {
    const M = Float64Array.from(A);
    for (let i = 0; i < n; i++) M[i * n + i]! += ridge;
    return luSolve(luFactor(M, n)!, b);
  };
  const mv = (A: Float64Array, rows: number, cols: number, v: Float64Array) =>
    Float64Array.from({ length: rows }, (_, i) => v.reduce((s, x, j) => s + A[i * cols + j]! * x, 0));
  const a1 = solve(kernelMatrix(k, X1, N1, X1, N1, d), N1, y1);
  const f1t = mv(kernelMatrix(k, Xt, T, X1, N1, d), T, N1, a1);
  const f12 = mv(kernelMatrix(k, X2, N2, X1, N1, d), N2, N1, a1);
  const a2 = solve(
    kernelMatrix(k, X2, N2, X2, N2, d),
    N2,
    y2.map((v, i) => v - f12[i]!),
  );
  const f2t = mv(kernelMatrix(k, Xt, T, X2, N2, d), T, N2, a2).map((v, i) => v + f1t[i]!);
  for (let i = 0; i < T; i++) {
    assert.ok(Math.abs(fits[0]![i]! - f1t[i]!) < 1e-10);
    assert.ok(Math.abs(fits[1]![i]! - f2t[i]!) < 1e-10);
  }
  // Ridgeless, a stage interpolates its own samples.
  const [g] = sequentialFit(k, d, [{ X: X1, N: N1, y: y1 }], 0, X1, N1);
  for (let i = 0; i < N1; i++) assert.ok(Math.abs(g![i]! - y1[i]!) < 1e-8);
});

test('Mercer eigenvalues: Gauss–Gegenbauer against a brute-force integral, the expansion reproduces k, Funk–Hecke by Monte Carlo', () => {
  for (const d of [3, 5, 12]) {
    const sp = mercerSpectrum(k, d, 12);
    // Midpoint rule with 200,000 cells on the density ∝ (1 − t²)^((d−3)/2).
    const a = (d - 3) / 2;
    const cells = 200_000;
    const eta = new Float64Array(13);
    let norm = 0;
    for (let i = 0; i < cells; i++) {
      const t = -1 + (2 * (i + 0.5)) / cells;
      const w = (1 - t * t) ** a;
      norm += w;
      const P = gegenbauer(d, 12, t);
      for (let l = 0; l <= 12; l++) eta[l]! += w * k(t) * P[l]!;
    }
    for (let l = 0; l <= 12; l++)
      assert.ok(Math.abs(eta[l]! / norm - sp.eta[l]!) < 2e-6, `d=${d} l=${l}: ${eta[l]! / norm} vs ${sp.eta[l]}`);
    // k(t) = Σ N(d,l) η_l P_l(t) with enough degrees (the RBF kernel's spectrum decays fast).
    const rbf = mercerSpectrum(KERNELS.rbf.k, d, 30);
    for (const t of [-0.7, 0, 0.4, 0.95]) {
      const P = gegenbauer(d, 30, t);
      let s = 0;
      for (let l = 0; l <= 30; l++) s += rbf.mult[l]! * rbf.eta[l]! * P[l]!;
      assert.ok(Math.abs(s - KERNELS.rbf.k(t)) < 1e-9, `d=${d} t=${t}: ${s}`);
    }
  }
  // Funk–Hecke: E_z[k(x·z) P_l(z·e)] = η_l P_l(x·e), z uniform on the sphere.
  const d = 5;
  const sp = mercerSpectrum(k, d, 4);
  const rand = mulberry32(7);
  const [x, e] = [spherePoints(1, d, rand), spherePoints(1, d, rand)];
  const Z = spherePoints(200_000, d, rand);
  const dot = (u: Float64Array, i: number, v: Float64Array) => u.subarray(i * d, i * d + d).reduce((s, a, j) => s + a * v[j]!, 0);
  for (const l of [1, 2, 4]) {
    let s = 0;
    for (let i = 0; i < 200_000; i++) s += k(dot(Z, i, x)) * gegenbauer(d, l, dot(Z, i, e))[l]!;
    const want = sp.eta[l]! * gegenbauer(d, l, dot(x, 0, e))[l]!;
    assert.ok(Math.abs(s / 200_000 - want) < 3e-3 * sp.eta[0]!, `l=${l}: ${s / 200_000} vs ${want}`);
  }
  assert.equal(multiplicity(3, 4), 9);
  assert.equal(multiplicity(5, 2), 14);
});

test('theory against Monte Carlo: one task at large N, and the two-task errors of the self-knowledge setting', () => {
  const d = 6;
  const sp = mercerSpectrum(k, d, 40);
  const mc = chainMonteCarlo(
    { sizes: [600], rho: 1, noise: 0.1, ridge: 0 },
    { kernel: k, d, terms: 40, draws: 12, testPoints: 800, rand: mulberry32(2) },
  );
  const th = singleTaskError(sp, 600, 0.1, 0);
  const se = mc.sd[0]![0]! / Math.sqrt(mc.draws);
  assert.ok(
    Math.abs(mc.mean[0]![0]! - th) < Math.max(3 * se, 0.05 * th),
    `single task: MC ${mc.mean[0]![0]} ± ${se}, theory ${th}`,
  );
  // Two stages on the same target (d = 10): few samples in stage 2 raise task 1's error, many lower it.
  const sp10 = mercerSpectrum(k, 10, 40);
  const grid = twoTaskGrid(200, [20, 400], [1], 0.1, 0, {
    kernel: k,
    d: 10,
    terms: 40,
    draws: 40,
    testPoints: 800,
    rand: mulberry32(5),
  });
  for (const [i, n2] of [20, 400].entries()) {
    const t = chainTheory(sp10, { sizes: [200, n2], rho: 1, noise: 0.1, ridge: 0 }).errors[0]![1]!;
    const m = grid.mean[i]![0]!.e12;
    const se = grid.sd[i]![0]!.e12 / Math.sqrt(grid.draws);
    assert.ok(Math.abs(m - t) < Math.max(3 * se, 0.05 * t), `N₂ = ${n2}: MC ${m} ± ${se}, theory ${t}`);
  }
  const e11 = grid.mean[0]![0]!.e11;
  assert.ok(grid.mean[0]![0]!.e12 > 1.3 * e11, 'self-knowledge forgetting at N₂/N₁ = 0.1');
  assert.ok(grid.mean[1]![0]!.e12 < 0.9 * e11, 'self-knowledge transfer at N₂/N₁ = 2');
});

test('limits: ρ = 1 with N₂ = 0 changes nothing; without noise the error falls to 0 as N grows', () => {
  const sp = mercerSpectrum(k, 8, 40);
  const th = chainTheory(sp, { sizes: [150, 0], rho: 1, noise: 0.2, ridge: 0 }).errors;
  assert.ok(Math.abs(th[0]![1]! - th[0]![0]!) < 1e-15 * th[0]![0]!);
  const mc = chainMonteCarlo(
    { sizes: [50, 0], rho: 1, noise: 0.2, ridge: 0 },
    { kernel: k, d: 8, terms: 10, draws: 3, testPoints: 100, rand: mulberry32(1) },
  );
  assert.deepEqual(mc.mean[0]![1], mc.mean[0]![0]);
  const e = [10, 100, 1000, 100_000, 10_000_000].map((N) => singleTaskError(sp, N, 0, 0));
  for (let i = 1; i < e.length; i++) assert.ok(e[i]! < e[i - 1]!, `${e}`);
  assert.ok(e.at(-1)! < 1e-4 * e[0]!, `${e}`);
});

test('the network with an output scale γ: Θ scales by γ², and an entry matches finite differences', () => {
  const rand = mulberry32(4);
  const d = 4;
  const net = initNtk({ activation: 'relu', widths: [d, 16, 1], sigmaW2: 2, sigmaB2: 0 }, rand);
  const X = spherePoints(3, d, rand);
  const th1 = fullTheta(linearise(net, X, 3));
  net.outScale = 0.25;
  const th = fullTheta(linearise(net, X, 3));
  for (let i = 0; i < 9; i++) assert.ok(Math.abs(th[i]! - 0.0625 * th1[i]!) < 1e-12 * Math.abs(th1[i]!) + 1e-15);
  // Θ[0,1] = Σ_p ∂f(x₀)/∂θ_p ∂f(x₁)/∂θ_p by central differences over every parameter.
  let s = 0;
  const h = 1e-6;
  for (const arr of [...net.omega, ...net.bias])
    for (let p = 0; p < arr.length; p++) {
      const v = arr[p]!;
      arr[p] = v + h;
      const fp = forwardNtk(net, X, 3).h[2]!;
      arr[p] = v - h;
      const fm = forwardNtk(net, X, 3).h[2]!;
      arr[p] = v;
      s += ((fp[0]! - fm[0]!) / (2 * h)) * ((fp[1]! - fm[1]!) / (2 * h));
    }
  assert.ok(Math.abs(s - th[1]!) < 1e-6 * Math.abs(th[1]!) + 1e-12, `${s} vs ${th[1]}`);
});

test('a typed kernel compiles to the same function, with the usual precedence, and bad input names its token', async () => {
  const { compileKernel } = await import('../../models/continual/expression.ts');
  const k = compileKernel('(sqrt(1 - t^2) + 2*t*(pi - acos(t)))/(2*pi)');
  for (const t of [-1, -0.3, 0, 0.7, 1]) assert.equal(k(t), KERNELS['ntk-relu'].k(t));
  assert.equal(compileKernel('2^3^2')(0), 512);
  assert.equal(compileKernel('-t^2')(3), -9);
  assert.equal(compileKernel('1 - 2*t/4 + .5e1')(2), 5);
  assert.equal(compileKernel('exp(t - 1)')(0.2), Math.exp(-0.8));
  for (const [bad, re] of [
    ['t +', /an expression is missing at token 3/],
    ['foo(t)', /unknown name "foo"/],
    ['(t', /expected "\)"/],
    ['t t', /unexpected at token 2/],
    ['process', /unknown name "process"/],
  ] as const)
    assert.throws(() => compileKernel(bad), re);
});
