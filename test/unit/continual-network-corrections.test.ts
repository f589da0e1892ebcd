// The corrections in the network version of the protocol: the linear model's closed form against K explicit GD
// steps, the limits that are today's numbers, and a wide network following its linearisation under each correction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import type { Correction } from '../../models/continual/corrections.ts';
import { ewcPenalty } from '../../models/continual/ewc.ts';
import { linearSteps, runNetworkChain, stageSet, teacherChainData, weightedEigen } from '../../models/continual/network.ts';
import { cloneNet, forwardNtk, initNtk } from '../../models/ngd/network.ts';
import { KERNELS } from '../../models/continual/spectrum.ts';

test('the weighted linear model: the closed form equals K explicit GD steps on (1/2N)(f − y)ᵀW(f − y)', () => {
  const rand = mulberry32(3);
  const total = 9;
  // Θ = AAᵀ: a Gram matrix of 9 rows.
  const A = Float64Array.from({ length: total * 5 }, () => gaussian(rand));
  const theta = new Float64Array(total * total);
  for (let i = 0; i < total; i++)
    for (let j = 0; j < total; j++) for (let q = 0; q < 5; q++) theta[i * total + j]! += A[i * 5 + q]! * A[j * 5 + q]!;
  const idx = [1, 4, 5, 7];
  const W = Float64Array.from([1, 1, 3, 0.5]);
  const Y = Float64Array.from([0.3, -1, 0.2, 0.8]);
  const f0 = Float64Array.from({ length: total }, () => gaussian(rand));
  const [eta, K, N] = [0.05, 37, idx.length];
  const closed = Float64Array.from(f0);
  linearSteps(
    theta,
    total,
    idx,
    weightedEigen(theta, total, idx, W),
    Float64Array.from(idx, (i, k) => f0[i]! - Y[k]!),
    eta,
    K,
    closed,
  );
  const f = Float64Array.from(f0);
  for (let step = 0; step < K; step++) {
    const wr = idx.map((i, k) => W[k]! * (f[i]! - Y[k]!));
    for (let x = 0; x < total; x++) f[x]! -= (eta / N) * idx.reduce((s, i, k) => s + theta[x * total + i]! * wr[k]!, 0);
  }
  for (let x = 0; x < total; x++)
    assert.ok(Math.abs(closed[x]! - f[x]!) < 1e-10 * (1 + Math.abs(f[x]!)), `${closed[x]} vs ${f[x]}`);
});

test('the set a stage fits: its samples, R stored samples of each earlier stage, or every earlier input at f before', () => {
  const labels = [Float64Array.from([1, 2, 3, 0, 0, 0]), Float64Array.from([0, 0, 0, 4, 5, 6])];
  const before = Float64Array.from([9, 8, 7, 6, 5, 4]);
  const args = [1, [3, 3], [0, 3, 6], labels, before] as const;
  assert.deepEqual(stageSet(...args, { kind: 'replay', keep: 2 }), {
    idx: [3, 4, 5, 0, 1],
    Y: Float64Array.from([4, 5, 6, 1, 2]),
    W: Float64Array.from([1, 1, 1, 1, 1]),
    norm: 5,
  });
  assert.deepEqual(stageSet(...args, { kind: 'anchor', weight: 2 }), {
    idx: [3, 4, 5, 0, 1, 2],
    Y: Float64Array.from([4, 5, 6, 9, 8, 7]),
    W: Float64Array.from([1, 1, 1, 2, 2, 2]),
    norm: 6,
  });
  // EWC in the linearisation: the anchor with weight λ_e·N/|A| = 2·3/3, normalised by the stage's own N = 3.
  assert.deepEqual(stageSet(...args, { kind: 'ewc', weight: 2, fisher: 'exact' }), {
    idx: [3, 4, 5, 0, 1, 2],
    Y: Float64Array.from([4, 5, 6, 9, 8, 7]),
    W: Float64Array.from([1, 1, 1, 2, 2, 2]),
    norm: 3,
  });
});

const chain = (c: Correction, width: number, steps: number) => {
  const rand = mulberry32(5);
  const data = teacherChainData(KERNELS['ntk-relu'].k, 5, 10, [30, 10], 0.8, 60, rand);
  const spec = { correction: c, noise: 0.05, width, depth: 2, meanField: false, steps, lrFactor: 0.9 };
  return runNetworkChain(data, spec, rand);
};

test('R = 0, λ_a = 0 and c = 1 are the uncorrected network and linear model exactly', () => {
  const plain = chain({ kind: 'none' }, 32, 40);
  for (const c of [
    { kind: 'replay', keep: 0 },
    { kind: 'anchor', weight: 0 },
    { kind: 'balanced', step: 1 },
  ] as Correction[])
    assert.deepEqual(chain(c, 32, 40), plain, JSON.stringify(c));
  assert.notDeepEqual(chain({ kind: 'replay', keep: 5 }, 32, 40).measured, plain.measured);
});

test('a wide network follows its linearisation under every correction (within 10 % on every task and stage)', () => {
  for (const c of [
    { kind: 'replay', keep: 10 },
    { kind: 'anchor', weight: 3 },
    { kind: 'balanced', step: 'auto' },
  ] as Correction[]) {
    const r = chain(c, 1024, 300);
    r.measured.forEach((row, t) =>
      row.forEach((v, m) => {
        const p = r.predicted![t]![m]!;
        assert.ok(Math.abs(v - p) < 0.1 * p, `${JSON.stringify(c)} task ${t + 1} stage ${m + 1}: network ${v}, linearised ${p}`);
      }),
    );
  }
});

test('the EWC gradient against Fishers built from per-sample gradients by central differences: exact, diagonal, unit-wise, K-FAC', () => {
  const rand = mulberry32(8);
  const [d, lambda] = [4, 2.5];
  const net = initNtk({ activation: 'relu', widths: [d, 5, 3, 1], sigmaW2: 2, sigmaB2: 0.1 }, rand);
  const X = Float64Array.from({ length: 10 * d }, () => gaussian(rand));
  const idx = [0, 2, 3, 5, 8, 9];
  const A = idx.length;
  const XA = Float64Array.from(idx.flatMap((i) => Array.from(X.subarray(i * d, i * d + d))));
  const L = net.omega.length;
  // Parameters in one order: per layer, each unit's weights then its bias (the augmented row ω̃_a).
  const refs: { arr: Float64Array; i: number; l: number; unit: number; bias: boolean }[] = [];
  for (let l = 0; l < L; l++) {
    const nin = net.widths[l]!;
    for (let a = 0; a < net.widths[l + 1]!; a++) {
      for (let j = 0; j < nin; j++) refs.push({ arr: net.omega[l]!, i: a * nin + j, l, unit: a, bias: false });
      refs.push({ arr: net.bias[l]!, i: a, l, unit: a, bias: true });
    }
  }
  const P = refs.length;
  const f = () => forwardNtk(net, XA, A).h[L]!;
  // grads[t][j] = ∂f_t/∂θ_j at θ*.
  const grads = Array.from({ length: A }, () => new Float64Array(P));
  refs.forEach((r, j) => {
    const v = r.arr[r.i]!;
    r.arr[r.i] = v + 1e-5;
    const fp = f();
    r.arr[r.i] = v - 1e-5;
    const fm = f();
    r.arr[r.i] = v;
    for (let t = 0; t < A; t++) grads[t]![j] = (fp[t]! - fm[t]!) / 2e-5;
  });
  const F = (i: number, j: number) => grads.reduce((s, g) => s + g[i]! * g[j]!, 0) / A;
  const delta = Float64Array.from({ length: P }, () => 0.3 * gaussian(rand));
  const now = cloneNet(net);
  refs.forEach((r, j) => {
    const arr = r.bias ? now.bias[r.l]! : now.omega[r.l]!;
    arr[r.i]! += delta[j]!;
  });
  const flatten = (g: { dOmega: Float64Array; dBias: Float64Array }[]) =>
    refs.map((r) => (r.bias ? g[r.l]!.dBias[r.i]! : g[r.l]!.dOmega[r.i]!));
  const explicit = (block: (i: number, j: number) => boolean) =>
    refs.map((_, i) => lambda * refs.reduce((s, __, j) => s + (block(i, j) ? F(i, j) * delta[j]! : 0), 0));
  // K-FAC: G = DᵀD/|A| with D[t, a] = ∂f_t/∂b_a / σ_b, Ā = H̃ᵀH̃/|A| with H̃_t = [s_l h_l(x_t), σ_b].
  const pass = forwardNtk(net, XA, A);
  const kfac = refs.map((ri) => {
    const l = ri.l;
    const nin = net.widths[l]!;
    const s = net.sigmaW / Math.sqrt(nin);
    const Ht = (t: number, j: number) => (j < nin ? s * pass.h[l]![t * nin + j]! : net.sigmaB);
    const Dt = (t: number, a: number) => grads[t]![refs.findIndex((r) => r.l === l && r.bias && r.unit === a)]! / net.sigmaB;
    const col = ri.bias ? nin : ri.i % nin;
    let sum = 0;
    refs.forEach((rj, j) => {
      if (rj.l !== l) return;
      const colj = rj.bias ? nin : rj.i % nin;
      let G = 0;
      let Abar = 0;
      for (let t = 0; t < A; t++) {
        G += Dt(t, ri.unit) * Dt(t, rj.unit);
        Abar += Ht(t, col) * Ht(t, colj);
      }
      sum += (G / A) * (Abar / A) * delta[j]!;
    });
    return lambda * sum;
  });
  const cases = [
    ['exact', explicit(() => true)],
    ['diagonal', explicit((i, j) => i === j)],
    ['unit-wise', explicit((i, j) => refs[i]!.l === refs[j]!.l && refs[i]!.unit === refs[j]!.unit)],
    ['kfac', kfac],
  ] as const;
  for (const [fisher, want] of cases) {
    const got = flatten(ewcPenalty(net, X, d, idx, { kind: 'ewc', weight: lambda, fisher })(now));
    const scale = Math.max(...want.map(Math.abs));
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-5 * scale, `${fisher}, parameter ${i}: ${g} vs ${want[i]}`));
  }
});

test('EWC: λ_e = 0 is no correction; a wide network under EWC follows its linearisation, the anchor of weight λ_e·N/|A|', () => {
  const plain = chain({ kind: 'none' }, 32, 40);
  assert.deepEqual(chain({ kind: 'ewc', weight: 0, fisher: 'exact' }, 32, 40), plain);
  const r = chain({ kind: 'ewc', weight: 3, fisher: 'exact' }, 1024, 300);
  // The network's Fisher is taken at its parameters after stage 1, the linearisation's at θ₀: 15 % here, not 10.
  r.measured.forEach((row, t) =>
    row.forEach((v, m) => {
      const p = r.predicted![t]![m]!;
      assert.ok(Math.abs(v - p) < 0.15 * p, `EWC task ${t + 1} stage ${m + 1}: network ${v}, linearised ${p}`);
    }),
  );
  // In the linearisation EWC with the exact Fisher is the function-space anchor: λ_a = λ_e·N₂/N₁ = 3·10/30.
  assert.deepEqual(r.predicted, chain({ kind: 'anchor', weight: 1 }, 1024, 300).predicted);
  // It protects task 1: its error after stage 2 is below the uncorrected network's.
  assert.ok(r.measured[0]![1]! < 0.8 * chain({ kind: 'none' }, 1024, 300).measured[0]![1]!);
});

test('EWC with an approximate Fisher: the network only, with the reason; each still protects task 1', () => {
  const none = chain({ kind: 'none' }, 256, 200);
  for (const fisher of ['diagonal', 'kfac', 'unit-wise'] as const) {
    const r = chain({ kind: 'ewc', weight: 30, fisher }, 256, 200);
    assert.equal(r.predicted, null);
    assert.match(r.predictedNote!, new RegExp(`EWC with the ${fisher} Fisher weighs parameters`));
    assert.ok(r.measured[0]![1]! < none.measured[0]![1]!, `${fisher}: ${r.measured[0]![1]} vs ${none.measured[0]![1]}`);
  }
});
