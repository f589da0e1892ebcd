import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
import { erf, forward, ntkGram, type Activation, type HiddenNorm, type Mlp } from '../../models/ntk/gram.ts';

function randomNet(widths: number[], activation: Activation, seed: number, norm: HiddenNorm = 'none'): Mlp {
  const r = mulberry32(seed);
  return {
    activation,
    norm,
    widths,
    weights: widths
      .slice(1)
      .map((m, l) => Float64Array.from({ length: m * widths[l]! }, () => (r() * 2 - 1) / Math.sqrt(widths[l]!))),
    biases: widths.slice(1).map((m) => Float64Array.from({ length: m }, () => 0.3 * (r() - 0.5))),
  };
}

/** The Jacobian by central finite differences on every parameter, then J Jᵀ explicitly. */
function explicitGram(net: Mlp, X: Float64Array, T: number): Float64Array {
  const params = [...net.weights, ...net.biases];
  const C = net.widths.at(-1)!;
  const n = T * C;
  const cols: Float64Array[] = [];
  const h = 1e-6;
  for (const p of params)
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      p[i] = keep + h;
      const plus = forward(net, X, T).u.at(-1)!;
      p[i] = keep - h;
      const minus = forward(net, X, T).u.at(-1)!;
      p[i] = keep;
      cols.push(Float64Array.from(plus, (v, j) => (v - minus[j]!) / (2 * h)));
    }
  const G = new Float64Array(n * n);
  for (const c of cols) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) G[a * n + b]! += c[a]! * c[b]!;
  return G;
}

test('the structured NTK Gram equals J Jᵀ from an explicit finite-difference Jacobian', () => {
  for (const [widths, act, T] of [
    [[3, 4, 2], 'relu', 3],
    [[5, 6, 4, 3], 'tanh', 4],
    [[2, 3, 3, 3, 1], 'linear', 5],
    [[3, 5, 4, 2], 'erf', 3],
  ] as const) {
    const net = randomNet([...widths], act, widths.length);
    const r = mulberry32(99);
    const X = Float64Array.from({ length: T * widths[0]! }, () => r() * 2 - 1);
    const fast = ntkGram(net, X, T);
    const slow = explicitGram(net, X, T);
    const scale = Math.max(...slow.map(Math.abs));
    fast.forEach((v, i) => assert.ok(Math.abs(v - slow[i]!) < 1e-7 * scale, `${act} ${widths}: [${i}] ${v} vs ${slow[i]}`));
  }
});

test('layer norm and batch norm in hidden layers: the structured Gram equals J Jᵀ by finite differences', () => {
  for (const [norm, act] of [
    ['ln', 'tanh'],
    ['bn', 'relu'],
    ['bn', 'erf'],
  ] as const) {
    const widths = [3, 5, 4, 2];
    const net = randomNet(widths, act, 7, norm);
    const r = mulberry32(5);
    const T = 4;
    const X = Float64Array.from({ length: T * 3 }, () => r() * 2 - 1);
    const fast = ntkGram(net, X, T);
    const slow = explicitGram(net, X, T);
    const scale = Math.max(...slow.map(Math.abs));
    fast.forEach((v, i) => assert.ok(Math.abs(v - slow[i]!) < 1e-6 * scale, `${norm} ${act}: [${i}] ${v} vs ${slow[i]}`));
  }
});

test('erf matches reference values to 1e-15', () => {
  // Values from the defining integral (mpmath): erf(0.5), erf(1), erf(2), erf(3), erf(−0.1).
  const ref: [number, number][] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [-0.1, -0.1124629160182849],
  ];
  for (const [x, v] of ref) assert.ok(Math.abs(erf(x) - v) < 1e-15, `erf(${x}) = ${erf(x)}`);
});
