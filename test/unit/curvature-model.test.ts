// The curvature products against explicit matrices of tiny networks: the Hessian from second
// differences of the loss, the GGN and Fisher from the Jacobian built column by column by
// central differences, the empirical Fisher from per-sample gradients by differences. The
// MLP losses are recomputed here by a plain loop that shares no code with the engine; the
// convolution nets' forward pass is checked against PyTorch in curvature-import.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { fromMlp } from '../../models/curvature/from-mlp.ts';
import { forward, offsetsOf, type Act, type Layer, type Network } from '../../models/curvature/network.ts';
import { operatorOf, type CurvatureLoss, type CurvatureMatrix, type Problem } from '../../models/curvature/products.ts';
import { hutchinson, lanczosQuadrature, logDensity, perLayer, slqDensity, topEigen } from '../../models/curvature/spectra.ts';
import { fisherDual, randomNetwork } from '../../models/fisher/fisher.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { columns, relErr } from './curvature-explicit.ts';

const ACT: Record<Act, (x: number) => number> = {
  relu: (x) => Math.max(0, x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  // GELU and erf through an independent Φ (Abramowitz–Stegun 7.1.26 is too coarse): Simpson's rule.
  gelu: (x) => x * phiCdf(x),
  erf: (x) => 2 * phiCdf(x * Math.SQRT2) - 1,
  linear: (x) => x,
};
function phiCdf(x: number): number {
  // ½ + ∫₀ˣ ϕ by Simpson's rule on a grid that scales with x (its error is then smooth in x, which
  // the second differences below need).
  const n = 600;
  const h = x / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const t = i * h;
    s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-0.5 * t * t);
  }
  return 0.5 + (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

/** An MLP's per-sample outputs by a plain loop over θ in PyTorch's layout. */
function mlpOutputs(widths: number[], acts: Act[], theta: Float64Array, X: Float64Array, N: number): Float64Array {
  const C = widths.at(-1)!;
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    let h = Array.from(X.subarray(n * widths[0]!, (n + 1) * widths[0]!));
    let o = 0;
    for (let l = 0; l + 1 < widths.length; l++) {
      const [a, b] = [widths[l]!, widths[l + 1]!];
      const u = Array.from({ length: b }, (_, i) => {
        let s = theta[o + a * b + i]!;
        for (let j = 0; j < a; j++) s += theta[o + i * a + j]! * h[j]!;
        return s;
      });
      o += a * b + b;
      h = l + 2 < widths.length ? u.map(ACT[acts[l]!]) : u;
    }
    for (let k = 0; k < C; k++) out[n * C + k] = h[k]!;
  }
  return out;
}

function sampleLosses(z: Float64Array, N: number, loss: CurvatureLoss, labels: Int32Array): number[] {
  const C = z.length / N;
  return Array.from({ length: N }, (_, i) => {
    const row = Array.from(z.subarray(i * C, (i + 1) * C));
    if (loss === 'mse') return row.reduce((s, v, k) => s + (v - (labels[i] === k ? 1 : 0)) ** 2, 0) / 2;
    const mx = Math.max(...row);
    return Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0)) + mx - row[labels[i]!]!;
  });
}

interface Case {
  name: string;
  net: Network;
  theta: Float64Array;
  X: Float64Array;
  N: number;
  labels: Int32Array;
  loss: CurvatureLoss;
  outputs: (theta: Float64Array) => Float64Array;
}

function mlpCase(name: string, widths: number[], acts: Act[], loss: CurvatureLoss, N: number, seed: number): Case {
  const r = mulberry32(seed);
  const layers: Layer[] = [];
  widths.slice(1).forEach((w, l) => {
    layers.push({ kind: 'linear', inputs: widths[l]!, outputs: w, bias: true });
    if (l + 2 < widths.length) layers.push({ kind: 'activation', fn: acts[l]! });
  });
  const net: Network = { input: [widths[0]!], layers };
  const P = offsetsOf(net).at(-1)!;
  const theta = Float64Array.from({ length: P }, () => 0.7 * gaussian(r));
  const X = Float64Array.from({ length: N * widths[0]! }, () => gaussian(r));
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * widths.at(-1)!));
  return { name, net, theta, X, N, labels, loss, outputs: (t) => mlpOutputs(widths, acts, t, X, N) };
}

function convCase(withNorm: boolean, seed: number): Case {
  const r = mulberry32(seed);
  const bn = (F: number): Layer => ({
    kind: 'batchnorm',
    features: F,
    mean: Float64Array.from({ length: F }, () => 0.3 * gaussian(r)),
    variance: Float64Array.from({ length: F }, () => 0.5 + r()),
    eps: 1e-5,
  });
  const layers: Layer[] = [
    { kind: 'conv2d', channels: 2, filters: 3, kernel: 3, stride: 1, padding: 1, bias: true },
    ...(withNorm ? [bn(3)] : []),
    { kind: 'activation', fn: 'tanh' },
    { kind: 'maxpool2d', kernel: 2, stride: 2 },
    { kind: 'conv2d', channels: 3, filters: 2, kernel: 2, stride: 1, padding: 0, bias: false },
    { kind: 'flatten' },
    ...(withNorm ? [bn(4)] : []),
    { kind: 'activation', fn: 'gelu' },
    { kind: 'linear', inputs: 4, outputs: 3, bias: true },
  ];
  const net: Network = { input: [2, 6, 5], layers };
  const P = offsetsOf(net).at(-1)!;
  const theta = Float64Array.from({ length: P }, () => 0.6 * gaussian(r));
  const N = 3;
  const X = Float64Array.from({ length: N * 60 }, () => gaussian(r));
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * 3));
  return {
    name: `conv${withNorm ? ' + batch norm' : ''}`,
    net,
    theta,
    X,
    N,
    labels,
    loss: 'ce',
    outputs: (t) => forward(net, t, X, N).xs.at(-1)!,
  };
}

const CASES: Case[] = [
  mlpCase('tanh MLP, cross-entropy', [5, 4, 3], ['tanh'], 'ce', 4, 1),
  mlpCase('tanh MLP, MSE', [5, 4, 3], ['tanh'], 'mse', 4, 2),
  mlpCase('gelu/sigmoid MLP, cross-entropy', [4, 5, 3, 3], ['gelu', 'sigmoid'], 'ce', 3, 3),
  mlpCase('relu/erf MLP, MSE', [3, 4, 4, 2], ['relu', 'erf'], 'mse', 5, 4),
  convCase(false, 5),
  convCase(true, 6),
];

function explicitMatrices(c: Case) {
  const P = c.theta.length;
  const meanLoss = (t: Float64Array) => sampleLosses(c.outputs(t), c.N, c.loss, c.labels).reduce((a, b) => a + b, 0) / c.N;
  const shifted = (pairs: [number, number][]) => {
    const t = Float64Array.from(c.theta);
    for (const [i, d] of pairs) t[i]! += d;
    return t;
  };
  const h = 1e-4;
  const H = new Float64Array(P * P);
  for (let i = 0; i < P; i++)
    for (let j = 0; j <= i; j++) {
      const v =
        (meanLoss(
          shifted([
            [i, h],
            [j, h],
          ]),
        ) -
          meanLoss(
            shifted([
              [i, h],
              [j, -h],
            ]),
          ) -
          meanLoss(
            shifted([
              [i, -h],
              [j, h],
            ]),
          ) +
          meanLoss(
            shifted([
              [i, -h],
              [j, -h],
            ]),
          )) /
        (4 * h * h);
      H[i * P + j] = H[j * P + i] = v;
    }
  // J (NC × P) column by column; per-sample loss gradients likewise.
  const z0 = c.outputs(c.theta);
  const NC = z0.length;
  const C = NC / c.N;
  const J = new Float64Array(NC * P);
  const G = new Float64Array(c.N * P);
  const hj = 1e-6;
  for (let j = 0; j < P; j++) {
    const zp = c.outputs(shifted([[j, hj]]));
    const zm = c.outputs(shifted([[j, -hj]]));
    const lp = sampleLosses(zp, c.N, c.loss, c.labels);
    const lm = sampleLosses(zm, c.N, c.loss, c.labels);
    for (let r = 0; r < NC; r++) J[r * P + j] = (zp[r]! - zm[r]!) / (2 * hj);
    for (let n = 0; n < c.N; n++) G[n * P + j] = (lp[n]! - lm[n]!) / (2 * hj);
  }
  // H_out per sample: (diag p − ppᵀ)/N or I/N.
  const ggn = new Float64Array(P * P);
  const emp = new Float64Array(P * P);
  for (let n = 0; n < c.N; n++) {
    const zr = Array.from(z0.subarray(n * C, (n + 1) * C));
    const mx = Math.max(...zr);
    const e = zr.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / s);
    const Hout = (a: number, b: number) => (c.loss === 'mse' ? (a === b ? 1 : 0) : (a === b ? p[a]! : 0) - p[a]! * p[b]!) / c.N;
    for (let i = 0; i < P; i++)
      for (let j = 0; j < P; j++) {
        let v = 0;
        for (let a = 0; a < C; a++)
          for (let b = 0; b < C; b++) v += J[(n * C + a) * P + i]! * Hout(a, b) * J[(n * C + b) * P + j]!;
        ggn[i * P + j]! += v;
        emp[i * P + j]! += (G[n * P + i]! * G[n * P + j]!) / c.N;
      }
  }
  return { H, ggn, emp, loss: meanLoss(c.theta) };
}

for (const c of CASES) {
  test(`curvature products of a ${c.name} equal the explicit matrices`, () => {
    const pr: Problem = { net: c.net, theta: c.theta, X: c.X, N: c.N, loss: c.loss, labels: c.labels, targets: null };
    const ex = explicitMatrices(c);
    const P = c.theta.length;
    const ops = new Map<CurvatureMatrix, Float64Array>([
      ['hessian', ex.H],
      ['ggn', ex.ggn],
      ['fisher', ex.ggn],
      ['empirical-fisher', ex.emp],
    ]);
    for (const [m, want] of ops) {
      const op = operatorOf(pr, m);
      assert.ok(Math.abs(op.loss! - ex.loss) < 1e-12 * Math.max(1, ex.loss), `${m}: loss ${op.loss} vs ${ex.loss}`);
      const got = columns(P, op.matvec);
      const err = relErr(got, want);
      assert.ok(err < 1e-5, `${c.name}, ${m}: relative error ${err.toExponential(2)}`);
      assert.equal(op.matvecs, P);
    }
    // The Hessian differs from the GGN off the minimum (a test that could not fail would not).
    assert.ok(relErr(ex.H, ex.ggn) > 1e-3);
  });
}

test('Lanczos top-k, per-layer blocks, Hutchinson and SLQ agree with the dense matrix', () => {
  const c = CASES[0]!;
  const op = operatorOf({ net: c.net, theta: c.theta, X: c.X, N: c.N, loss: c.loss, labels: c.labels, targets: null }, 'hessian');
  const P = op.P;
  const A = columns(P, op.matvec);
  const { values } = eigh(A, P);
  const desc = Array.from(values).sort((a, b) => b - a);
  const top = topEigen(P, 3, op.matvec, P, 7);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(top.values[i]! - desc[i]!) < 1e-9 * Math.abs(desc[0]!), `λ${i + 1}`);
  // The eigenvector satisfies A v = λ v.
  const Av = op.matvec(top.vectors[0]!);
  assert.ok(
    relErr(
      Av,
      top.vectors[0]!.map((x) => x * top.values[0]!),
    ) < 1e-7,
  );
  // Per layer: shares sum to 1; each block's λ_max is the dense block's.
  const layers = perLayer(op.offsets, top.vectors[0]!, op.matvec, 200, 3).filter((l) => l !== null);
  assert.ok(Math.abs(layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-12);
  const o = op.offsets.filter((_, i) => i === 0 || op.offsets[i] !== op.offsets[i - 1]);
  layers.forEach((l, b) => {
    const [from, to] = [o[b]!, o[b + 1]!];
    const n = to - from;
    const B = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = A[(from + i) * P + from + j]!;
    const bmax = Math.max(...eigh(B, n).values);
    assert.ok(Math.abs(l.blockLambdaMax - bmax) < 1e-9 * Math.abs(desc[0]!), `block ${b}: ${l.blockLambdaMax} vs ${bmax}`);
  });
  // Hutchinson: unbiased, and within 4 standard errors of the exact trace.
  let tr = 0;
  for (let i = 0; i < P; i++) tr += A[i * P + i]!;
  const hu = hutchinson(P, op.matvec, 300, mulberry32(9));
  assert.ok(hu.se > 0 && Math.abs(hu.mean - tr) < 4 * hu.se, `trace ${hu.mean} ± ${hu.se} vs ${tr}`);
  // SLQ: m steps integrate polynomials of degree ≤ 2m − 1 exactly: Σ τ θᵖ = vᵀAᵖv / vᵀv.
  const v = Float64Array.from({ length: P }, (_, i) => Math.sin(i + 1));
  const q = lanczosQuadrature(P, op.matvec, v, 5);
  let w: Float64Array = v.map((x) => x / Math.hypot(...v));
  const w0 = Float64Array.from(w);
  for (let p = 0; p <= 9; p++) {
    const exact = w0.reduce((s, x, i) => s + x * w[i]!, 0);
    const quad = q.nodes.reduce((s, t, j) => s + q.weights[j]! * t ** p, 0);
    assert.ok(Math.abs(quad - exact) < 1e-9 * Math.max(1, Math.abs(exact)), `moment ${p}: ${quad} vs ${exact}`);
    w = op.matvec(w);
  }
  // The density integrates to 1 (cut at ±4σ beyond the outer nodes); its mean times P estimates the
  // trace (within 4 se of the probes' means).
  const d = slqDensity(P, op.matvec, 200, P, mulberry32(4));
  const dx = d.x[1]! - d.x[0]!;
  assert.ok(Math.abs(d.y.reduce((s, y) => s + y * dx, 0) - 1) < 1e-3);
  const meanEig = d.y.reduce((s, y, i) => s + y * d.x[i]! * dx, 0);
  const perProbe = d.quadratures.map((q) => P * q.nodes.reduce((s, t, j) => s + q.weights[j]! * t, 0));
  const m = perProbe.reduce((a, b) => a + b, 0) / perProbe.length;
  const se = Math.sqrt(perProbe.reduce((a, b) => a + (b - m) ** 2, 0) / (perProbe.length - 1) / perProbe.length);
  assert.ok(Math.abs(meanEig * P - m) < 1e-4 * Math.abs(m), `the broadened density keeps the mean: ${meanEig * P} vs ${m}`);
  assert.ok(Math.abs(m - tr) < 4 * se, `SLQ mean ${m} ± ${se} vs trace ${tr}`);
  assert.throws(() => topEigen(P, P, op.matvec, 10, 1), /k must be 1 … /);
});

test("a fresh network's Fisher λ_max by Lanczos equals the Fisher lab's dual-Gram λ_max", () => {
  for (const [activation, loss] of [
    ['tanh', 'mse'],
    ['relu', 'ce'],
  ] as const) {
    const r = mulberry32(11);
    const widths = [12, 20, 20, 3];
    const mlp = randomNetwork({ activation, widths, sigmaW2: 2, sigmaB2: 0.05, weights: 'gaussian', norm: 'none' }, r);
    const T = 15;
    const X = Float64Array.from({ length: T * 12 }, () => gaussian(r));
    const dual = fisherDual(mlp, X, T, 'none', loss);
    const n = T * 3;
    const want = Math.max(...eigh(dual, n).values);
    const { net, theta } = fromMlp(mlp);
    const op = operatorOf({ net, theta, X, N: T, loss, labels: null, targets: null }, 'fisher');
    assert.equal(op.loss, null);
    const got = topEigen(op.P, 1, op.matvec, 80, 1).values[0]!;
    assert.ok(Math.abs(got - want) < 1e-8 * want, `${activation}/${loss}: ${got} vs ${want}`);
    assert.throws(() => operatorOf({ net, theta, X, N: T, loss, labels: null, targets: null }, 'hessian'), /needs targets/);
  }
});

test('the log-axis density puts each decade of a known spectrum where it is, with the weight below the floor apart', () => {
  // diag(1 ×4, 10 ×8, 1000 ×4, 0 ×4, −1 ×4): the exact quadrature (steps ≥ distinct values) gives each
  // probe's weights; averaged over many probes, the mass near each eigenvalue is its share of P.
  const diag = [...Array(4).fill(1), ...Array(8).fill(10), ...Array(4).fill(1000), ...Array(4).fill(0), ...Array(4).fill(-1)];
  const P = diag.length;
  const matvec = (v: Float64Array) => v.map((x, i) => diag[i]! * x);
  const d = slqDensity(P, matvec, 400, 6, mulberry32(3));
  const log = logDensity(d.quadratures);
  // Zero and −1 are 8 of 24 eigenvalues: below the floor, not drawn.
  assert.ok(Math.abs(log.below - 8 / 24) < 0.03, `below ${log.below}`);
  const t = log.x.map(Math.log10);
  const mass = (a: number, b: number) => {
    let m = 0;
    for (let i = 1; i < t.length; i++) if (t[i]! > a && t[i]! <= b) m += ((log.y[i]! + log.y[i - 1]!) / 2) * (t[i]! - t[i - 1]!);
    return m;
  };
  for (const [at, share] of [
    [0, 4 / 24],
    [1, 8 / 24],
    [3, 4 / 24],
  ] as const)
    assert.ok(Math.abs(mass(at - 0.5, at + 0.5) - share) < 0.03, `decade ${at}: ${mass(at - 0.5, at + 0.5)} vs ${share}`);
  assert.ok(Math.abs(mass(-Infinity, Infinity) + log.below - 1) < 1e-3);
  // A matrix with no positive eigenvalue has no log density.
  assert.deepEqual(logDensity(slqDensity(4, (v) => v.map((x) => -x), 2, 2, mulberry32(1)).quadratures).x, []);
});
