// The function-space dynamics each method predicts in the NTK regime (Karakida & Osawa 2020):
// f_{t+1} − y = (1 − αη)(f_t − y) with the method's α, where its preconditioned kernel
// K = J G̃⁻¹ Jᵀ is α·I (an isotropic gradient in function space), and the best η = 1/α.
//   exact 1;  block-diagonal L;  block-tri-diagonal 1ᵀT⁻¹1 (T: L × L tridiagonal ones);
//   K-FAC N(L−1) + 1 (hidden layers N each, the readout 1; needs N ≤ M₀ (+1 with a bias), else the first
//   layer gives M₀ and is isotropic only with the Forster transform and no first-layer bias);
//   unit-wise 1 + Σ_hidden γ M_l, γ the fraction of units with φ' ≠ 0 (½ for ReLU), isotropic only on average.
// Gradient descent has no α: its prediction is the NTK linear model r_t = (I − ηΘ/N)^t r₀.
import type { Activation } from '../ntk/activations.ts';
import { tridiagonalCoefficients, type NgdMethod } from './methods.ts';

export interface AlphaInput {
  method: NgdMethod;
  activation: Activation;
  widths: number[];
  samples: number;
  /** Whether the first layer has a bias (σ_b > 0). */
  bias: boolean;
  forster: boolean;
}

export interface Alpha {
  /** Null where the paper's formula gives none (gradient descent; a singular tri-diagonal system). */
  alpha: number | null;
  /** Where α's assumptions fail or hold only on average, in one line; null where they hold. */
  note: string | null;
}

export function alphaOf(p: AlphaInput): Alpha {
  const L = p.widths.length - 1;
  const N = p.samples;
  const M0 = p.widths[0]!;
  const C = p.widths[L]!;
  switch (p.method) {
    case 'gd':
      return { alpha: null, note: 'no isotropy: the NTK linear model r_t = (I − ηΘ/N)^t r₀ predicts its curve' };
    case 'exact':
      return { alpha: 1, note: null };
    case 'block-diagonal':
      return { alpha: L, note: null };
    case 'block-tridiagonal': {
      if (L <= 2) return { alpha: 1, note: 'at depth 2 every block is adjacent: this is exact NGD' };
      const c = tridiagonalCoefficients(L);
      if (!c) return { alpha: null, note: `the L × L tridiagonal system is singular at L = ${L} (= 3s + 2): no prediction` };
      return { alpha: c.reduce((s, x) => s + x, 0), note: null };
    }
    case 'kfac': {
      // Hidden layers: N·P_δ·P_h with P_δ = I (wide), P_h = I when the layer's input Gram has full rank N;
      // the readout's B is I_C, so its factor reproduces the exact block: it contributes 1.
      const rank = Math.min(N, M0 + (p.bias ? 1 : 0));
      const base = N * (L - 2) + 1;
      if (N <= M0 + (p.bias ? 1 : 0)) return { alpha: base + N, note: null };
      if (p.forster && !p.bias) return { alpha: base + M0, note: null };
      return {
        alpha: base + rank,
        note: p.forster
          ? 'N > M₀ with a first-layer bias: the Forster transform makes the inputs, not (x, 1), isotropic; α holds on average'
          : 'N > M₀ without the Forster transform: the first layer’s inputs are not isotropic; α holds on average',
      };
    }
    case 'unit-wise': {
      const gamma = p.activation === 'relu' ? 0.5 : 1;
      const hidden = p.widths.slice(1, L).reduce((s, m) => s + m, 0);
      const notes = [p.activation === 'relu' ? 'isotropic only on average (each sample counts its active units)' : null];
      if (C > 1) notes.push('C > 1: a unit’s C rows per sample share one input, so its block is not invertible there');
      if (N > M0 + (p.bias ? 1 : 0)) notes.push('N exceeds the first layer’s input rank: its units are not isotropic');
      const note = notes.filter((x) => x !== null).join('; ');
      return { alpha: 1 + gamma * hidden, note: note || null };
    }
  }
}

/** Train loss the isotropic dynamics predict: loss_t = (1 − αη)^{2t} loss₀. */
export function isotropicLosses(alpha: number, eta: number, loss0: number, steps: number): number[] {
  const q = (1 - alpha * eta) ** 2;
  return Array.from({ length: steps + 1 }, (_, t) => loss0 * q ** t);
}

/**
 * Test outputs the isotropic dynamics predict: f'_t = f'_0 − v'(1 − (1 − αη)^t)/α, where v' = K'r₀ is the
 * test outputs' response to the method's step at η = 1 from the initial residual.
 */
export function isotropicTest(alpha: number, eta: number, f0: Float64Array, v: Float64Array, t: number): Float64Array {
  const g = (1 - (1 - alpha * eta) ** t) / alpha;
  return f0.map((x, i) => x - v[i]! * g);
}
