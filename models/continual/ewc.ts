// Elastic weight consolidation for the continual-learning network (models/continual/network.ts): the gradient of
// (λ_e/2)(θ − θ*)ᵀF(θ − θ*) with F the Fisher at θ* (the parameters after the previous stage) on every earlier
// input, exact or one of the NGD lab's approximations. Checked against per-sample gradients by finite differences
// (test/unit/continual-network-corrections.test.ts).
import type { Correction } from './corrections.ts';
import { cloneNet, forwardNtk, rowCotangents, rowsDot, scaleOf, type Linearisation, type NtkNet } from '../ngd/network.ts';
import { layerStep } from '../ngd/steps.ts';

/** The rows of X at the indices, packed. */
export const gather = (X: Float64Array, d: number, idx: number[]) => {
  const out = new Float64Array(idx.length * d);
  idx.forEach((i, r) => out.set(X.subarray(i * d, i * d + d), r * d));
  return out;
};

/**
 * The gradient of (λ_e/2)(θ − θ*)ᵀF(θ − θ*) with F = J_AᵀJ_A/|A| the exact (empirical, squared-error) Fisher at θ* = the
 * parameters now, on the rows idx of X: λ_e/|A|·J_Aᵀ(J_A Δθ), beside the data term's Jᵀr/N. J_A Δθ is
 * Σ_l D_l·(s_l Δω_l h^l + σ_b Δb_l) with θ*'s row cotangents D and activations h; J_Aᵀ v is a layer step at θ*.
 */
export function ewcPenalty(
  net: NtkNet,
  X: Float64Array,
  d: number,
  idx: number[],
  c: Extract<Correction, { kind: 'ewc' }>,
): (now: NtkNet) => { dOmega: Float64Array; dBias: Float64Array }[] {
  if (c.fisher !== 'exact') return approximateEwc(net, X, d, idx, c.weight, c.fisher);
  const weight = c.weight;
  const star = cloneNet(net);
  const A = idx.length;
  const pass = forwardNtk(star, gather(X, d, idx), A);
  const D = rowCotangents(star, pass);
  const lin = { pass, D, DD: [], Kh: [], theta: [], T: A, C: 1, n: A } as Linearisation;
  const L = star.omega.length;
  return (now) => {
    const v = new Float64Array(A);
    for (let l = 0; l < L; l++) {
      const nin = star.widths[l]!;
      const nout = star.widths[l + 1]!;
      const dW = now.omega[l]!.map((x, i) => x - star.omega[l]![i]!);
      const dB = now.bias[l]!.map((x, i) => x - star.bias[l]![i]!);
      const u = new Float64Array(A * nout);
      rowsDot(pass.h[l]!, A, dW, nout, nin, u);
      const sl = scaleOf(star, l);
      const Dl = D[l]!;
      for (let t = 0; t < A; t++) {
        let acc = 0;
        for (let a = 0; a < nout; a++) acc += Dl[t * nout + a]! * (sl * u[t * nout + a]! + star.sigmaB * dB[a]!);
        v[t]! += acc;
      }
    }
    const scale = weight / A;
    const up = { v: v.map((x) => x * scale) };
    return Array.from({ length: L }, (_, l) => layerStep(star, lin, l, up));
  };
}

/**
 * EWC's gradient λ_e·F̂Δθ with a block-diagonal Fisher per layer, from θ*'s row cotangents D (|A| × out) and augmented
 * inputs H̃ = [s_l h, σ_b] (|A| × (in + 1)), as ∂f_t/∂ω̃[a, :] = D[t, a]·H̃_t:
 *   diagonal   F̂ = Σ_t D[t,a]² H̃[t,b]² / |A| on each weight;
 *   unit-wise  each unit's block Σ_t D[t,a]² H̃_t H̃_tᵀ / |A| (the NGD lab's unit-wise Fisher);
 *   kfac       G ⊗ Ā with G = DᵀD/|A|, Ā = H̃ᵀH̃/|A|: the step G Δω̃ Ā.
 */
function approximateEwc(
  net: NtkNet,
  X: Float64Array,
  d: number,
  idx: number[],
  weight: number,
  fisher: 'diagonal' | 'kfac' | 'unit-wise',
): (now: NtkNet) => { dOmega: Float64Array; dBias: Float64Array }[] {
  const star = cloneNet(net);
  const A = idx.length;
  const pass = forwardNtk(star, gather(X, d, idx), A);
  const D = rowCotangents(star, pass);
  const L = star.omega.length;
  const layers = Array.from({ length: L }, (_, l) => {
    const nin = star.widths[l]!;
    const s = scaleOf(star, l);
    const H = new Float64Array(A * (nin + 1));
    for (let t = 0; t < A; t++) {
      for (let j = 0; j < nin; j++) H[t * (nin + 1) + j] = s * pass.h[l]![t * nin + j]!;
      H[t * (nin + 1) + nin] = star.sigmaB;
    }
    return { nin, nout: star.widths[l + 1]!, H, D: D[l]! };
  });
  return (now) =>
    layers.map(({ nin, nout, H, D: Dl }, l) => {
      const k = nin + 1;
      // Δω̃ = [Δω | Δb], nout × k.
      const dW = new Float64Array(nout * k);
      for (let a = 0; a < nout; a++) {
        for (let j = 0; j < nin; j++) dW[a * k + j] = now.omega[l]![a * nin + j]! - star.omega[l]![a * nin + j]!;
        dW[a * k + nin] = now.bias[l]![a]! - star.bias[l]![a]!;
      }
      const g = new Float64Array(nout * k);
      if (fisher === 'diagonal')
        for (let a = 0; a < nout; a++)
          for (let j = 0; j < k; j++) {
            let f = 0;
            for (let t = 0; t < A; t++) f += (Dl[t * nout + a]! * H[t * k + j]!) ** 2;
            g[a * k + j] = (f / A) * dW[a * k + j]!;
          }
      else if (fisher === 'unit-wise')
        for (let a = 0; a < nout; a++)
          for (let t = 0; t < A; t++) {
            const w = Dl[t * nout + a]! ** 2;
            if (w === 0) continue;
            let hd = 0;
            for (let j = 0; j < k; j++) hd += H[t * k + j]! * dW[a * k + j]!;
            for (let j = 0; j < k; j++) g[a * k + j]! += (w * hd * H[t * k + j]!) / A;
          }
      else {
        // G Δω̃ Ā = Dᵀ(D Δω̃ H̃ᵀ)H̃ / |A|²: M = Δω̃H̃ᵀ (nout × |A|), P = D M (|A| × |A|), then Dᵀ P H̃.
        const M = new Float64Array(nout * A);
        for (let a = 0; a < nout; a++)
          for (let t = 0; t < A; t++) {
            let v = 0;
            for (let j = 0; j < k; j++) v += dW[a * k + j]! * H[t * k + j]!;
            M[a * A + t] = v;
          }
        const Pm = new Float64Array(A * A);
        for (let t = 0; t < A; t++)
          for (let u = 0; u < A; u++) {
            let v = 0;
            for (let a = 0; a < nout; a++) v += Dl[t * nout + a]! * M[a * A + u]!;
            Pm[t * A + u] = v;
          }
        const Q = new Float64Array(A * k);
        for (let t = 0; t < A; t++)
          for (let u = 0; u < A; u++) {
            const p = Pm[t * A + u]!;
            if (p === 0) continue;
            for (let j = 0; j < k; j++) Q[t * k + j]! += p * H[u * k + j]!;
          }
        for (let a = 0; a < nout; a++)
          for (let t = 0; t < A; t++) {
            const dta = Dl[t * nout + a]!;
            if (dta === 0) continue;
            for (let j = 0; j < k; j++) g[a * k + j]! += (dta * Q[t * k + j]!) / (A * A);
          }
      }
      const dOmega = new Float64Array(nout * nin);
      const dBias = new Float64Array(nout);
      for (let a = 0; a < nout; a++) {
        for (let j = 0; j < nin; j++) dOmega[a * nin + j] = weight * g[a * k + j]!;
        dBias[a] = weight * g[a * k + nin]!;
      }
      return { dOmega, dBias };
    });
}
