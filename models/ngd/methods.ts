// One step of gradient descent and of natural-gradient descent with the exact Fisher and its
// approximations (Karakida & Osawa, NeurIPS 2020; unit-wise: Amari, Karakida & Oizumi, AISTATS 2019),
// every one in the dual: the step is Δθ = (G̃ + ρI)⁻¹ Jᵀ r with G̃ the method's approximation of JᵀJ
// (= N·F), r = f − y, expressed as per-layer updates ΔΩ̃_l = E_lᵀ V_l H̃_l (models/ngd/network.ts).
// Nothing of size P × P is formed; what is solved has the size of the training rows n = N·C.
//   gd                 Δθ = Jᵀ r / N (the gradient of ½·mean|f − y|²)
//   exact              Δθ = Jᵀ (Θ + ρ)⁻¹ r,  Θ = J Jᵀ
//   block-diagonal     Δθ_l = J_lᵀ (Θ_l + ρ)⁻¹ r
//   block-tridiagonal  Δθ_l = J_lᵀ v_l with Σ_{|m−l|≤1} Θ_m v_m + ρ v_l = r  (ρ = 0: v_l = c_l Θ_l⁻¹ r, c = T⁻¹1)
//   kfac               Δθ_l = (N·B_l ⊗ A_l + ρ)⁻¹ ∇, B = Σ δδᵀ/N, A = Σ h̃h̃ᵀ/N, in their eigenbases from the n × n duals
//   unit-wise          Δθ_i = J_iᵀ (J_i J_iᵀ + ρ)⁻¹ r for every unit i (its incoming weights and bias)
import { eigh } from '../linalg/dense.ts';
import { choleskyJs, cholSolveJs, luFactor, luSolve } from '../linalg/small.ts';
import { depthOf, fullTheta, type Linearisation, type NtkNet } from './network.ts';
import { layerFunctionStep, type LayerUpdate } from './steps.ts';

export const NGD_METHODS = ['gd', 'exact', 'block-diagonal', 'block-tridiagonal', 'kfac', 'unit-wise'] as const;
export type NgdMethod = (typeof NGD_METHODS)[number];

export class NgdError extends Error {}

const notPd = (what: string) =>
  new NgdError(`${what} is singular at this damping (ρ = 0 needs it invertible): set a damping ρ > 0`);

/** A method's preconditioner at the current parameters: the update for any residual, and the function-space kernel it induces. */
export interface Preconditioner {
  /** Per-layer updates for the residual r (length n); the step is θ ← θ − η Δθ. */
  apply(r: Float64Array): LayerUpdate[];
  /** K = J (G̃ + ρ)⁻¹ Jᵀ (n × n): a step moves the training outputs by −η K r. Null where too costly (the reason in `kernelNote`). */
  kernel(): Float64Array | null;
  kernelNote: string | null;
}

/** T⁻¹1 for the L × L tridiagonal matrix of ones, or null when it is singular (L = 3s + 2). */
export function tridiagonalCoefficients(L: number): number[] | null {
  const T = new Float64Array(L * L);
  for (let i = 0; i < L; i++) for (let j = Math.max(0, i - 1); j <= Math.min(L - 1, i + 1); j++) T[i * L + j] = 1;
  const lu = luFactor(T, L, 1e-10);
  return lu ? [...luSolve(lu, new Float64Array(L).fill(1))] : null;
}

const identityMinus = (n: number, rho: number, inv: Float64Array) => {
  // A (A + ρ)⁻¹ = I − ρ (A + ρ)⁻¹
  const K = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) K[i] = -rho * inv[i]!;
  for (let i = 0; i < n; i++) K[i * n + i]! += 1;
  return K;
};

/** (A + ρI)⁻¹ from a Cholesky factor, column by column. */
function inverseOf(L: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const x = cholSolveJs(L, e, n);
    for (let i = 0; i < n; i++) inv[i * n + j] = x[i]!;
  }
  return inv;
}

function damped(A: Float64Array, n: number, rho: number): Float64Array {
  const out = Float64Array.from(A);
  for (let i = 0; i < n; i++) out[i * n + i]! += rho;
  return out;
}

function gd(net: NtkNet, lin: Linearisation): Preconditioner {
  const L = depthOf(net);
  return {
    apply: (r) => Array.from({ length: L }, () => ({ v: r.map((x) => x / lin.T) })),
    kernel: () => fullTheta(lin).map((x) => x / lin.T),
    kernelNote: null,
  };
}

function exact(lin: Linearisation, L: number, rho: number): Preconditioner {
  const n = lin.n;
  const chol = choleskyJs(damped(fullTheta(lin), n, rho), n);
  if (!chol) throw notPd('the NTK Gram Θ = JJᵀ');
  return {
    apply: (r) => {
      const v = cholSolveJs(chol, r, n);
      return Array.from({ length: L }, () => ({ v }));
    },
    kernel: () => identityMinus(n, rho, inverseOf(chol, n)),
    kernelNote: null,
  };
}

function blockDiagonal(lin: Linearisation, rho: number): Preconditioner {
  const n = lin.n;
  const chols = lin.theta.map((th, l) => {
    const c = choleskyJs(damped(th, n, rho), n);
    if (!c) throw notPd(`layer ${l + 1}'s NTK Θ_${l + 1}`);
    return c;
  });
  return {
    apply: (r) => chols.map((c) => ({ v: cholSolveJs(c, r, n) })),
    kernel: () => {
      const K = new Float64Array(n * n);
      for (const c of chols) {
        const k = identityMinus(n, rho, inverseOf(c, n));
        for (let i = 0; i < K.length; i++) K[i]! += k[i]!;
      }
      return K;
    },
    kernelNote: null,
  };
}

function blockTridiagonal(net: NtkNet, lin: Linearisation, rho: number): Preconditioner {
  const L = depthOf(net);
  const n = lin.n;
  // Two layers: every block is adjacent, so the approximation is the exact Fisher.
  if (L <= 2) return exact(lin, L, rho);
  if (rho === 0) {
    const c = tridiagonalCoefficients(L);
    if (!c)
      throw new NgdError(
        `block-tri-diagonal NGD at depth ${L} (= 3s + 2) has a singular layer system without damping: set ρ > 0`,
      );
    const chols = lin.theta.map((th, l) => {
      const ch = choleskyJs(th, n);
      if (!ch) throw notPd(`layer ${l + 1}'s NTK Θ_${l + 1}`);
      return ch;
    });
    const apply = (r: Float64Array) => chols.map((ch, l) => ({ v: cholSolveJs(ch, r, n).map((x) => c[l]! * x) }));
    return { apply, kernel: () => kernelByColumns(net, lin, apply), kernelNote: null };
  }
  // Σ_{|m−l|≤1} Θ_m v_m + ρ v_l = r for every layer l: one (L·n)² system, not symmetric.
  const N = L * n;
  const A = new Float64Array(N * N);
  for (let l = 0; l < L; l++)
    for (let m = Math.max(0, l - 1); m <= Math.min(L - 1, l + 1); m++) {
      const th = lin.theta[m]!;
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) A[(l * n + a) * N + m * n + b] = th[a * n + b]! + (l === m && a === b ? rho : 0);
    }
  const lu = luFactor(A, N);
  if (!lu) throw notPd('the block-tri-diagonal system');
  const apply = (r: Float64Array) => {
    const rhs = new Float64Array(N);
    for (let l = 0; l < L; l++) rhs.set(r, l * n);
    const v = luSolve(lu, rhs);
    return Array.from({ length: L }, (_, l) => ({ v: v.slice(l * n, (l + 1) * n) }));
  };
  return { apply, kernel: () => kernelByColumns(net, lin, apply), kernelNote: null };
}

/** K column by column: the function-space step of the update for each unit residual. */
function kernelByColumns(net: NtkNet, lin: Linearisation, apply: (r: Float64Array) => LayerUpdate[]): Float64Array {
  const n = lin.n;
  const K = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const ups = apply(e);
    ups.forEach((up, l) => {
      const col = layerFunctionStep(net, lin, l, up);
      for (let i = 0; i < n; i++) K[i * n + j]! += col[i]!;
    });
  }
  return K;
}

/** Eigenpairs of a PSD dual Gram with the (numerically) zero ones dropped: the pseudo-inverse's support. */
function positiveEigen(G: Float64Array, n: number): { s: number[]; U: Float64Array; r: number } {
  const { values, vectors } = eigh(G, n, { vectors: true });
  const top = Math.max(0, ...values);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (values[i]! > 1e-10 * top) keep.push(i);
  const r = keep.length;
  const U = new Float64Array(n * r);
  for (let a = 0; a < n; a++) for (let q = 0; q < r; q++) U[a * r + q] = vectors![a * n + keep[q]!]!;
  return { s: keep.map((i) => values[i]!), U, r };
}

function kfac(lin: Linearisation, rho: number): Preconditioner {
  const { n, T, C } = lin;
  // B_l = DᵀD/N and A_l = H̃ᵀH̃/N share their nonzero eigenvalues with the duals D Dᵀ/N, H̃ H̃ᵀ/N;
  // the gradient lies in the span of their eigenvectors, so the damped Kronecker inverse acts there only.
  const layers = lin.DD.map((dd, l) => ({ b: positiveEigen(dd, n), a: positiveEigen(lin.Kh[l]!, T) }));
  const apply = (r: Float64Array): LayerUpdate[] =>
    layers.map(({ a, b }) => {
      // Y = U_bᵀ R U_a with R[row, t] = r_row [t = t_row]; V = U_b (Y ⊘ (s_b s_aᵀ/N + ρ)) U_aᵀ.
      const Y = new Float64Array(b.r * a.r);
      for (let row = 0; row < n; row++) {
        const rv = r[row]!;
        if (rv === 0) continue;
        const t = Math.floor(row / C);
        for (let i = 0; i < b.r; i++) {
          const c = b.U[row * b.r + i]! * rv;
          for (let q = 0; q < a.r; q++) Y[i * a.r + q]! += c * a.U[t * a.r + q]!;
        }
      }
      for (let i = 0; i < b.r; i++) for (let q = 0; q < a.r; q++) Y[i * a.r + q]! /= (b.s[i]! * a.s[q]!) / T + rho;
      const YU = new Float64Array(b.r * T); // Y U_aᵀ
      for (let i = 0; i < b.r; i++)
        for (let t = 0; t < T; t++) {
          let s = 0;
          for (let q = 0; q < a.r; q++) s += Y[i * a.r + q]! * a.U[t * a.r + q]!;
          YU[i * T + t] = s;
        }
      const V = new Float64Array(n * T);
      for (let row = 0; row < n; row++)
        for (let i = 0; i < b.r; i++) {
          const u = b.U[row * b.r + i]!;
          if (u === 0) continue;
          for (let t = 0; t < T; t++) V[row * T + t]! += u * YU[i * T + t]!;
        }
      return { V };
    });
  const kernel = () => {
    // K[a, j] = Σ_l Σ_{i,q} U_b[a,i] U_b[j,i] U_a[t_a,q] U_a[t_j,q] · w_iq,  w_iq = s_b,i s_a,q / (s_b,i s_a,q/N + ρ)
    const K = new Float64Array(n * n);
    for (const { a, b } of layers) {
      const G = new Float64Array(b.r * T * T);
      for (let i = 0; i < b.r; i++)
        for (let q = 0; q < a.r; q++) {
          const w = (b.s[i]! * a.s[q]!) / ((b.s[i]! * a.s[q]!) / T + rho);
          for (let t1 = 0; t1 < T; t1++) {
            const u1 = a.U[t1 * a.r + q]! * w;
            for (let t2 = 0; t2 < T; t2++) G[(i * T + t1) * T + t2]! += u1 * a.U[t2 * a.r + q]!;
          }
        }
      for (let x = 0; x < n; x++)
        for (let y = 0; y < n; y++) {
          const t1 = Math.floor(x / C);
          const t2 = Math.floor(y / C);
          let s = 0;
          for (let i = 0; i < b.r; i++) s += b.U[x * b.r + i]! * b.U[y * b.r + i]! * G[(i * T + t1) * T + t2]!;
          K[x * n + y]! += s;
        }
    }
    return K;
  };
  return { apply, kernel, kernelNote: null };
}

/** The largest units × n³ the unit-wise kernel is computed for (about 10 s here, `npm run bench`'s NGD rows). */
const UNIT_KERNEL_BUDGET = 4e9;

function unitWise(net: NtkNet, lin: Linearisation, rho: number): Preconditioner {
  const { n, T, C } = lin;
  const L = depthOf(net);
  /** Unit i of layer l: its rows' support, and the factor of (d dᵀ ∘ S K̃ Sᵀ + ρ) there. */
  const unit = (l: number, i: number) => {
    const m = net.widths[l + 1]!;
    const D = lin.D[l]!;
    const Kh = lin.Kh[l]!;
    const rows: number[] = [];
    for (let a = 0; a < n; a++) if (D[a * m + i] !== 0) rows.push(a);
    const k = rows.length;
    const A = new Float64Array(k * k);
    for (let x = 0; x < k; x++)
      for (let y = 0; y < k; y++) {
        const a = rows[x]!;
        const b = rows[y]!;
        A[x * k + y] = D[a * m + i]! * D[b * m + i]! * Kh[Math.floor(a / C) * T + Math.floor(b / C)]! + (x === y ? rho : 0);
      }
    const chol = k ? choleskyJs(A, k) : new Float64Array(0);
    if (!chol) throw notPd(`unit ${i + 1} of layer ${l + 1}'s block J_i J_iᵀ`);
    return { rows, chol, k };
  };
  const apply = (r: Float64Array): LayerUpdate[] =>
    Array.from({ length: L }, (_, l) => {
      const m = net.widths[l + 1]!;
      const D = lin.D[l]!;
      const E = new Float64Array(n * m);
      for (let i = 0; i < m; i++) {
        const { rows, chol, k } = unit(l, i);
        if (!k) continue;
        const c = cholSolveJs(
          chol,
          rows.map((a) => r[a]!),
          k,
        );
        rows.forEach((a, x) => (E[a * m + i] = c[x]! * D[a * m + i]!));
      }
      return { E, v: new Float64Array(n).fill(1) };
    });
  const units = net.widths.slice(1).reduce((s, m) => s + m, 0);
  const affordable = rho === 0 || units * n ** 3 <= UNIT_KERNEL_BUDGET;
  const kernel = () => {
    if (!affordable) return null;
    const K = new Float64Array(n * n);
    for (let l = 0; l < L; l++)
      for (let i = 0; i < net.widths[l + 1]!; i++) {
        const { rows, chol, k } = unit(l, i);
        // Without damping a unit's term is the projector on its rows (its block is invertible there, as the factor shows).
        const Ki = rho === 0 ? null : identityMinus(k, rho, inverseOf(chol, k));
        rows.forEach((a, x) => rows.forEach((b, y) => (K[a * n + b]! += Ki ? Ki[x * k + y]! : x === y ? 1 : 0)));
      }
    return K;
  };
  return {
    apply,
    kernel,
    kernelNote: affordable ? null : `not computed: ${units} units × n³ = ${(units * n ** 3).toExponential(1)} operations`,
  };
}

export function preconditioner(method: NgdMethod, net: NtkNet, lin: Linearisation, rho: number): Preconditioner {
  const L = depthOf(net);
  switch (method) {
    case 'gd':
      return gd(net, lin);
    case 'exact':
      return exact(lin, L, rho);
    case 'block-diagonal':
      return blockDiagonal(lin, rho);
    case 'block-tridiagonal':
      return blockTridiagonal(net, lin, rho);
    case 'kfac':
      return kfac(lin, rho);
    case 'unit-wise':
      return unitWise(net, lin, rho);
  }
}

/** The function-space step of a set of layer updates on the training rows: J Δθ. */
export function functionStep(net: NtkNet, lin: Linearisation, ups: LayerUpdate[]): Float64Array {
  const out = new Float64Array(lin.n);
  ups.forEach((up, l) => {
    const s = layerFunctionStep(net, lin, l, up);
    for (let i = 0; i < out.length; i++) out[i]! += s[i]!;
  });
  return out;
}
