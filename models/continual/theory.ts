// The typical generalisation error of sequential kernel regression (continual learning in the NTK
// regime, Karakida & Akaho, ICLR 2022), from the kernel's Mercer spectrum. Derived here from the
// deterministic equivalent of single-task kernel (ridge) regression (the replica result of Bordelon,
// Canatar & Pehlevan): regressing a target with coefficients h_k on N samples, the error e = f̂ − h has
//   E[e_k | h] = −s_k h_k,   E[e_k² | h] = s_k² h_k² + w_k (Σ_j s_j² h_j² + σ²)/(1 − γ),
//   s_k = κ/(Nη_k + κ),  w_k = Nη_k²/(Nη_k + κ)²,  γ = Σ_k w_k,  κ = λ + Σ_k κη_k/(Nη_k + κ).
// Stage m regresses h_m = f*_m − f_{m−1} on fresh samples, so f_m = f*_m + e_m and the error on task j
// is E‖f*_m − f*_j + e_m‖². The first and second moments of e_m per mode follow by recursion over the
// stages (the first through the teachers, the second as a scalar per degree), teachers averaged:
// a teacher Σ_j a_j k(·, z_j) with a_j ~ N(0, 1/K) has per-mode variance η_l², and task t's teacher is
// ρ·(task t−1's) + √(1−ρ²)·(a new one). This is Kairo's derivation, checked against Monte Carlo
// (test/unit/continual-model.test.ts); the paper's two-task formulas were not available to compare.
import type { MercerSpectrum } from './spectrum.ts';

export interface ChainSpec {
  /** Samples per stage N_1 … N_n. */
  sizes: number[];
  /** Similarity of each task's target to the previous one's (1: the same target). */
  rho: number;
  /** Label noise σ. */
  noise: number;
  /** Ridge λ (0: ridgeless). */
  ridge: number;
}

/** κ solving κ = λ + Σ_l N(d,l) κη_l/(Nη_l + κ) + tail (bisection on a monotone function). */
export function solveKappa(spec: MercerSpectrum, N: number, ridge: number): number {
  const g = (kappa: number) => {
    let s = ridge + spec.tail - kappa;
    for (let l = 0; l < spec.eta.length; l++) {
      const e = Math.max(0, spec.eta[l]!);
      s += (spec.mult[l]! * kappa * e) / (N * e + kappa);
    }
    return s;
  };
  // g(κ) decreases from ridge + trace at κ → 0⁺ (N > 0 modes…) to −∞; find its root.
  let lo = 0;
  let hi = ridge + spec.tail + 1;
  while (g(hi) > 0) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return (lo + hi) / 2;
}

/** The teachers of a chain in a basis of independent ones: β_1 = e_1, β_t = ρ β_{t−1} + √(1−ρ²) e_t. */
export function chainTeachers(n: number, rho: number): number[][] {
  const b: number[][] = [];
  for (let t = 0; t < n; t++) {
    const v = new Array<number>(n).fill(0);
    if (t === 0) v[0] = 1;
    else {
      for (let i = 0; i < n; i++) v[i] = rho * b[t - 1]![i]!;
      v[t] = Math.sqrt(Math.max(0, 1 - rho * rho));
    }
    b.push(v);
  }
  return b;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/**
 * Predicted error of every task after every stage: errors[t][m] (0-based), plus κ per stage. `steps[m]` = c moves
 * stage m only c of the way (the balanced step): with e the regression's error of h = f*_m − f_{m−1},
 * f_m − f*_m = −(1 − c)h + c·e, so per mode E[·|h] = −(1 − c + c·s_k)h_k and E[·²|h] = (1 − c + c·s_k)²h_k² + c²w_k·(…).
 */
export function chainTheory(
  spec: MercerSpectrum,
  c: ChainSpec,
  steps?: readonly number[],
): { errors: number[][]; kappa: number[] } {
  const n = c.sizes.length;
  const L = spec.eta.length;
  const beta = chainTeachers(n, c.rho);
  const eta2 = Array.from(spec.eta, (e) => e * e);
  // Per degree: the mean of e_m as a combination of the independent teachers, and its second moment per mode.
  let mu: number[][] = Array.from({ length: L }, () => new Array<number>(n).fill(0));
  let q = new Array<number>(L).fill(0);
  const errors: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const kappa: number[] = [];
  for (let m = 0; m < n; m++) {
    const N = c.sizes[m]!;
    const prev = m === 0 ? new Array<number>(n).fill(0) : beta[m - 1]!;
    const cv = beta[m]!.map((x, i) => x - prev[i]!);
    const k = N > 0 ? solveKappa(spec, N, c.ridge) : Infinity;
    kappa.push(k);
    const s = Array.from(spec.eta, (e) => (N > 0 ? k / (N * Math.max(0, e) + k) : 1));
    const w = Array.from(spec.eta, (e) => (N > 0 ? (N * e * e) / (N * Math.max(0, e) + k) ** 2 : 0));
    let gamma = 0;
    for (let l = 0; l < L; l++) gamma += spec.mult[l]! * w[l]!;
    const Q = Array.from({ length: L }, (_, l) => eta2[l]! * (dot(cv, cv) - 2 * dot(cv, mu[l]!)) + q[l]!);
    let S = 0;
    for (let l = 0; l < L; l++) S += spec.mult[l]! * s[l]! ** 2 * Q[l]!;
    const shared = gamma < 1 ? (S + c.noise ** 2) / (1 - gamma) : Infinity;
    // With c = 1 (every stage but a balanced one) these are s and w exactly: 1 − 1 + s = s, 1² = 1.
    const step = steps?.[m] ?? 1;
    const sc = s.map((x) => 1 - step + step * x);
    const wc = w.map((x) => step * step * x);
    q = Q.map((Ql, l) => sc[l]! ** 2 * Ql + (wc[l]! > 0 ? wc[l]! * shared : 0));
    mu = mu.map((ml, l) => cv.map((x, i) => -sc[l]! * (x - ml[i]!)));
    for (let t = 0; t < n; t++) {
      const d = beta[m]!.map((x, i) => x - beta[t]![i]!);
      let E = 0;
      for (let l = 0; l < L; l++) E += spec.mult[l]! * (eta2[l]! * (dot(d, d) + 2 * dot(d, mu[l]!)) + q[l]!);
      errors[t]![m] = E;
    }
  }
  return { errors, kappa };
}

/** The error of one task learned alone from N samples (the single-stage curve). */
export function singleTaskError(spec: MercerSpectrum, N: number, noise: number, ridge: number): number {
  return chainTheory(spec, { sizes: [N], rho: 1, noise, ridge }).errors[0]![0]!;
}
