// Signal propagation and the input-space metric (issue 18, parts 2 and 3): the length and
// correlation maps against their closed forms and against wide sampled networks; fixed points and
// χ₁ against hand-solved cases; the input-metric dual against an explicit finite-difference input
// Jacobian; its mean-field prediction against a wide network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32, gaussian } from '../../models/common/rng.ts';
import { randomNetwork, outputs } from '../../models/fisher/fisher.ts';
import { inputMetricDual } from '../../models/fisher/input-metric.ts';
import { fixedPoint, phaseDiagram, signalSampled, signalTheory } from '../../models/fisher/signal.ts';
import { eigh } from '../../models/linalg/dense.ts';
import { runJobDone, tempDir } from '../helpers.ts';
import { Core } from '../../core/core.ts';
import { defaultNetwork } from '../../core/labs/fisher/state.ts';
import { after } from 'node:test';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`);

test('ReLU: the recursion is the closed-form length map q′ = σ_w²q/2 + σ_b² and (σ_b = 0) the arc-cosine correlation map', () => {
  const p = { activation: 'relu' as const, sigmaW2: 1.7, sigmaB2: 0, q0: 1.3, c0: 0.2, depth: 8 };
  const layers = signalTheory(p);
  let q = 1.7 * 1.3;
  let c = 0.2;
  for (const l of layers) {
    close(l.q, q, 1e-12 * q, `q at layer ${l.l}`);
    close(l.c, c, 1e-12, `c at layer ${l.l}`);
    q = (1.7 * q) / 2;
    c = (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c) / Math.PI;
  }
});

test('fixed points and χ₁ solve their equations: ReLU by hand, erf through its closed forms, tanh at σ_b = 0', () => {
  // ReLU: q* = σ_b²/(1 − σ_w²/2), χ₁ = σ_w²/2; no q* above σ_w² = 2.
  const r = fixedPoint('relu', 1.5, 0.1);
  close(r.q!, 0.4, 1e-12, 'ReLU q*');
  close(r.chi1!, 0.75, 1e-12, 'ReLU χ₁');
  assert.equal(r.c, 1);
  close(r.xiC!, -1 / Math.log(0.75), 1e-6, 'ReLU ξ_c');
  assert.equal(fixedPoint('relu', 2.5, 0).q, null);
  // erf: q* = σ_w²(2/π) arcsin(2q/(1 + 2q)) + σ_b², χ₁ = σ_w²(4/π)/√(1 + 4q*).
  const e = fixedPoint('erf', 3, 0.1);
  close(e.q!, 3 * (2 / Math.PI) * Math.asin((2 * e.q!) / (1 + 2 * e.q!)) + 0.1, 1e-10, 'erf q*');
  close(e.chi1!, (3 * 4) / Math.PI / Math.sqrt(1 + 4 * e.q!), 1e-10, 'erf χ₁');
  assert.ok(e.chi1! > 1 && e.c! < 1, 'erf at σ_w² = 3 is chaotic, with c* < 1');
  // c* solves the correlation map: one more step leaves it in place.
  const after = signalTheory({
    activation: 'erf',
    sigmaW2: 3,
    sigmaB2: 0.1,
    q0: (e.q! - 0.1) / 3,
    c0: (e.c! * e.q! - 0.1) / (e.q! - 0.1),
    depth: 3,
  });
  for (const l of after) close(l.c, e.c!, 1e-8, 'c* is fixed');
  // tanh with σ_b = 0 below σ_w² = 1: q* = 0 and χ₁ = σ_w² φ′(0)² = σ_w², the phase diagram's bottom row.
  const w = [0.3, 0.6, 0.9];
  const row = phaseDiagram('tanh', w, [0]);
  w.forEach((x, i) => close(row[i]!, x, 1e-9, `tanh χ₁ at σ_w² = ${x}`));
});

test('the maps match wide sampled networks layer by layer (tanh, ordered and chaotic), within the sampling error', () => {
  for (const sigmaW2 of [0.8, 2.5]) {
    const p = { activation: 'tanh' as const, sigmaW2, sigmaB2: 0.05, q0: 1, c0: 0.4, depth: 8 };
    const n = 8;
    const M = 1500;
    const runs = Array.from({ length: n }, (_, s) => signalSampled(p, M, mulberry32(100 + s)));
    signalTheory(p).forEach((t, i) => {
      const qs = runs.map((r) => r[i]!.q);
      const cs = runs.map((r) => r[i]!.c);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));
      // Five standard errors of the mean over networks, each network's spread taken as at least what
      // M units give (|u|²/M: relative √(2/M); a correlation: (1 − c²)/√M).
      const seQ = Math.max(sd(qs), t.q * Math.sqrt(2 / M)) / Math.sqrt(n);
      const seC = Math.max(sd(cs), (1 - t.c * t.c) / Math.sqrt(M)) / Math.sqrt(n);
      close(mean(qs), t.q, 5 * seQ, `σ_w² = ${sigmaW2}, q at layer ${t.l}`);
      close(mean(cs), t.c, 5 * seC, `σ_w² = ${sigmaW2}, c at layer ${t.l}`);
    });
  }
});

/** G_x = (1/T) Σ_t J_tᵀ Q_t J_t with J_t by central differences of the outputs. */
function explicitInputMetric(net: ReturnType<typeof randomNetwork>, X: Float64Array, T: number, ce: boolean): Float64Array {
  const M0 = net.widths[0]!;
  const C = net.widths.at(-1)!;
  const G = new Float64Array(M0 * M0);
  const h = 1e-5;
  for (let t = 0; t < T; t++) {
    const x = X.slice(t * M0, (t + 1) * M0);
    const J = new Float64Array(C * M0);
    for (let j = 0; j < M0; j++) {
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[j] = xp[j]! + h;
      xm[j] = xm[j]! - h;
      const fp = outputs(net, xp, 1, 'none');
      const fm = outputs(net, xm, 1, 'none');
      for (let k = 0; k < C; k++) J[k * M0 + j] = (fp[k]! - fm[k]!) / (2 * h);
    }
    const f = outputs(net, x, 1, 'none');
    const e = Array.from(f, (v) => Math.exp(v - Math.max(...f)));
    const z = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / z);
    const Q = (k: number, l: number) => (ce ? (k === l ? p[k]! : 0) - p[k]! * p[l]! : k === l ? 1 : 0);
    for (let a = 0; a < M0; a++)
      for (let b = 0; b < M0; b++) {
        let v = 0;
        for (let k = 0; k < C; k++) for (let l = 0; l < C; l++) v += J[k * M0 + a]! * Q(k, l) * J[l * M0 + b]!;
        G[a * M0 + b]! += v / T;
      }
  }
  return G;
}

test('the input-metric dual has the eigenvalues of G_x built from a finite-difference input Jacobian (MSE and cross-entropy)', () => {
  for (const [act, ce] of [
    ['relu', false],
    ['tanh', true],
  ] as const) {
    const T = 4;
    const C = 3;
    const M0 = 10;
    const rand = mulberry32(5);
    const net = randomNetwork(
      { activation: act, widths: [M0, 14, 12, C], sigmaW2: 2, sigmaB2: 0.1, weights: 'gaussian', norm: 'none' },
      rand,
    );
    const X = Float64Array.from({ length: T * M0 }, () => gaussian(rand));
    const dual = eigh(inputMetricDual(net, X, T, ce ? 'ce' : 'mse'), T * C).values;
    const full = eigh(explicitInputMetric(net, X, T, ce), M0).values;
    const top = (v: ArrayLike<number>) =>
      Array.from(v)
        .sort((a, b) => b - a)
        .slice(0, M0);
    const a = top(dual);
    const b = top(full);
    const scale = b[0]!;
    a.forEach((v, i) => close(v, b[i]!, 1e-6 * scale, `${act}${ce ? ' CE' : ''} eigenvalue ${i}`));
  }
});

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

test('the input-metric job at width 1000 measures m_λ, s_λ and λ_max near the mean-field prediction', async () => {
  const network = { ...defaultNetwork(), width: 1000, inputDim: 500, samples: 30, outputs: 2, seed: 3 };
  await runJobDone(core, 'fisher.inputMetric', { network });
  const r = core.session.labs.fisher.inputMetric!;
  const t = r.theory!;
  close(r.stats.mLambda, t.mLambda, 0.1 * t.mLambda, 'm_λ');
  close(r.stats.sLambda, t.sLambda, 0.15 * t.sLambda, 's_λ');
  close(r.stats.lambdaMax, t.lambdaMax, 0.1 * t.lambdaMax, 'λ_max');
  // The dual's trace is M₀ m_λ.
  close(
    r.eigenvalues.reduce((a, b) => a + b, 0),
    500 * r.stats.mLambda,
    1e-9,
    'Σλ = Tr G_x',
  );
});

test('the signal job stores the recursion beside its networks and the phase diagram marks the order/chaos boundary', async () => {
  await runJobDone(core, 'fisher.signal', { ...core.session.labs.fisher.signalDraft, depth: 6, width: 400, networks: 2 });
  const s = core.session.labs.fisher.signal!;
  assert.equal(s.layers.length, 6);
  assert.deepEqual(
    s.layers.map((l) => l.qTheory),
    signalTheory({ ...s.params }).map((l) => l.q),
  );
  const { sigmaW2, sigmaB2, chi1 } = s.phase;
  assert.equal(chi1.length, sigmaW2.length * sigmaB2.length);
  // tanh at σ_b = 0: χ₁ crosses 1 at σ_w² = 1.
  const row = sigmaW2.map((w, j) => [w, chi1[j]!] as const);
  for (const [w, c] of row) assert.equal(c > 1, w > 1, `χ₁ = ${c} at σ_w² = ${w}`);
});
