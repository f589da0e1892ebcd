// The spectrum of the conditional Fisher information of one input, J Jᵀ (M outputs, all widths M),
// by free probability (Hayase & Karakida, AISTATS 2021; the recursion and numerics here are
// Kairo's own). With S_l = Σ_{k≤l} c_k (∂u^l/∂u^k)(∂u^l/∂u^k)ᵀ and c_k = |h^{k−1}|² + 1,
//   S_1 = c_1 I,   S_{l+1} = W_{l+1} D_l S_l D_l W_{l+1}ᵀ + c_{l+1} I,   J Jᵀ = S_L,
// D_l = diag φ′(u^l). At large M, with W Haar or Gaussian and asymptotic freeness, the law of
// S_{l+1}/M is (law(S_l/M) ⊠ law(D_l²) ⊠ law(WᵀW)) shifted by c_{l+1}/M → q̂^l + 1/M. WᵀW is σ_w² I
// for orthogonal weights and Marchenko–Pastur (ratio 1, scale σ_w²) for Gaussian ones; D_l² has
// the law of φ′(√q_l g)², g ~ N(0, 1), at the layer's variance q_l from the length map.
// Two independent routes: exact moments through the free moment–cumulant formulas, and the
// density by numerical subordination (Belinschi & Bercovici 2007) on atom measures.
import { dphi, phi, type Activation } from '../ntk/activations.ts';
import { gaussHermite } from './theory.ts';

/** A probability measure on [0, ∞) as atoms t_i with weights w_i (Σ w = 1). */
export interface Atoms {
  t: Float64Array;
  w: Float64Array;
}

export interface IsometryTheoryInput {
  activation: Activation;
  width: number;
  depth: number;
  sigmaW2: number;
  sigmaB2: number;
  weights: 'gaussian' | 'orthogonal';
  /** |x|²/M of the input. */
  inputQ: number;
}

/** The shifts c_l/M (l = 1 … L) and the laws of D_l² at each layer's variance q_l (l = 1 … L−1). */
export function isometryLayers(p: IsometryTheoryInput): { shift: number[]; d2: Atoms[] } {
  const { x, w } = gaussHermite(96);
  const M = p.width;
  const shift = [p.inputQ + 1 / M];
  const d2: Atoms[] = [];
  let ql = p.sigmaW2 * p.inputQ + p.sigmaB2;
  for (let l = 1; l < p.depth; l++) {
    const s = Math.sqrt(ql);
    let qh = 0;
    const t = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      qh += w[i]! * phi(p.activation, s * x[i]!) ** 2;
      t[i] = dphi(p.activation, s * x[i]!) ** 2;
    }
    d2.push({ t, w: Float64Array.from(w) });
    shift.push(qh + 1 / M);
    ql = p.sigmaW2 * qh + p.sigmaB2;
  }
  return { shift, d2 };
}

// ---------- moments ----------

export type Moments3 = [number, number, number];

const momentsOf = (a: Atoms): Moments3 => {
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < a.t.length; i++) {
    const t = a.t[i]!;
    m1 += a.w[i]! * t;
    m2 += a.w[i]! * t * t;
    m3 += a.w[i]! * t * t * t;
  }
  return [m1, m2, m3];
};

/**
 * Moments of ab for free a, b from φ((ab)ⁿ) = Σ_{π ∈ NC(n)} κ_π[a] φ_{K(π)}[b]:
 * m1 = κ1 b1, m2 = κ2 b1² + κ1² b2, m3 = κ3 b1³ + 3κ2κ1 b2 b1 + κ1³ b3.
 */
export function freeProductMoments(a: Moments3, b: Moments3): Moments3 {
  const [a1, a2, a3] = a;
  const k1 = a1;
  const k2 = a2 - a1 * a1;
  const k3 = a3 - 3 * a1 * a2 + 2 * a1 ** 3;
  const [b1, b2, b3] = b;
  return [k1 * b1, k2 * b1 * b1 + k1 * k1 * b2, k3 * b1 ** 3 + 3 * k2 * k1 * b2 * b1 + k1 ** 3 * b3];
}

const shifted = ([m1, m2, m3]: Moments3, c: number): Moments3 => [
  m1 + c,
  m2 + 2 * c * m1 + c * c,
  m3 + 3 * c * m2 + 3 * c * c * m1 + c ** 3,
];

/** Marchenko–Pastur, ratio 1, scale s: moments s, 2s², 5s³ (Catalan numbers). */
const mpMoments = (s: number): Moments3 => [s, 2 * s * s, 5 * s ** 3];

/** The first three moments of the eigenvalues of J Jᵀ (not divided by M). */
export function isometryMoments(p: IsometryTheoryInput): Moments3 {
  const { shift, d2 } = isometryLayers(p);
  let m: Moments3 = [shift[0]!, shift[0]! ** 2, shift[0]! ** 3];
  for (let l = 1; l < p.depth; l++) {
    m = freeProductMoments(m, momentsOf(d2[l - 1]!));
    const s = p.sigmaW2;
    m = freeProductMoments(m, p.weights === 'orthogonal' ? [s, s * s, s ** 3] : mpMoments(s));
    m = shifted(m, shift[l]!);
  }
  const M = p.width;
  return [m[0] * M, m[1] * M * M, m[2] * M ** 3];
}

// ---------- density by subordination ----------

interface C {
  re: number;
  im: number;
}
const mul = (a: C, b: C): C => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
const div = (a: C, b: C): C => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};

/** η_μ(z)/z with ψ_μ(z) = Σ w zt/(1 − zt), η = ψ/(1 + ψ). */
function hOf(m: Atoms, z: C): C {
  let re = 0;
  let im = 0;
  for (let i = 0; i < m.t.length; i++) {
    const t = m.t[i]!;
    if (t === 0) continue;
    const ar = z.re * t;
    const ai = z.im * t;
    const br = 1 - ar;
    const bi = -ai;
    const d = br * br + bi * bi;
    re += (m.w[i]! * (ar * br + ai * bi)) / d;
    im += (m.w[i]! * (ai * br - ar * bi)) / d;
  }
  const eta = div({ re, im }, { re: 1 + re, im });
  return div(eta, z);
}

/**
 * The density of μ ⊠ ν at the grid points x (> 0), smoothed at height ε: with z = 1/(x + iε),
 * ω₁ is the fixed point of ω ↦ z h_ν(z h_μ(ω)) (its Denjoy–Wolff point), η_{μ⊠ν}(z) = η_μ(ω₁),
 * G(x + iε) = (1 + ψ)/(x + iε) and the density is −Im G/π. Each grid point starts from the
 * previous one's ω₁. `zeroMass` (the product's atom at 0) is taken out of G first, so its
 * smoothed tail does not count as density.
 */
export function freeProductDensity(mu: Atoms, nu: Atoms, x: Float64Array, eps: number, zeroMass = 0): Float64Array {
  const out = new Float64Array(x.length);
  let omega: C | null = null;
  for (let j = 0; j < x.length; j++) {
    const zeta = { re: x[j]!, im: eps };
    const z = div({ re: 1, im: 0 }, zeta);
    let w: C = omega ?? z;
    for (let it = 0; it < 2000; it++) {
      const w2 = mul(z, hOf(mu, w));
      const next = mul(z, hOf(nu, w2));
      const change = Math.hypot(next.re - w.re, next.im - w.im);
      w = next;
      if (change < 1e-13 * Math.hypot(w.re, w.im)) break;
    }
    omega = w;
    const eta = mul(w, hOf(mu, w));
    const psi = div(eta, { re: 1 - eta.re, im: -eta.im });
    const G = div({ re: 1 + psi.re - zeroMass, im: psi.im }, zeta);
    out[j] = Math.max(0, -G.im / Math.PI);
  }
  return out;
}

const massAtZero = (a: Atoms) => a.t.reduce((s, t, i) => (t === 0 ? s + a.w[i]! : s), 0);

/** Tolerance on the mass a sharp density's grid may miss before the smoothed one is used instead. */
const SHARP_MASS_TOL = 1e-3;

/**
 * μ ⊠ ν as atoms: the atom at 0 of mass max(μ({0}), ν({0})) (the kernel of a product of free
 * elements) and the continuous part from the density on a grid of `points`, scaled to the rest.
 * The norm bound max μ · max ν can lie far above the support (Marchenko–Pastur factors): a
 * coarse, barely smoothed pass finds where the density ends; the fine grid stops two coarse cells
 * past it.
 *
 * The fine density is first taken sharp, at height ε = dx/1000. Smoothing at ε = dx/4 puts ~10⁻³
 * of the mass past the edge at every layer; kept as mass, L − 1 layers moved λ_max of an
 * orthogonal tanh net at depth 16 22 % above sampled networks. When the sharp grid accounts for its
 * mass within 10⁻³, what it misses is spread over the grid. Otherwise the density is rough on the
 * grid's scale or singular at 0 (Marchenko–Pastur factors, saturated units): it is smoothed at
 * ε = dx/4 and the missing mass goes into one atom placed so that the product keeps its exact
 * mean, mean(μ)·mean(ν) (free products multiply means).
 */
export function freeProduct(mu: Atoms, nu: Atoms, points = 500): Atoms {
  // A point mass only scales the other law.
  const single = (a: Atoms) =>
    a.t.length === 1 || a.w.filter((w) => w > 0).length === 1 ? a.t[a.w.findIndex((w) => w > 0)]! : null;
  const a = single(mu);
  const b = single(nu);
  if (a !== null) return { t: nu.t.map((t) => t * a), w: Float64Array.from(nu.w) };
  if (b !== null) return { t: mu.t.map((t) => t * b), w: Float64Array.from(mu.w) };
  const zero = Math.max(massAtZero(mu), massAtZero(nu));
  const grid = (top: number, n: number) => {
    const dx = top / n;
    return { dx, x: Float64Array.from({ length: n }, (_, j) => (j + 0.5) * dx) };
  };
  const bound = 1.02 * Math.max(...mu.t) * Math.max(...nu.t);
  // Barely smoothed (ε = dx/20), so the Lorentzian tails of the smoothing do not hide the edge.
  const coarse = grid(bound, 400);
  const fc = freeProductDensity(mu, nu, coarse.x, coarse.dx / 20, zero);
  const peak = Math.max(...fc);
  let last = coarse.x.length - 1;
  while (last > 0 && fc[last]! < 1e-4 * peak) last--;
  const { dx, x } = grid(Math.min(bound, coarse.x[last]! + 2 * coarse.dx), points);
  const massOf = (w: Float64Array) => w.reduce((s2, v) => s2 + v, 0);
  const sharp = freeProductDensity(mu, nu, x, dx / 1000, zero).map((v) => v * dx);
  const sharpMissing = 1 - zero - massOf(sharp);
  const extra: number[][] = [];
  let w = sharp;
  if (Math.abs(sharpMissing) <= SHARP_MASS_TOL) w.forEach((v, i) => (w[i] = (v * (1 - zero)) / (1 - zero - sharpMissing)));
  else {
    w = freeProductDensity(mu, nu, x, dx / 4, zero).map((v) => v * dx);
    const missing = 1 - zero - massOf(w);
    const mean = (m: Atoms) => m.t.reduce((s2, t, i) => s2 + t * m.w[i]!, 0);
    const target = mean(mu) * mean(nu);
    const have = x.reduce((s2, t, i) => s2 + t * w[i]!, 0);
    if (missing > 1e-12) extra.push([Math.min(x.at(-1)!, Math.max(0, (target - have) / missing)), missing]);
    else if (missing < 0) w.forEach((v, i) => (w[i] = (v * (1 - zero)) / (1 - zero - missing)));
  }
  const ts = [...(zero > 0 ? [0] : []), ...extra.map((e) => e[0]!), ...x];
  const ws = [...(zero > 0 ? [zero] : []), ...extra.map((e) => e[1]!), ...w];
  const order = ts.map((_, i) => i).sort((i, j) => ts[i]! - ts[j]!);
  return { t: Float64Array.from(order, (i) => ts[i]!), w: Float64Array.from(order, (i) => ws[i]!) };
}

/** Marchenko–Pastur (ratio 1, scale s) as `n` atoms at its quantiles' midpoints (CDF by quadrature of the density). */
export function marchenkoPastur(s: number, n = 300): Atoms {
  const fine = 20000;
  const du = 4 / fine;
  const cdf = new Float64Array(fine + 1);
  for (let k = 1; k <= fine; k++) {
    const u = (k - 0.5) * du;
    cdf[k] = cdf[k - 1]! + (Math.sqrt(u * (4 - u)) / (2 * Math.PI * u)) * du;
  }
  const t = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const target = ((i + 0.5) / n) * cdf[fine]!;
    while (k < fine && cdf[k + 1]! < target) k++;
    t[i] = s * (k + 0.5) * du;
  }
  return { t, w: new Float64Array(n).fill(1 / n) };
}

export interface IsometryDensity {
  /** The law of J Jᵀ's eigenvalues (not divided by M) as atoms: grid cells of the density and true atoms. */
  t: number[];
  w: number[];
  /** The largest eigenvalue: the (1 − 10⁻⁴) quantile of the law (for a square-root edge, within ~0.2 % of the support's width). */
  lambdaMax: number;
}

/**
 * The limiting law of J Jᵀ's eigenvalues by the recursion, each layer's law as atoms on `points`
 * grid cells. Orthogonal nets take the sharp density, whose edge needs the finer grid: λ_max/M of
 * an orthogonal tanh net at depth 16 is 0.575 on 300 cells, 0.5293 on 1,200 and on 2,400.
 */
export function isometryDensity(p: IsometryTheoryInput, points = p.weights === 'orthogonal' ? 1200 : 300): IsometryDensity {
  const { shift, d2 } = isometryLayers(p);
  const M = p.width;
  let mu: Atoms = { t: Float64Array.of(shift[0]!), w: Float64Array.of(1) };
  const mp = p.weights === 'gaussian' ? marchenkoPastur(p.sigmaW2) : null;
  for (let l = 1; l < p.depth; l++) {
    const law = d2[l - 1]!;
    // A constant φ′² (linear units) only scales.
    const constant = law.t.every((v) => Math.abs(v - law.t[0]!) < 1e-15);
    mu = constant ? { t: mu.t.map((v) => v * law.t[0]!), w: mu.w } : freeProduct(mu, law, points);
    mu = mp ? freeProduct(mu, mp, points) : { t: mu.t.map((v) => v * p.sigmaW2), w: mu.w };
    mu = { t: mu.t.map((v) => v + shift[l]!), w: mu.w };
  }
  const order = Array.from(mu.t, (_, i) => i).sort((i, j) => mu.t[i]! - mu.t[j]!);
  const t = order.map((i) => mu.t[i]! * M);
  const w = order.map((i) => mu.w[i]!);
  let above = 0;
  let k = t.length - 1;
  while (k > 0 && above + w[k]! < 1e-4) above += w[k--]!;
  return { t, w, lambdaMax: t[k]! };
}

/** The law's mass in each bin [edges[i], edges[i+1]) (the last bin closed), for drawing over a histogram. */
export function binLaw(law: { t: number[]; w: number[] }, edges: number[]): number[] {
  const out = new Array<number>(edges.length - 1).fill(0);
  law.t.forEach((t, i) => {
    let b = edges.findIndex((e, j) => j < edges.length - 1 && t >= e && (t < edges[j + 1]! || j === edges.length - 2));
    if (b < 0 && Math.abs(t - edges.at(-1)!) < 1e-9 * Math.abs(t)) b = edges.length - 2;
    if (b >= 0) out[b]! += law.w[i]!;
  });
  return out;
}
