// The comparison grid of corrections against the corrected fit run setting by setting on the same draw:
// the grid's shared factors, leading blocks, reordered systems and noise scaling must change nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { compareGrid, type CompareSetting } from '../../models/continual/compare.ts';
import { correctedFit, type Correction } from '../../models/continual/corrections.ts';
import { drawTeacher, evalTeacher, sequentialFit, spherePoints } from '../../models/continual/monte-carlo.ts';
import { KERNELS } from '../../models/continual/spectrum.ts';
import { kairo, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();

const k = KERNELS['ntk-relu'].k;
const mse = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / a.length;

test('each setting of the grid equals the corrected fit on the same draw, at every N₂ and noise level', () => {
  const [d, N1, T, rho, terms] = [5, 30, 40, 0.6, 8];
  const N2s = [3, 12, 20];
  const noises = [0.2, 0];
  for (const ridge of [0, 0.02]) {
    const settings: CompareSetting[] = [
      { kind: 'none' },
      { kind: 'replay', keep: 7 },
      { kind: 'replay', keep: 30 },
      { kind: 'anchor', weight: 0.5 },
      { kind: 'anchor', weight: 50 },
      { kind: 'balanced', step: 0.3 },
      { kind: 'balanced-auto' },
    ];
    const grid = compareGrid(N1, N2s, rho, noises, ridge, settings, {
      kernel: k,
      d,
      terms,
      draws: 1,
      testPoints: T,
      rand: mulberry32(7),
    });
    // The same draw, in the grid's order of random numbers.
    const rand = mulberry32(7);
    const g1 = drawTeacher(terms, d, rand);
    const g2 = drawTeacher(terms, d, rand);
    const Xt = spherePoints(T, d, rand);
    const X1 = spherePoints(N1, d, rand);
    const e1 = Array.from({ length: N1 }, () => gaussian(rand));
    const X2 = spherePoints(20, d, rand);
    const e2 = Array.from({ length: 20 }, () => gaussian(rand));
    const r2 = Math.sqrt(1 - rho * rho);
    const task2 = (X: Float64Array, n: number) => {
      const a = evalTeacher(k, g1, X, n, d);
      const b = evalTeacher(k, g2, X, n, d);
      return a.map((v, i) => rho * v + r2 * b[i]!);
    };
    const g1t = evalTeacher(k, g1, Xt, T, d);
    const t2 = task2(Xt, T);
    noises.forEach((s, nu) =>
      N2s.forEach((N2, i) => {
        const stages = [
          { X: X1, N: N1, y: evalTeacher(k, g1, X1, N1, d).map((v, j) => v + s * e1[j]!) },
          { X: X2.subarray(0, N2 * d), N: N2, y: task2(X2, N2).map((v, j) => v + s * e2[j]!) },
        ];
        const [alone] = sequentialFit(k, d, [stages[1]!], ridge, Xt, T);
        settings.forEach((c, si) => {
          const corr: Correction = c.kind === 'balanced-auto' ? { kind: 'balanced', step: 'auto' } : c;
          const [f1, f2] = correctedFit(k, d, stages, ridge, corr, Xt, T);
          const got = grid.mean[nu]![i]![si]!;
          const want = { e11: mse(f1!, g1t), e12: mse(f2!, g1t), e22: mse(f2!, t2), e2alone: mse(alone!, t2) };
          for (const key of ['e11', 'e12', 'e22', 'e2alone'] as const)
            assert.ok(
              Math.abs(got[key] - want[key]) <= 1e-8 * want[key],
              `λ = ${ridge}, σ = ${s}, N₂ = ${N2}, ${JSON.stringify(c)}, ${key}: ${got[key]} vs ${want[key]}`,
            );
        });
      }),
    );
  }
});

test('kairo continual compare: the best of each grid, replay-all equal to the ridgeless anchor, theory beside Monte Carlo, refusals', () => {
  const args = ['continual', 'compare', '--n1', '100', '--ratios', '0.05,0.5', '--replays', '10,100', '--anchor-weights', '1,10'];
  const r = kairo(...args, '--steps', '0.1,0.5', '--draws', '20', '--test-points', '400', '--noise', '0.05');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out) as {
    points: {
      noise: number;
      ratio: number;
      best: string;
      rows: {
        correction: string;
        setting: number | null;
        E11: number;
        E12: number;
        E22: number;
        forgetting: number;
        theory: { E12: number } | null;
      }[];
    }[];
    verdict: string[];
  };
  assert.deepEqual(
    o.points.map((q) => [q.noise, q.ratio]),
    [
      [0.05, 0.05],
      [0.05, 0.5],
      [0, 0.05],
      [0, 0.5],
    ],
  );
  for (const q of o.points) {
    const row = (c: string) => q.rows.find((x) => x.correction === c)!;
    // Ridgeless, replaying all 100 samples and pinning every stage-1 input are one joint interpolation.
    if (row('replay').setting === 100) assert.ok(Math.abs(row('replay').E12 - row('anchor').E12) <= 1e-8 * row('anchor').E12);
    // The best row is the lowest (E₁₂ + E₂₂)/2.
    const cost = (x: { E12: number; E22: number }) => (x.E12 + x.E22) / 2;
    assert.equal(q.best, q.rows.reduce((a, b) => (cost(b) < cost(a) ? b : a)).correction);
    // No correction and the step rule have theory; it agrees with Monte Carlo to 15 % at these sizes (20 draws).
    for (const c of ['none', 'balanced-auto']) {
      const x = row(c);
      assert.ok(x.theory, c);
      assert.ok(
        Math.abs(x.E12 - x.theory.E12) < 0.15 * x.theory.E12,
        `${c} at σ = ${q.noise}, r = ${q.ratio}: ${x.E12} vs ${x.theory.E12}`,
      );
    }
  }
  // The verdict says what the table shows: no correction forgets at N₂/N₁ = 0.05 with noise.
  const noisy = o.points[0]!.rows[0]!;
  assert.ok(noisy.forgetting > 1.2, `${noisy.forgetting}`);
  assert.match(o.verdict[0]!, /^σ = 0\.05: E₂ ≤ E₁ — no correction: not at N₂\/N₁ = 0\.05/);
  for (const [bad, re] of [
    [['--ratios', '0.0009'], /N₂ = round\(0\.0009·500\) = 0 is not between 1 and 1,000/],
    [['--n1', '2000'], /--n1: Number must be less than or equal to 1000/],
    [['--steps', '0'], /--steps: value 1: Number must be greater than 0/],
  ] as const) {
    const e = kairo('continual', 'compare', ...bad);
    assert.equal(e.code, 2, `${bad.join(' ')}: ${e.out}`);
    assert.match(e.err, re);
  }
});
