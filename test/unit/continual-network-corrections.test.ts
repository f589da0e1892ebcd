// The corrections in the network version of the protocol: the linear model's closed form against K explicit GD
// steps, the limits that are today's numbers, and a wide network following its linearisation under each correction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import type { Correction } from '../../models/continual/corrections.ts';
import { linearSteps, runNetworkChain, stageSet, teacherChainData } from '../../models/continual/network.ts';
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
    W,
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
  });
  assert.deepEqual(stageSet(...args, { kind: 'anchor', weight: 2 }), {
    idx: [3, 4, 5, 0, 1, 2],
    Y: Float64Array.from([4, 5, 6, 9, 8, 7]),
    W: Float64Array.from([1, 1, 1, 2, 2, 2]),
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
        const p = r.predicted[t]![m]!;
        assert.ok(Math.abs(v - p) < 0.1 * p, `${JSON.stringify(c)} task ${t + 1} stage ${m + 1}: network ${v}, linearised ${p}`);
      }),
    );
  }
});
