// The free-probability λ_max of J Jᵀ (models/fisher/free.ts) against networks sampled by a second,
// independent route: matrix-free products J Jᵀv = Σ_k c_k F_k F_kᵀ v (F_k = ∂u^L/∂u^k, by one
// backward and one forward pass), Lanczos for the top eigenvalue, and orthogonal layers as
// randomised Hadamard transforms (three rounds of random signs and a fast Walsh–Hadamard
// transform, then a random permutation) instead of QR of a Gaussian matrix. That makes widths
// 1,024–2,048 at depth 16 cost about a second; no M × M matrix is formed for orthogonal nets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../../models/common/rng.ts';
import { isometryDensity } from '../../models/fisher/free.ts';
import { lanczosTopK } from '../../models/linalg/lanczos.ts';

interface Layer {
  apply(v: Float64Array): Float64Array;
  applyT(v: Float64Array): Float64Array;
}

function walshHadamard(v: Float64Array): void {
  const n = v.length;
  for (let h = 1; h < n; h *= 2)
    for (let i = 0; i < n; i += 2 * h)
      for (let j = i; j < i + h; j++) {
        const a = v[j]!;
        const b = v[j + h]!;
        v[j] = a + b;
        v[j + h] = a - b;
      }
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) v[i]! *= s;
}

/** √σ_w² · P H S₃ H S₂ H S₁ (M a power of two): orthogonal, and spectrally close to Haar. */
function hadamardLayer(M: number, sigmaW2: number, r: () => number): Layer {
  const signs = [0, 1, 2].map(() => Float64Array.from({ length: M }, () => (r() < 0.5 ? -1 : 1)));
  const perm = Array.from({ length: M }, (_, i) => i);
  for (let i = M - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const g = Math.sqrt(sigmaW2);
  return {
    apply(v) {
      const w = Float64Array.from(v);
      for (const s of signs) {
        for (let i = 0; i < M; i++) w[i]! *= s[i]!;
        walshHadamard(w);
      }
      const out = new Float64Array(M);
      for (let i = 0; i < M; i++) out[perm[i]!] = g * w[i]!;
      return out;
    },
    applyT(v) {
      const w = new Float64Array(M);
      for (let i = 0; i < M; i++) w[i] = g * v[perm[i]!]!;
      for (const s of [...signs].reverse()) {
        walshHadamard(w);
        for (let i = 0; i < M; i++) w[i]! *= s[i]!;
      }
      return w;
    },
  };
}

/** Entries N(0, σ_w²/M). */
function gaussianLayer(M: number, sigmaW2: number, r: () => number): Layer {
  const s = Math.sqrt(sigmaW2 / M);
  const W = Float64Array.from({ length: M * M }, () => s * gaussian(r));
  return {
    apply(v) {
      const out = new Float64Array(M);
      for (let i = 0; i < M; i++) {
        let a = 0;
        for (let j = 0; j < M; j++) a += W[i * M + j]! * v[j]!;
        out[i] = a;
      }
      return out;
    },
    applyT(v) {
      const out = new Float64Array(M);
      for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) out[j]! += W[i * M + j]! * v[i]!;
      return out;
    },
  };
}

/** λ_max/M of J Jᵀ for one input with |x|²/M = q0 through a tanh net without biases' variance (σ_b² = 0). */
function sampledTop(weights: 'orthogonal' | 'gaussian', M: number, L: number, sigmaW2: number, q0: number, seed: number) {
  const r = mulberry32(seed);
  const x = Float64Array.from({ length: M }, () => gaussian(r));
  const scale = Math.sqrt((q0 * M) / x.reduce((a, b) => a + b * b, 0));
  for (let i = 0; i < M; i++) x[i]! *= scale;
  const layers = Array.from({ length: L }, () => (weights === 'orthogonal' ? hadamardLayer : gaussianLayer)(M, sigmaW2, r));
  // c_k = |h^{k−1}|² + 1 (weights and biases of layer k), D_k = φ′(u^k).
  const c: number[] = [];
  const d: Float64Array[] = [];
  let h = x;
  for (const layer of layers) {
    c.push(h.reduce((a, b) => a + b * b, 0) + 1);
    const u = layer.apply(h);
    d.push(u.map((v) => 1 - Math.tanh(v) ** 2));
    h = u.map(Math.tanh);
  }
  const product = (v: Float64Array) => {
    // g_k = F_kᵀ v backwards, then Σ_k c_k F_k g_k forwards by Horner's rule.
    const g: Float64Array[] = new Array<Float64Array>(L);
    g[L - 1] = v;
    for (let k = L - 2; k >= 0; k--) g[k] = layers[k + 1]!.applyT(g[k + 1]!).map((e, i) => e * d[k]![i]!);
    let acc = g[0]!.map((e) => e * c[0]!);
    for (let k = 1; k < L; k++) {
      const dk = d[k - 1]!;
      acc = layers[k]!.apply(acc.map((e, i) => e * dk[i]!)).map((e, i) => e + c[k]! * g[k]![i]!);
    }
    return acc;
  };
  return lanczosTopK(M, 1, product, { tol: 1e-8, maxIter: 150, seed }).values[0]! / M;
}

const theory = (weights: 'orthogonal' | 'gaussian', M: number, L: number, sigmaW2: number, q0: number) =>
  isometryDensity({ activation: 'tanh', width: M, depth: L, sigmaW2, sigmaB2: 0, weights, inputQ: q0 }).lambdaMax / M;

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

// σ_w² = 1.05 and |x|²/M = 0.02428: the setting in which the edge used to sit 17 % (depth 8) and
// 22 % (depth 16) above the samples. Measured now (3 seeds): within 0.2 % at every depth and width.
test('orthogonal tanh nets: the theory λ_max matches sampled networks within 3 % at depths 4, 8, 16 and widths 1,024 and 2,048', () => {
  for (const [L, widths] of [
    [4, [1024]],
    [8, [1024, 2048]],
    [16, [1024, 2048]],
  ] as const)
    for (const M of widths) {
      const samples = [1, 2].map((seed) => sampledTop('orthogonal', M, L, 1.05, 0.02428, seed));
      const th = theory('orthogonal', M, L, 1.05, 0.02428);
      const gap = Math.abs(mean(samples) / th - 1);
      assert.ok(gap < 0.03, `L = ${L}, M = ${M}: sampled ${samples.map((v) => v.toFixed(4))}, theory ${th.toFixed(4)}`);
    }
});

test('the sampler: its Hadamard layers are orthogonal with σ_w² scale, and a nearly linear net has λ_max = L(|x|² + 1)', () => {
  const r = mulberry32(3);
  const layer = hadamardLayer(64, 1.5, r);
  const v = Float64Array.from({ length: 64 }, () => gaussian(r));
  const w = Float64Array.from({ length: 64 }, () => gaussian(r));
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, e, i) => s + e * b[i]!, 0);
  // ⟨Wv, w⟩ = ⟨v, Wᵀw⟩ and |Wv|² = σ_w²|v|².
  assert.ok(Math.abs(dot(layer.apply(v), w) - dot(v, layer.applyT(w))) < 1e-10);
  assert.ok(Math.abs(dot(layer.apply(v), layer.apply(v)) / dot(v, v) - 1.5) < 1e-12);
  // A linear orthogonal net: every eigenvalue is L(|x|² + 1) when σ_w² = 1 (c_k = |x|² + 1 at every layer).
  assert.ok(Math.abs(sampledTopLinearCheck() - 1) < 1e-9);
});

/** tanh at a tiny input is nearly linear: λ_max/(L(|x|² + 1)) → 1 as |x| → 0. Returns that ratio at |x|²/M = 10⁻¹⁰. */
function sampledTopLinearCheck(): number {
  const M = 64;
  const L = 3;
  return (sampledTop('orthogonal', M, L, 1, 1e-10, 5) * M) / (L * (1e-10 * M + 1));
}

// Gaussian weights: the finite-width spread of the top eigenvalue is large (M = 512, depth 8: 1.76–2.17
// over three seeds), and at M = 1,024 the theory sits ≈ 5 % above the samples (1.88 vs 1.78). The
// edge there comes from the smoothed density (Marchenko–Pastur factors are singular at 0).
test('Gaussian tanh nets: the theory λ_max lies within 8 % of sampled networks at depths 4 and 8, widths 512 and 1,024', () => {
  for (const L of [4, 8])
    for (const M of [512, 1024]) {
      const samples = (M === 512 ? [1, 2] : [1]).map((seed) => sampledTop('gaussian', M, L, 1.05, 0.02428, seed));
      const th = theory('gaussian', M, L, 1.05, 0.02428);
      const gap = Math.abs(mean(samples) / th - 1);
      assert.ok(gap < 0.08, `L = ${L}, M = ${M}: sampled ${samples.map((v) => v.toFixed(4))}, theory ${th.toFixed(4)}`);
    }
});
