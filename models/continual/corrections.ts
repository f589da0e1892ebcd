// Corrections against forgetting in sequential kernel regression (the open question of Karakida &
// Akaho's report: what stops self-knowledge forgetting when N₂ ≪ N₁). Every stage after the first
// fits a set of points D with targets t and per-point ridges ρ_i, then moves c of the way:
//   f_m = f_{m−1} + c · Θ(·, D)(Θ(D) + diag ρ)⁻¹ (t − f_{m−1}(D)).
//   none      D = X_m, t = y_m, ρ = λ, c = 1 (today's update);
//   replay    D = X_m ∪ (R stored samples of each earlier stage, with their own labels), ρ = λ;
//   anchor    D = X_m ∪ A (every earlier input), t = f_{m−1} on A, ρ = λ on X_m and λ/λ_a on A: the minimiser
//             of Σ_(X_m)(f − y)² + λ_a Σ_A (f − f_{m−1})² + λ‖f − f_{m−1}‖²_H (weighted ridge, W = diag(1, λ_a));
//   balanced  D = X_m, c a number or N_m / Σ_(k≤m) N_k.
// Ridgeless (λ = 0) the anchor's ridge λ/λ_a is 0 for every λ_a > 0: the trade-off collapses to pinning f on A,
// and pinning every earlier input (or replaying every sample) is one joint interpolation of all the data.
import { cholesky, choleskySolve } from '../linalg/dense.ts';
import { kernelMatrix, SingularKernel } from './monte-carlo.ts';
import type { MercerSpectrum } from './spectrum.ts';
import { chainTeachers, chainTheory, solveKappa, type ChainSpec } from './theory.ts';

export type Correction =
  | { kind: 'none' }
  | { kind: 'replay'; keep: number }
  | { kind: 'anchor'; weight: number }
  | { kind: 'balanced'; step: number | 'auto' }
  /** The network only (network.ts): (λ_e/2)(θ − θ_prev)ᵀF(θ − θ_prev), F the exact Fisher on the earlier inputs. */
  | { kind: 'ewc'; weight: number; fisher: 'exact' | 'diagonal' | 'kfac' | 'unit-wise' };

/** The step c of stage m (0-based): 1 but for the balanced step after the first stage. */
export function stepOf(c: Correction, sizes: readonly number[], m: number): number {
  if (c.kind !== 'balanced' || m === 0) return 1;
  if (c.step !== 'auto') return c.step;
  const seen = sizes.slice(0, m + 1).reduce((s, n) => s + n, 0);
  return seen > 0 ? sizes[m]! / seen : 1;
}

export interface Stage {
  X: Float64Array;
  N: number;
  y: Float64Array;
}

interface Term {
  X: Float64Array;
  N: number;
  alpha: Float64Array;
}

/** r − f at the rows of X, in place: every stage's expansion subtracted in turn (as `sequentialFit` does). */
function subtractFit(k: (t: number) => number, d: number, terms: Term[], X: Float64Array, r: Float64Array): void {
  const n = X.length / d;
  for (const st of terms) {
    const Kx = kernelMatrix(k, X, n, st.X, st.N, d);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < st.N; j++) s += Kx[i * st.N + j]! * st.alpha[j]!;
      r[i]! -= s;
    }
  }
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The points stage m fits, their targets minus f_{m−1}, and their ridges. */
function stageSystem(
  k: (t: number) => number,
  d: number,
  stages: Stage[],
  m: number,
  terms: Term[],
  ridge: number,
  c: Correction,
): { X: Float64Array; n: number; r: Float64Array; ridges: Float64Array } {
  const { X, N, y } = stages[m]!;
  const Xs = [X];
  const ys = [y];
  const ridges = [new Float64Array(N).fill(ridge)];
  // Anchored points carry a residual of exactly 0: their target is f_{m−1} itself.
  let anchored = 0;
  if (m > 0 && c.kind === 'replay' && c.keep > 0)
    for (const s of stages.slice(0, m)) {
      const R = Math.min(c.keep, s.N);
      Xs.push(s.X.subarray(0, R * d));
      ys.push(s.y.subarray(0, R));
      ridges.push(new Float64Array(R).fill(ridge));
    }
  if (m > 0 && c.kind === 'anchor' && c.weight > 0)
    for (const s of stages.slice(0, m)) {
      Xs.push(s.X);
      anchored += s.N;
      ridges.push(new Float64Array(s.N).fill(ridge / c.weight));
    }
  const Xd = concat(Xs);
  const n = Xd.length / d;
  const fitted = n - anchored;
  const r = new Float64Array(n);
  r.set(concat(ys));
  subtractFit(k, d, terms, Xd.subarray(0, fitted * d), r.subarray(0, fitted));
  return { X: Xd, n, r, ridges: concat(ridges) };
}

/**
 * The corrected sequential fit: f_m at the T test points Xt after every stage (f_0 = 0; a stage with no samples
 * leaves f as it was). With no correction it is the update of `sequentialFit`, operation for operation.
 */
export function correctedFit(
  k: (t: number) => number,
  d: number,
  stages: Stage[],
  ridge: number,
  correction: Correction,
  Xt: Float64Array,
  T: number,
): Float64Array[] {
  if (correction.kind === 'ewc') throw new Error('EWC anchors parameters: the kernel model has none');
  const fT = new Float64Array(T);
  const terms: Term[] = [];
  const out: Float64Array[] = [];
  const sizes = stages.map((s) => s.N);
  stages.forEach((stage, m) => {
    if (stage.N > 0) {
      const { X, n, r, ridges } = stageSystem(k, d, stages, m, terms, ridge, correction);
      const A = kernelMatrix(k, X, n, X, n, d);
      for (let i = 0; i < n; i++) A[i * n + i]! += ridges[i]!;
      let L: Float64Array;
      try {
        L = cholesky(A, n);
      } catch {
        throw new SingularKernel(`the ${n} × ${n} kernel matrix of stage ${m + 1} is singular without a ridge: set λ > 0`);
      }
      const alpha = choleskySolve(L, r, n);
      const c = stepOf(correction, sizes, m);
      if (c !== 1) for (let i = 0; i < n; i++) alpha[i]! *= c;
      const Kt = kernelMatrix(k, Xt, T, X, n, d);
      for (let i = 0; i < T; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Kt[i * n + j]! * alpha[j]!;
        fT[i]! += s;
      }
      terms.push({ X, N: n, alpha });
    }
    out.push(Float64Array.from(fT));
  });
  return out;
}

/** Samples kept by the correction after the last stage (replay's memory; the anchor keeps inputs only). */
export function memoryOf(c: Correction, sizes: readonly number[]): { samples: number; inputs: number } {
  const earlier = sizes.slice(0, -1);
  if (c.kind === 'replay') return { samples: earlier.reduce((s, n) => s + Math.min(c.keep, n), 0), inputs: 0 };
  if (c.kind === 'anchor' && c.weight > 0) return { samples: 0, inputs: earlier.reduce((s, n) => s + n, 0) };
  return { samples: 0, inputs: 0 };
}

/**
 * One joint regression on every stage's samples so far, each stage labelled by its own task (what replaying every
 * sample, or pinning every earlier input, gives ridgeless). Group k's labels are ḡ + δ + ε with ḡ = Σ p_k f*_k
 * (p_k = N_k/N) and δ = f*_k − ḡ on group k: δ has mean zero at every x over the random assignment of points to
 * groups (the points are i.i.d.), and averaged over the rotation-invariant teachers its variance
 * Σ_l N(d,l) η_l² Σ_k p_k |β_k − β̄|² does not depend on x, so it enters the single-task deterministic
 * equivalent as label noise beside σ². For ρ = 1 it is the single-task curve at N = Σ N_k.
 */
export function jointTheory(spec: MercerSpectrum, c: ChainSpec): { errors: number[][]; kappa: number[] } {
  const n = c.sizes.length;
  const L = spec.eta.length;
  const beta = chainTeachers(n, c.rho);
  const eta2 = Array.from(spec.eta, (e) => e * e);
  const power = eta2.reduce((s, e, l) => s + spec.mult[l]! * e, 0);
  const errors: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const kappa: number[] = [];
  for (let m = 0; m < n; m++) {
    const N = c.sizes.slice(0, m + 1).reduce((s, x) => s + x, 0);
    const p = c.sizes.slice(0, m + 1).map((x) => (N > 0 ? x / N : 0));
    const bar = new Array<number>(n).fill(0);
    p.forEach((pk, k) => beta[k]!.forEach((b, i) => (bar[i]! += pk * b)));
    const spread = p.reduce((s, pk, k) => s + pk * dot(sub(beta[k]!, bar), sub(beta[k]!, bar)), 0);
    const k = N > 0 ? solveKappa(spec, N, c.ridge) : Infinity;
    kappa.push(k);
    const s = Array.from(spec.eta, (e) => (N > 0 ? k / (N * Math.max(0, e) + k) : 1));
    const w = Array.from(spec.eta, (e) => (N > 0 ? (N * e * e) / (N * Math.max(0, e) + k) ** 2 : 0));
    let gamma = 0;
    let S = 0;
    for (let l = 0; l < L; l++) {
      gamma += spec.mult[l]! * w[l]!;
      S += spec.mult[l]! * s[l]! ** 2 * eta2[l]! * dot(bar, bar);
    }
    const shared = gamma < 1 ? (S + c.noise ** 2 + power * spread) / (1 - gamma) : Infinity;
    for (let t = 0; t < n; t++) {
      const dvec = sub(bar, beta[t]!);
      let E = 0;
      for (let l = 0; l < L; l++) {
        // f̂ − f*_t = (ḡ − f*_t) + e, E[e|teachers] = −s ḡ, E[e²] = s²ḡ² + w·shared per mode.
        const q = s[l]! ** 2 * eta2[l]! * dot(bar, bar) + (w[l]! > 0 ? w[l]! * shared : 0);
        E += spec.mult[l]! * (eta2[l]! * (dot(dvec, dvec) - 2 * s[l]! * dot(dvec, bar)) + q);
      }
      errors[t]![m] = E;
    }
  }
  return { errors, kappa };
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const sub = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x - b[i]!);

/**
 * The theory of a corrected chain, or why there is none. Exact to the deterministic equivalent: no correction, the
 * balanced step, and (ridgeless) replaying every sample or anchoring at every earlier input, which are one joint
 * regression. Replaying part of the samples, or anchoring with λ > 0, re-fits points the earlier stages already fit:
 * they are not fresh samples, which the per-mode equivalent needs, and no formula is derived for them here.
 */
export function correctedTheory(
  spec: MercerSpectrum,
  c: ChainSpec,
  correction: Correction,
): { errors: number[][]; kappa: number[] } | { errors: null; why: string } {
  if (correction.kind === 'ewc') return { errors: null, why: 'EWC anchors parameters: the kernel model has none' };
  const steps = c.sizes.map((_, m) => stepOf(correction, c.sizes, m));
  if (correction.kind === 'none' || correction.kind === 'balanced') return chainTheory(spec, c, steps);
  if (correction.kind === 'replay' && correction.keep === 0) return chainTheory(spec, c);
  if (correction.kind === 'anchor' && correction.weight === 0) return chainTheory(spec, c);
  const earlier = c.sizes.slice(0, -1);
  const all = correction.kind === 'anchor' || earlier.every((n) => correction.keep >= n);
  if (c.ridge === 0 && all) return jointTheory(spec, c);
  return {
    errors: null,
    why:
      correction.kind === 'replay'
        ? c.ridge === 0
          ? 'replaying part of the samples re-fits points the earlier stages already fit; no formula is derived for that (Monte Carlo only)'
          : 'replay with a ridge λ > 0 re-fits points the earlier stages already fit; no formula is derived for that (Monte Carlo only)'
        : 'the anchor with a ridge λ > 0 re-fits the earlier inputs; no formula is derived for that (Monte Carlo only; ridgeless, it is the joint regression)',
  };
}
