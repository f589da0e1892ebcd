import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import {
  fisherDual,
  fisherTopK,
  gradientDescent,
  orthogonal,
  outputs,
  randomNetwork,
  unitBlockNorms,
  type NetworkSpec,
} from '../../models/fisher/fisher.ts';
import { fisherTheory, momentsClosed, momentsQuadrature, parameterCount } from '../../models/fisher/theory.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { ntkGram, type Mlp } from '../../models/ntk/gram.ts';

const spec = (p: Partial<NetworkSpec> = {}): NetworkSpec => ({
  activation: 'relu',
  widths: [4, 6, 5, 3],
  sigmaW2: 2,
  sigmaB2: 0.1,
  weights: 'gaussian',
  norm: 'none',
  ...p,
});
const inputs = (T: number, d: number, seed: number) => {
  const r = mulberry32(seed);
  return Float64Array.from({ length: T * d }, () => gaussian(r));
};

/** Every parameter array of the network, in a fixed order. */
const params = (net: Mlp) => [...net.weights, ...net.biases];

/** J by central differences of the outputs the loss sees (after bn-last centring), TC × P. */
function jacobian(net: Mlp, X: Float64Array, T: number, norm: NetworkSpec['norm']): { J: Float64Array; P: number } {
  const n = T * net.widths.at(-1)!;
  const cols: Float64Array[] = [];
  for (const p of params(net))
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      p[i] = keep + 1e-6;
      const up = outputs(net, X, T, norm);
      p[i] = keep - 1e-6;
      const dn = outputs(net, X, T, norm);
      p[i] = keep;
      cols.push(Float64Array.from(up, (v, r) => (v - dn[r]!) / 2e-6));
    }
  const P = cols.length;
  const J = new Float64Array(n * P);
  cols.forEach((c, q) => c.forEach((v, r) => (J[r * P + q] = v)));
  return { J, P };
}

/** F = (1/T) Σ_t J_tᵀ Q_t J_t formed explicitly (Q = I for MSE), P × P. */
function explicitFisher(net: Mlp, X: Float64Array, T: number, norm: NetworkSpec['norm'], loss: 'mse' | 'ce'): Float64Array {
  const C = net.widths.at(-1)!;
  const { J, P } = jacobian(net, X, T, norm);
  const f = outputs(net, X, T, norm);
  const F = new Float64Array(P * P);
  for (let t = 0; t < T; t++) {
    const z = f.subarray(t * C, (t + 1) * C);
    const mx = Math.max(...z);
    const e = Array.from(z, (v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / s);
    for (let k1 = 0; k1 < C; k1++)
      for (let k2 = 0; k2 < C; k2++) {
        const q = loss === 'mse' ? (k1 === k2 ? 1 : 0) : (k1 === k2 ? p[k1]! : 0) - p[k1]! * p[k2]!;
        if (q === 0) continue;
        const r1 = (t * C + k1) * P;
        const r2 = (t * C + k2) * P;
        for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) F[a * P + b]! += (q * J[r1 + a]! * J[r2 + b]!) / T;
      }
  }
  return F;
}

test('the dual spectrum equals the nonzero eigenvalues of F = JᵀQJ/T formed explicitly, for every normalisation and loss', () => {
  for (const [norm, loss, act] of [
    ['none', 'mse', 'relu'],
    ['bn-last', 'mse', 'tanh'],
    ['ln', 'mse', 'erf'],
    ['bn-hidden', 'mse', 'relu'],
    ['none', 'ce', 'tanh'],
    ['bn-last', 'ce', 'relu'],
  ] as const) {
    const net = randomNetwork(spec({ norm, activation: act }), mulberry32(3));
    const T = 4;
    const X = inputs(T, 4, 4);
    const n = T * 3;
    const dual = eigh(fisherDual(net, X, T, norm, loss), n).values;
    const P = parameterCount(net.widths);
    const full = eigh(explicitFisher(net, X, T, norm, loss), P).values;
    const top = Array.from(full.slice(P - n)).sort((a, b) => a - b);
    const scale = Math.max(...top);
    top.forEach((v, i) => assert.ok(Math.abs(v - dual[i]!) < 1e-6 * scale, `${norm}/${loss}: λ${i} ${dual[i]} vs ${v}`));
    // The rest of F's spectrum is zero.
    for (let i = 0; i < P - n; i++) assert.ok(Math.abs(full[i]!) < 1e-6 * scale);
  }
});

test('Lanczos on the implicit dual agrees with the dense solver', () => {
  for (const norm of ['none', 'ln'] as const) {
    const net = randomNetwork(spec({ widths: [10, 40, 30, 4], norm, activation: 'tanh' }), mulberry32(5));
    const T = 30;
    const X = inputs(T, 10, 6);
    const dense = eigh(fisherDual(net, X, T, norm, 'mse'), T * 4).values;
    const top = fisherTopK(net, X, T, 6);
    for (let i = 0; i < 6; i++)
      assert.ok(Math.abs(top[i]! - dense[dense.length - 1 - i]!) < 1e-7 * dense.at(-1)!, `${norm} λ${i}`);
  }
});

test('Gauss–Hermite moments agree with the closed forms for ReLU and erf', () => {
  for (const act of ['relu', 'erf', 'linear'] as const)
    for (const [q1, q2] of [
      [1, 0],
      [2, 0.7],
      [0.5, -0.3],
      [1.3, 1.2],
    ]) {
      const a = momentsClosed(act, q1!, q2!)!;
      const b = momentsQuadrature(act, q1!, q2!);
      // ReLU's kink limits quadrature to a few digits; smooth units agree to ~1e-10.
      const tol = act === 'relu' ? 5e-3 : 1e-8;
      for (const k of ['e11', 'e12', 'd11', 'd12'] as const)
        assert.ok(Math.abs(a[k] - b[k]) < tol * Math.max(1, Math.abs(a[k])), `${act} ${k} q=(${q1},${q2}): ${a[k]} vs ${b[k]}`);
    }
});

test('theory for a linear network by hand, and the asymptotic κ relations', () => {
  // Linear, σ_w² = 1, σ_b² = 0, N(0, I) inputs: q̂₁ = 1 and q̂₂ = 0 in every layer, q̃ = 1.
  const th = fisherTheory({ activation: 'linear', widths: [50, 100, 100, 2], sigmaW2: 1, sigmaB2: 0, samples: 10 })!;
  const a = 50 + 1 + (100 + 1) + (100 + 1);
  const b = 3; // only the bias terms correlate across inputs
  const P = parameterCount([50, 100, 100, 2]);
  assert.ok(Math.abs(th.m_lambda - (2 * a) / P) < 1e-12);
  assert.ok(Math.abs(th.lambda_max - (a + 9 * b) / 10) < 1e-12);
  assert.ok(Math.abs(th.s_lambda - (2 * (a * a + 9 * b * b)) / (10 * P)) < 1e-12);
  // κ₁ = Σ_l (α_{l−1}/α) q̂₁ q̃₁ with α = Σ α_l α_{l−1} = 0.5 + 1.
  assert.ok(Math.abs(th.kappa1 - (0.5 + 1 + 1) / 1.5) < 1e-12);
  assert.equal(th.kappa2, 0);
});

test('measured statistics approach the mean-field prediction as the width grows', () => {
  // ReLU, L = 3, C = 2, T = 20, averaged over four networks: m_λ, s_λ and λ_max relative to theory.
  const ratios = (M: number) => {
    const widths = [M, M, M, 2];
    const T = 20;
    const th = fisherTheory({ activation: 'relu', widths, sigmaW2: 2, sigmaB2: 0.05, samples: T })!;
    const out = { m: 0, s: 0, l: 0 };
    for (let seed = 1; seed <= 4; seed++) {
      const net = randomNetwork(spec({ widths, sigmaB2: 0.05 }), mulberry32(seed));
      const Fd = fisherDual(net, inputs(T, M, 100 + seed), T, 'none', 'mse');
      const n = T * 2;
      let tr = 0;
      let fro = 0;
      for (let i = 0; i < n; i++) tr += Fd[i * n + i]!;
      for (const v of Fd) fro += v * v;
      out.m += tr / th.P / th.m_lambda / 4;
      out.s += fro / th.P / th.s_lambda / 4;
      out.l += eigh(Fd, n).values.at(-1)! / th.lambda_max / 4;
    }
    return out;
  };
  const small = ratios(32);
  const large = ratios(512);
  for (const k of ['m', 's', 'l'] as const) {
    assert.ok(
      Math.abs(large[k] - 1) < Math.abs(small[k] - 1),
      `${k}: |ratio − 1| ${Math.abs(small[k] - 1)} at M = 32, ${Math.abs(large[k] - 1)} at M = 512`,
    );
    assert.ok(Math.abs(large[k] - 1) < 0.05, `${k}: ratio ${large[k]} at M = 512`);
  }
});

test('linearised gradient descent diverges exactly above η = 2/λ_max; real GD well below it descends monotonically', () => {
  const s = spec({ widths: [8, 32, 32, 2] });
  const net = randomNetwork(s, mulberry32(8));
  const T = 10;
  const X = inputs(T, 8, 9);
  const Fd = fisherDual(net, X, T, 'none', 'mse');
  const n = T * 2;
  const lmax = eigh(Fd, n).values.at(-1)!;
  const run = (c: number) => {
    let r = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    for (let it = 0; it < 400; it++) {
      const next = new Float64Array(n);
      for (let a = 0; a < n; a++) {
        let v = 0;
        for (let b = 0; b < n; b++) v += Fd[a * n + b]! * r[b]!;
        next[a] = r[a]! - ((c * 2) / lmax) * v;
      }
      r = next;
    }
    return Math.hypot(...r);
  };
  assert.ok(run(0.97) < 10, 'stable just below the bound');
  assert.ok(run(1.03) > 1e3, 'unstable just above it');
  const Y = inputs(T, 2, 11);
  const losses = gradientDescent(net, X, Y, T, 'none', (0.5 * 2) / lmax, 30);
  for (let i = 1; i < losses.length; i++)
    assert.ok(losses[i]! <= losses[i - 1]! + 1e-12, `step ${i}: ${losses[i - 1]} → ${losses[i]}`);
});

test('orthogonal linear networks: the conditional FIM of one input is L(|x|² + 1)·I', () => {
  const Q = orthogonal(5, 8, mulberry32(1));
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++) {
      let d = 0;
      for (let k = 0; k < 8; k++) d += Q[i * 8 + k]! * Q[j * 8 + k]!;
      assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-12);
    }
  const M = 16;
  const L = 4;
  const net = randomNetwork(
    { activation: 'linear', widths: new Array(L + 1).fill(M), sigmaW2: 1, sigmaB2: 0, weights: 'orthogonal', norm: 'none' },
    mulberry32(2),
  );
  const x = inputs(1, M, 3);
  const x2 = x.reduce((s, v) => s + v * v, 0);
  const ev = eigh(ntkGram(net, x, 1), M).values;
  for (const v of ev) assert.ok(Math.abs(v - L * (x2 + 1)) < 1e-9 * L * x2, `${v} vs ${L * (x2 + 1)}`);
});

test('unit-wise block norms equal the norms of blocks of the explicit F', () => {
  const net = randomNetwork(spec({ widths: [3, 4, 2] }), mulberry32(12));
  const T = 3;
  const X = inputs(T, 3, 13);
  const { norms, units, layerOf } = unitBlockNorms(net, X, T);
  assert.equal(units, 6);
  const F = explicitFisher(net, X, T, 'none', 'mse');
  const P = parameterCount(net.widths);
  // Parameter indices of each unit: its row of W^l and its bias, in the order params() lists them.
  const W0 = 4 * 3;
  const W1 = 2 * 4;
  const idx = (u: number): number[] =>
    layerOf[u] === 0
      ? [...Array.from({ length: 3 }, (_, j) => u * 3 + j), W0 + W1 + u]
      : [...Array.from({ length: 4 }, (_, j) => W0 + (u - 4) * 4 + j), W0 + W1 + 4 + (u - 4)];
  for (let i = 0; i < units; i++)
    for (let j = 0; j < units; j++) {
      let s = 0;
      for (const a of idx(i)) for (const b of idx(j)) s += F[a * P + b]! ** 2;
      assert.ok(Math.abs(Math.sqrt(s) - norms[i * units + j]!) < 1e-6 * (1 + Math.sqrt(s)), `block ${i},${j}`);
    }
});
