// The conditional Fisher information's spectrum by free probability (issue 18, part 1): exact for
// linear orthogonal nets, two independent routes (the moment–cumulant recursion and the numerical
// subordination density) agreeing, and both against wide sampled networks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { randomNetwork } from '../../models/fisher/fisher.ts';
import {
  binLaw,
  freeProduct,
  freeProductMoments,
  isometryDensity,
  isometryMoments,
  marchenkoPastur,
} from '../../models/fisher/free.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { ntkGram } from '../../models/ntk/gram.ts';
import type { Activation } from '../../models/ntk/gram.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function sampled(
  activation: Activation,
  weights: 'gaussian' | 'orthogonal',
  M: number,
  L: number,
  sigmaW2: number,
  sigmaB2: number,
  seed: number,
) {
  const r = mulberry32(100 + seed);
  const x = Float64Array.from({ length: M }, () => gaussian(r));
  const s = Math.sqrt(M / x.reduce((a, b) => a + b * b, 0));
  for (let i = 0; i < M; i++) x[i] = x[i]! * s;
  const net = randomNetwork(
    { activation, widths: new Array<number>(L + 1).fill(M), sigmaW2, sigmaB2, weights, norm: 'none' },
    mulberry32(seed),
  );
  return Array.from(eigh(ntkGram(net, x, 1), M).values);
}

test('linear orthogonal nets: every eigenvalue is L(|x|² + 1), and the theory says exactly that', () => {
  for (const L of [2, 5, 9]) {
    const M = 48;
    const ev = sampled('linear', 'orthogonal', M, L, 1, 0, L);
    const p = {
      activation: 'linear' as const,
      width: M,
      depth: L,
      sigmaW2: 1,
      sigmaB2: 0,
      weights: 'orthogonal' as const,
      inputQ: 1,
    };
    const exact = L * (M + 1);
    for (const v of ev) assert.ok(rel(v, exact) < 1e-9, `eigenvalue ${v} vs ${exact}`);
    assert.ok(rel(isometryDensity(p).lambdaMax, exact) < 1e-12);
    isometryMoments(p).forEach((m, k) => assert.ok(rel(m, exact ** (k + 1)) < 1e-12, `moment ${k + 1}`));
  }
});

test('the moment–cumulant formula and the subordination density agree on a projection times Marchenko–Pastur', () => {
  // a = projection of rank 1/2, b = Marchenko–Pastur (ratio 1, scale 1). Independently: P W Wᵀ P has the
  // nonzero eigenvalues of (1/M)GᵀG, G M × M/2 Gaussian, Marchenko–Pastur of ratio y = 1/2 with moments
  // 1, 1 + y, 1 + 3y + y², over half of the M dimensions: 1/2, 3/4, 11/8.
  const m = freeProductMoments([0.5, 0.5, 0.5], [1, 2, 5]);
  [0.5, 0.75, 1.375].forEach((v, k) => assert.ok(rel(m[k]!, v) < 1e-15, `moment ${k + 1}`));
  const law = freeProduct({ t: Float64Array.of(0, 1), w: Float64Array.of(0.5, 0.5) }, marchenkoPastur(1), 500);
  const num = [1, 2, 3].map((k) => law.t.reduce((s, t, i) => s + t ** k * law.w[i]!, 0));
  num.forEach((v, k) => assert.ok(rel(v, m[k]!) < 0.02, `moment ${k + 1}: ${v} vs ${m[k]}`));
  // Its nonzero part is a Marchenko–Pastur law of ratio 1/2: upper edge (1 + √½)².
  // Its (1 − 10⁻⁴) quantile, as isometryDensity reads λ_max.
  let above = 0;
  let k = law.t.length - 1;
  while (k > 0 && above + law.w[k]! < 1e-4) above += law.w[k--]!;
  const top = law.t[k]!;
  assert.ok(rel(top, (1 + Math.SQRT1_2) ** 2) < 0.03, `edge ${top}`);
});

test('deep tanh and ReLU nets: theory moments, λ_max and the law against wide sampled spectra', () => {
  for (const [activation, weights, sigmaW2, sigmaB2] of [
    ['tanh', 'gaussian', 1.05, 0.01],
    ['tanh', 'orthogonal', 1.05, 0.01],
    ['relu', 'gaussian', 2, 0],
  ] as const) {
    const M = 400;
    const L = 6;
    const p = { activation, width: M, depth: L, sigmaW2, sigmaB2, weights, inputQ: 1 };
    const th = isometryMoments(p);
    const law = isometryDensity(p);
    // Route two: the density's own moments.
    [1, 2].forEach((k) => {
      const d = law.t.reduce((s, t, i) => s + t ** k * law.w[i]!, 0);
      assert.ok(rel(d, th[k - 1]!) < 0.05, `${activation} ${weights}: density moment ${k} ${d} vs ${th[k - 1]}`);
    });
    // Route three: two sampled networks; finite-width spread in deep ReLU nets is large, hence the tolerances.
    const evs = [1, 2].map((s) => sampled(activation, weights, M, L, sigmaW2, sigmaB2, s));
    const mom = (k: number) => evs.flat().reduce((s, v) => s + v ** k, 0) / (2 * M);
    assert.ok(rel(mom(1), th[0]!) < 0.08, `${activation} ${weights}: mean ${mom(1)} vs ${th[0]}`);
    assert.ok(rel(mom(2), th[1]!) < 0.2, `${activation} ${weights}: second moment ${mom(2)} vs ${th[1]}`);
    const top = evs.map((e) => Math.max(...e)).reduce((a, b) => a + b) / 2;
    assert.ok(rel(top, law.lambdaMax) < 0.12, `${activation} ${weights}: λ_max ${top} vs ${law.lambdaMax}`);
    // Kolmogorov distance between the sampled eigenvalues' CDF and the law's, on 40 bins.
    const lo = Math.min(...evs.flat(), law.t[0]!);
    const hi = Math.max(...evs.flat(), law.lambdaMax) * 1.001;
    const edges = Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40);
    const a = binLaw({ t: evs.flat(), w: evs.flat().map(() => 1 / (2 * M)) }, edges);
    const b = binLaw(law, edges);
    let ca = 0;
    let cb = 0;
    let ks = 0;
    a.forEach((v, i) => {
      ca += v;
      cb += b[i]!;
      ks = Math.max(ks, Math.abs(ca - cb));
    });
    assert.ok(ks < 0.12, `${activation} ${weights}: Kolmogorov distance ${ks}`);
  }
});

test('the learning rate 2/λ_max(theory): one step of gradient descent shrinks the error by (1 − 2c)², as the linearised dynamics say', async () => {
  // Linear orthogonal net: J Jᵀ = λI exactly with λ = L(M + 1), so f₁ − y = (1 − ηλ)(f₀ − y) to first order in η.
  const { gradientDescent, outputs } = await import('../../models/fisher/fisher.ts');
  const M = 256;
  const L = 4;
  const lambda = isometryDensity({
    activation: 'linear',
    width: M,
    depth: L,
    sigmaW2: 1,
    sigmaB2: 0,
    weights: 'orthogonal',
    inputQ: 1,
  }).lambdaMax;
  const r = mulberry32(7);
  const x = Float64Array.from({ length: M }, () => gaussian(r));
  const s = Math.sqrt(M / x.reduce((a, b) => a + b * b, 0));
  for (let i = 0; i < M; i++) x[i] = x[i]! * s;
  const noise = Float64Array.from({ length: M }, () => 0.01 * gaussian(r));
  for (const c of [0.25, 0.4, 0.9, 1.1, 1.5]) {
    const net = randomNetwork(
      {
        activation: 'linear',
        widths: new Array<number>(L + 1).fill(M),
        sigmaW2: 1,
        sigmaB2: 0,
        weights: 'orthogonal',
        norm: 'none',
      },
      mulberry32(3),
    );
    // A target near the output keeps the step in the linear regime (the parameter change is O(η|f − y|)).
    const y = outputs(net, x, 1, 'none').map((v, k) => v + noise[k]!);
    const [l0, l1] = gradientDescent(net, x, y, 1, 'none', (c * 2) / lambda, 1);
    const want = (1 - 2 * c) ** 2;
    assert.ok(Math.abs(l1! / l0! - want) < 0.01 + 0.01 * want, `c = ${c}: loss ratio ${l1! / l0!} vs ${want}`);
  }
});
