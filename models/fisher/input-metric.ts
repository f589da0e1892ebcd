// The metric of input space (Karakida, Akaho & Amari, Neural Comput. 2021): how far a small change
// of the input moves the output distribution, G_x = (1/T) Σ_t J_x(t)ᵀ Q_t J_x(t) with
// J_x(t) = ∂f(x_t)/∂x (C × M₀) and Q_t = I (MSE) or diag(p_t) − p_t p_tᵀ (softmax cross-entropy).
// Exactly, through its TC × TC dual (S G)(S G)ᵀ/T, G the stacked input gradients, S = blockdiag(Q_t^{1/2}).
import { backprop, byOutput, forward, type Mlp } from '../ntk/gram.ts';
import { outputs, softmaxMetricRoot } from './fisher.ts';
import type { FisherLoss } from './theory.ts';

/** Rows (t, k): ∇_x f_k(x_t) = W¹ᵀ δ¹ with δ¹ the cotangent of the first pre-activation. TC × M₀. */
export function inputGradients(net: Mlp, X: Float64Array, T: number): Float64Array {
  if ((net.norm ?? 'none') !== 'none') throw new Error('the input metric is computed for networks without normalisation');
  const L = net.weights.length;
  const C = net.widths[L]!;
  const n = T * C;
  const fp = forward(net, X, T);
  let delta: Float64Array = new Float64Array(n * C);
  for (let t = 0; t < T; t++) for (let k = 0; k < C; k++) delta[(t * C + k) * C + k] = 1;
  for (let l = L - 1; l >= 1; l--) delta = backprop(net, fp, l, delta, n, byOutput(C));
  const M0 = net.widths[0]!;
  const M1 = net.widths[1]!;
  const W = net.weights[0]!;
  const G = new Float64Array(n * M0);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < M1; i++) {
      const d = delta[r * M1 + i]!;
      if (d === 0) continue;
      for (let j = 0; j < M0; j++) G[r * M0 + j]! += W[i * M0 + j]! * d;
    }
  return G;
}

/** The dual of G_x: TC × TC, rows (t, k). Its nonzero eigenvalues are those of G_x. */
export function inputMetricDual(net: Mlp, X: Float64Array, T: number, loss: FisherLoss): Float64Array {
  const C = net.widths.at(-1)!;
  const M0 = net.widths[0]!;
  const n = T * C;
  let G = inputGradients(net, X, T);
  if (loss === 'ce') {
    const f = outputs(net, X, T, 'none');
    const SG = new Float64Array(n * M0);
    for (let t = 0; t < T; t++) {
      const S = softmaxMetricRoot(f.subarray(t * C, (t + 1) * C), C);
      for (let k = 0; k < C; k++)
        for (let j = 0; j < C; j++) {
          const s = S[k * C + j]!;
          if (s === 0) continue;
          for (let m = 0; m < M0; m++) SG[(t * C + k) * M0 + m]! += s * G[(t * C + j) * M0 + m]!;
        }
    }
    G = SG;
  }
  const D = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = 0; b <= a; b++) {
      let v = 0;
      for (let m = 0; m < M0; m++) v += G[a * M0 + m]! * G[b * M0 + m]!;
      D[a * n + b] = D[b * n + a] = v / T;
    }
  return D;
}

/**
 * Mean-field prediction, from the first layer's backward order parameters q̃₁¹, q̃₂¹ (sums over
 * units): ∇_x f_k(x_t)·∇_x f_k'(x_s) → σ_w² δ¹·δ¹' = σ_w² q̃¹ [k = k'], so the dual is
 * (σ_w²/T)[(q̃₁ − q̃₂)I + q̃₂11ᵀ] ⊗ I_C at leading order, as for the Fisher information with the
 * sum over layers replaced by the input layer alone. Over the M₀ eigenvalues of G_x:
 * m_λ = Cσ_w²q̃₁/M₀, s_λ = Cσ_w⁴(q̃₁² + (T − 1)q̃₂²)/(T M₀), λ_max = σ_w²(q̃₁ + (T − 1)q̃₂)/T.
 * Cross-entropy: the equal-logit approximation p = 1/C, as for F.
 */
export function inputMetricTheory(
  qt1: number,
  qt2: number,
  sigmaW2: number,
  T: number,
  C: number,
  M0: number,
  loss: FisherLoss,
): { mLambda: number; sLambda: number; lambdaMax: number } {
  const a = sigmaW2 * qt1;
  const b = sigmaW2 * qt2;
  let lambdaMax = (a + (T - 1) * b) / T;
  let mLambda = (C * a) / M0;
  let sLambda = (C * (a * a + (T - 1) * b * b)) / (T * M0);
  if (loss === 'ce') {
    lambdaMax /= C;
    mLambda *= (C - 1) / C;
    sLambda *= (C - 1) / (C * C);
  }
  return { mLambda, sLambda, lambdaMax };
}
