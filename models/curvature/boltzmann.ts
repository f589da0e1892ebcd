// The curvature of the Hopfield–Boltzmann lab's exact NLL, in closed form (models/hopfield/
// machine.ts has the NLL and its gradient). Per point, with A_μ = w_μ·v + c_μ, p = softmax(A),
// a_μ = ½‖w_μ‖² + w_μ·b + c_μ and π = softmax(a):
//   ℓ(v) = ½‖v − b‖² − LSE(A) + LSE(a) + (N_v/2) log 2π.
// A is linear in (W, c), so −LSE(A) contributes −Jᵀ(diag p − ppᵀ)J; a is quadratic in (W, b), so
// LSE(a) contributes J_aᵀ(diag π − ππᵀ)J_a plus Σ_μ π_μ ∇²a_μ (∇²a_μ pairs dw_μ with itself and
// with db); ½‖v − b‖² contributes the identity on b. The GB-RBM is the AttnBM whose keys are all
// subset sums of its rows (W' = HW, c' = Hc), a linear map, so its Hessian is Mᵀ H' M. The NLL is
// not a convex loss of network outputs, so there is no Gauss–Newton split: the Hessian and the
// empirical Fisher only. Only the parameters the run trained are θ (b and c may be held fixed).
import { rbmStates, softmax } from '../hopfield/machine.ts';
import type { Operator } from './products.ts';

export interface BoltzmannSpec {
  kind: 'attnbm' | 'gbrbm';
  /** Rows of W: hidden states (AttnBM) or hidden units (GB-RBM). */
  K: number;
  nv: number;
  trainB: boolean;
  trainC: boolean;
}

/** The Hessian or empirical Fisher of the mean NLL over the N rows of V, at (W, b, c). */
export function boltzmannOperator(
  s: BoltzmannSpec,
  W: ArrayLike<number>,
  b: ArrayLike<number>,
  c: ArrayLike<number>,
  V: ArrayLike<number>,
  N: number,
  matrix: 'hessian' | 'empirical-fisher',
): Operator {
  const { K, nv } = s;
  // The mixture's keys: the rows themselves, or every subset sum of them (H, M × K).
  const H = s.kind === 'gbrbm' ? rbmStates(K) : null;
  const M = H ? 1 << K : K;
  const lift = (x: ArrayLike<number>, cols: number): Float64Array => {
    if (!H) return Float64Array.from(x);
    const out = new Float64Array(M * cols);
    for (let m = 0; m < M; m++)
      for (let k = 0; k < K; k++) if (H[m * K + k]) for (let j = 0; j < cols; j++) out[m * cols + j]! += x[k * cols + j]!;
    return out;
  };
  const lower = (x: Float64Array, cols: number): Float64Array => {
    if (!H) return x;
    const out = new Float64Array(K * cols);
    for (let m = 0; m < M; m++)
      for (let k = 0; k < K; k++) if (H[m * K + k]) for (let j = 0; j < cols; j++) out[k * cols + j]! += x[m * cols + j]!;
    return out;
  };
  const We = lift(W, nv);
  const ce = lift(c, 1);
  const bb = Float64Array.from(b);
  // Posteriors p_i (N × M) and the prior π.
  const P = new Float64Array(N * M);
  for (let i = 0; i < N; i++) {
    const A = new Float64Array(M);
    for (let m = 0; m < M; m++) {
      let d = ce[m]!;
      for (let j = 0; j < nv; j++) d += We[m * nv + j]! * V[i * nv + j]!;
      A[m] = d;
    }
    P.set(softmax(A), i * M);
  }
  const a = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    let q = ce[m]!;
    for (let j = 0; j < nv; j++) q += We[m * nv + j]! * (0.5 * We[m * nv + j]! + bb[j]!);
    a[m] = q;
  }
  const pi = softmax(a);
  // θ = (W, b if trained, c if trained); a direction's parts, and a result assembled from the machine's.
  const nW = K * nv;
  const offsets = [0, nW, nW + (s.trainB ? nv : 0), nW + (s.trainB ? nv : 0) + (s.trainC ? K : 0)];
  const Ptotal = offsets[3]!;
  const parts = (v: Float64Array) => ({
    dW: lift(v.subarray(0, nW), nv),
    db: s.trainB ? v.subarray(offsets[1], offsets[2]) : new Float64Array(nv),
    dc: s.trainC ? lift(v.subarray(offsets[2], offsets[3]), 1) : new Float64Array(M),
  });
  const assemble = (gW: Float64Array, gb: Float64Array, gc: Float64Array) => {
    const out = new Float64Array(Ptotal);
    out.set(lower(gW, nv));
    if (s.trainB) out.set(gb, offsets[1]);
    if (s.trainC) out.set(lower(gc, 1), offsets[2]);
    return out;
  };
  // The gradient: the prior part u (every point shares it) minus the point's r_i, averaged.
  const uW = new Float64Array(M * nv);
  const ub = Float64Array.from(bb);
  for (let m = 0; m < M; m++)
    for (let j = 0; j < nv; j++) {
      uW[m * nv + j] = pi[m]! * (We[m * nv + j]! + bb[j]!);
      ub[j]! += pi[m]! * We[m * nv + j]!;
    }
  /** Σ_i w_i r_i with r_i = (p_iμ v_i, v_i, p_iμ), in the machine's coordinates. */
  const rSum = (w: Float64Array) => {
    const gW = new Float64Array(M * nv);
    const gb = new Float64Array(nv);
    const gc = new Float64Array(M);
    for (let i = 0; i < N; i++) {
      if (w[i] === 0) continue;
      for (let m = 0; m < M; m++) {
        const f = w[i]! * P[i * M + m]!;
        gc[m]! += f;
        for (let j = 0; j < nv; j++) gW[m * nv + j]! += f * V[i * nv + j]!;
      }
      for (let j = 0; j < nv; j++) gb[j]! += w[i]! * V[i * nv + j]!;
    }
    return { gW, gb, gc };
  };
  const mean = rSum(new Float64Array(N).fill(1 / N));
  const grad = assemble(
    uW.map((x, k) => x - mean.gW[k]!),
    ub.map((x, j) => x - mean.gb[j]!),
    pi.map((x, m) => x - mean.gc[m]!),
  );
  let loss = 0;
  {
    const lse = (x: Float64Array) => {
      const mx = Math.max(...x);
      return mx + Math.log(x.reduce((t, y) => t + Math.exp(y - mx), 0));
    };
    const la = lse(a);
    for (let i = 0; i < N; i++) {
      const A = new Float64Array(M);
      let r = 0;
      for (let j = 0; j < nv; j++) r += (V[i * nv + j]! - bb[j]!) ** 2;
      for (let m = 0; m < M; m++) {
        let d = ce[m]!;
        for (let j = 0; j < nv; j++) d += We[m * nv + j]! * V[i * nv + j]!;
        A[m] = d;
      }
      loss += (0.5 * r - lse(A) + la + 0.5 * nv * Math.log(2 * Math.PI)) / N;
    }
  }
  /** p_i·dA_i + v_i·db: r_i·v for each point. */
  const rDot = (dW: Float64Array, db: ArrayLike<number>, dc: Float64Array) =>
    Float64Array.from({ length: N }, (_, i) => {
      let t = 0;
      for (let m = 0; m < M; m++) {
        let dA = dc[m]!;
        for (let j = 0; j < nv; j++) dA += dW[m * nv + j]! * V[i * nv + j]!;
        t += P[i * M + m]! * dA;
      }
      for (let j = 0; j < nv; j++) t += V[i * nv + j]! * db[j]!;
      return t;
    });
  let count = 0;
  const matvec = (v: Float64Array): Float64Array => {
    if (v.length !== Ptotal) throw new Error(`vector of ${v.length} values for ${Ptotal} parameters`);
    count++;
    const { dW, db, dc } = parts(v);
    if (matrix === 'empirical-fisher') {
      // gᵢ = u − rᵢ: (1/N) Σ gᵢ(gᵢ·v) = u·mean(gᵢ·v) − (1/N) Σ rᵢ (gᵢ·v).
      let uv = 0;
      for (let k = 0; k < M * nv; k++) uv += uW[k]! * dW[k]!;
      for (let j = 0; j < nv; j++) uv += ub[j]! * db[j]!;
      for (let m = 0; m < M; m++) uv += pi[m]! * dc[m]!;
      const rv = rDot(dW, db, dc);
      const w = rv.map((x) => (uv - x) / N);
      const mw = w.reduce((t, x) => t + x, 0);
      const r = rSum(w);
      return assemble(
        uW.map((x, k) => x * mw - r.gW[k]!),
        ub.map((x, j) => x * mw - r.gb[j]!),
        pi.map((x, m) => x * mw - r.gc[m]!),
      );
    }
    const gW = new Float64Array(M * nv);
    const gb = Float64Array.from(db);
    const gc = new Float64Array(M);
    // −(1/N) Σᵢ Jᵢᵀ (diag pᵢ − pᵢpᵢᵀ) Jᵢ with dA_iμ = dw_μ·vᵢ + dc_μ.
    for (let i = 0; i < N; i++) {
      const dA = new Float64Array(M);
      let pd = 0;
      for (let m = 0; m < M; m++) {
        let t = dc[m]!;
        for (let j = 0; j < nv; j++) t += dW[m * nv + j]! * V[i * nv + j]!;
        dA[m] = t;
        pd += P[i * M + m]! * t;
      }
      for (let m = 0; m < M; m++) {
        const sm = (P[i * M + m]! * (dA[m]! - pd)) / N;
        gc[m]! -= sm;
        for (let j = 0; j < nv; j++) gW[m * nv + j]! -= sm * V[i * nv + j]!;
      }
    }
    // LSE(a): J_aᵀ (diag π − ππᵀ) J_a with da_μ = (w_μ + b)·dw_μ + w_μ·db + dc_μ, plus Σ π_μ ∇²a_μ.
    const da = new Float64Array(M);
    let qd = 0;
    for (let m = 0; m < M; m++) {
      let t = dc[m]!;
      for (let j = 0; j < nv; j++) t += (We[m * nv + j]! + bb[j]!) * dW[m * nv + j]! + We[m * nv + j]! * db[j]!;
      da[m] = t;
      qd += pi[m]! * t;
    }
    for (let m = 0; m < M; m++) {
      const t = pi[m]! * (da[m]! - qd);
      gc[m]! += t;
      for (let j = 0; j < nv; j++) {
        const w = We[m * nv + j]!;
        gW[m * nv + j]! += t * (w + bb[j]!) + pi[m]! * (dW[m * nv + j]! + db[j]!);
        gb[j]! += t * w + pi[m]! * dW[m * nv + j]!;
      }
    }
    return assemble(gW, gb, gc);
  };
  return {
    P: Ptotal,
    offsets,
    loss,
    grad,
    matvec,
    get matvecs() {
      return count;
    },
  };
}
