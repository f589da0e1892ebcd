import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../models/common/rng.ts';
import { forward, ntkGram, type Activation, type Mlp } from '../../models/ntk/gram.ts';

function randomNet(widths: number[], activation: Activation, seed: number): Mlp {
  const r = mulberry32(seed);
  return {
    activation,
    widths,
    weights: widths.slice(1).map((m, l) => Float64Array.from({ length: m * widths[l]! }, () => (r() * 2 - 1) / Math.sqrt(widths[l]!))),
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
