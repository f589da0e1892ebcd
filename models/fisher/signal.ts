// Signal propagation through a wide random MLP (Poole et al. 2016; Schoenholz et al. 2017; the
// geometry of Amari, Karakida & Oizumi 2019): the length map q_{l+1} = σ_w² E φ(√q_l z)² + σ_b²
// of a pre-activation's variance, the correlation map of two inputs
// c_{l+1} = (σ_w² E φ(u)φ(v) + σ_b²)/q_{l+1} (u, v with variance q_l and correlation c_l),
// their fixed points, χ₁ = σ_w² E φ'(√q* z)² (order below 1, chaos above), the depth scales,
// and the same quantities measured on sampled networks.
import { gaussian } from '../common/rng.ts';
import { phi, type Activation } from '../ntk/activations.ts';
import { diagonalMoments, moments } from './theory.ts';

export interface SignalParams {
  activation: Activation;
  sigmaW2: number;
  sigmaB2: number;
  /** |x|²/M₀ of both inputs, and their correlation x·x'/|x|². */
  q0: number;
  c0: number;
  depth: number;
}

export interface SignalLayer {
  /** Layer l = 1 … depth: pre-activation variance q_l and correlation c_l of the two inputs' pre-activations. */
  l: number;
  q: number;
  c: number;
}

/** q_{l+1} from q_l: the length map (for l = 0 its argument is |x|²/M₀ itself, not a pre-activation). */
export function lengthMap(act: Activation, sigmaW2: number, sigmaB2: number, q: number): number {
  return sigmaW2 * diagonalMoments(act, q).e11 + sigmaB2;
}

/** c_{l+1} from (q_l, c_l), both inputs of variance q_l. */
export function correlationMap(act: Activation, sigmaW2: number, sigmaB2: number, q: number, c: number): number {
  const qn = lengthMap(act, sigmaW2, sigmaB2, q);
  return (sigmaW2 * moments(act, q, c * q).e12 + sigmaB2) / qn;
}

/** The recursion's layers: the first from the inputs (q¹ = σ_w² q₀ + σ_b²), then the maps. */
export function signalTheory(p: SignalParams): SignalLayer[] {
  const out: SignalLayer[] = [];
  let q = p.sigmaW2 * p.q0 + p.sigmaB2;
  let c = (p.sigmaW2 * p.c0 * p.q0 + p.sigmaB2) / q;
  for (let l = 1; l <= p.depth; l++) {
    out.push({ l, q, c });
    const qn = lengthMap(p.activation, p.sigmaW2, p.sigmaB2, q);
    c = Math.min(1, (p.sigmaW2 * moments(p.activation, q, c * q).e12 + p.sigmaB2) / qn);
    q = qn;
  }
  return out;
}

export interface FixedPoint {
  /** q*: null where the length map has none (the variance grows without bound). */
  q: number | null;
  /** The stable fixed point of the correlation map at q*: 1 in the ordered phase. */
  c: number | null;
  /** χ₁ = σ_w² E φ'(√q* z)²: the slope of the correlation map at c = 1. */
  chi1: number | null;
  /** Depth scales ξ = −1/ln χ of the length and correlation maps at their fixed points (null where χ ≥ 1 or undefined). */
  xiQ: number | null;
  xiC: number | null;
}

const slope = (f: (x: number) => number, x: number) => {
  const h = 1e-5 * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
};
const depthScale = (chi: number) => (chi > 0 && chi < 1 ? -1 / Math.log(chi) : null);

/**
 * The fixed points the maps reach from q = `start` (and, at q*, from c < 1). The length map is
 * increasing, so iteration moves monotonically to the first root of g(q) = map(q) − q in the
 * direction of g(start); that root is bracketed (doubling, up to 10¹²: past it the variance grows
 * without bound and there is no q*) and found by bisection. Where every q is fixed (ReLU at
 * σ_w² = 2, σ_b² = 0; linear at σ_w² = 1), q* is the start. In the chaotic phase (χ₁ > 1) the
 * stable correlation c* < 1 is the root of map(c) − c below 1, bracketed by [−1, 1 − 10⁻⁶].
 */
export function fixedPoint(act: Activation, sigmaW2: number, sigmaB2: number, start = 1, withC = true): FixedPoint {
  const none = { q: null, c: null, chi1: null, xiQ: null, xiC: null };
  const g = (q: number) => lengthMap(act, sigmaW2, sigmaB2, q) - q;
  const g0 = g(start);
  let q: number;
  if (Math.abs(g0) <= 1e-12 * Math.max(1, start)) q = start;
  else {
    // a: the start's side (g has g0's sign), b: past the root (the other sign, or q = 0 where g(0) ≥ 0).
    let a = start;
    let b = g0 > 0 ? 2 * start : 0;
    if (g0 > 0)
      while (g(b) > 0) {
        a = b;
        b *= 2;
        if (b > 1e12) return none;
      }
    for (let i = 0; i < 200 && Math.abs(a - b) > 1e-15 * Math.max(1, a, b); i++) {
      const mid = (a + b) / 2;
      if (g(mid) > 0 === g0 > 0) a = mid;
      else b = mid;
    }
    q = (a + b) / 2;
  }
  const chi1 = sigmaW2 * diagonalMoments(act, q).d11;
  let c = 1;
  if (withC && chi1 > 1 && q > 0) {
    const h = (x: number) => correlationMap(act, sigmaW2, sigmaB2, q, x) - x;
    let lo = -1;
    let hi = 1 - 1e-6;
    if (h(lo) > 0 && h(hi) < 0) {
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (h(mid) > 0) lo = mid;
        else hi = mid;
      }
      c = (lo + hi) / 2;
    }
  }
  const chiQ = q > 0 ? slope((x) => lengthMap(act, sigmaW2, sigmaB2, x), q) : NaN;
  const chiC = c < 1 ? slope((x) => correlationMap(act, sigmaW2, sigmaB2, q, x), c) : chi1;
  return { q, c: withC ? c : null, chi1, xiQ: depthScale(chiQ), xiC: withC ? depthScale(chiC) : null };
}

/**
 * Two inputs with |x|²/M₀ = q₀ and correlation c₀ through one sampled network of width M (Gaussian
 * weights N(0, σ_w²/M_{l−1}), biases N(0, σ_b²)): the empirical q_l = |u^l|²/M and
 * c_l = u·u'/(|u||u'|) at every layer, for the same layers as signalTheory.
 */
export function signalSampled(p: SignalParams, width: number, rand: () => number): SignalLayer[] {
  const M0 = width;
  // x = √q₀ z, x' = √q₀ (c₀ z + √(1 − c₀²) z'), normalised so |x|²/M₀ = q₀ exactly and x·x' = c₀|x||x'|.
  const z = Float64Array.from({ length: M0 }, () => gaussian(rand));
  const w = Float64Array.from({ length: M0 }, () => gaussian(rand));
  orthonormalise(z, w);
  const s = Math.sqrt(p.q0 * M0);
  const r = Math.sqrt(Math.max(0, 1 - p.c0 * p.c0));
  let a = z.map((v) => v * s);
  let b = z.map((v, i) => s * (p.c0 * v + r * w[i]!));
  const out: SignalLayer[] = [];
  const sw = Math.sqrt(p.sigmaW2);
  const sb = Math.sqrt(p.sigmaB2);
  for (let l = 1; l <= p.depth; l++) {
    const nin = a.length;
    const ua = new Float64Array(width);
    const ub = new Float64Array(width);
    const scale = sw / Math.sqrt(nin);
    for (let i = 0; i < width; i++) {
      const bias = sb * gaussian(rand);
      let sa = 0;
      let sb2 = 0;
      for (let j = 0; j < nin; j++) {
        const wij = scale * gaussian(rand);
        sa += wij * a[j]!;
        sb2 += wij * b[j]!;
      }
      ua[i] = sa + bias;
      ub[i] = sb2 + bias;
    }
    let aa = 0;
    let bb = 0;
    let ab = 0;
    for (let i = 0; i < width; i++) {
      aa += ua[i]! * ua[i]!;
      bb += ub[i]! * ub[i]!;
      ab += ua[i]! * ub[i]!;
    }
    out.push({ l, q: (aa + bb) / (2 * width), c: ab / Math.sqrt(aa * bb) });
    a = ua.map((v) => phi(p.activation, v));
    b = ub.map((v) => phi(p.activation, v));
  }
  return out;
}

/** Makes z a unit vector and w a unit vector orthogonal to it (in place). */
function orthonormalise(z: Float64Array, w: Float64Array): void {
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const nz = norm(z);
  for (let i = 0; i < z.length; i++) z[i] = z[i]! / nz;
  let d = 0;
  for (let i = 0; i < z.length; i++) d += z[i]! * w[i]!;
  for (let i = 0; i < z.length; i++) w[i] = w[i]! - d * z[i]!;
  const nw = norm(w);
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / nw;
}

/** χ₁ at the fixed point over a grid of (σ_w², σ_b²), rows σ_b², columns σ_w²; NaN where q* does not exist. */
export function phaseDiagram(act: Activation, sigmaW2: number[], sigmaB2: number[]): Float64Array {
  const out = new Float64Array(sigmaB2.length * sigmaW2.length);
  sigmaB2.forEach((b, i) =>
    sigmaW2.forEach((w, j) => {
      out[i * sigmaW2.length + j] = fixedPoint(act, w, b, 1, false).chi1 ?? NaN;
    }),
  );
  return out;
}
