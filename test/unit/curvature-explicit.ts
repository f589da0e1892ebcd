// Explicit curvature matrices for the tests: columns of an operator, the Hessian by second
// differences, the Jacobian by central differences, and Jᵀ diag(w) J.

export const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) [d, n] = [Math.max(d, Math.abs(a[i]! - b[i]!)), Math.max(n, Math.abs(b[i]!))];
  return d / n;
};

export function columns(P: number, matvec: (v: Float64Array) => Float64Array): Float64Array {
  const A = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    const e = new Float64Array(P);
    e[j] = 1;
    const col = matvec(e);
    for (let i = 0; i < P; i++) A[i * P + j] = col[i]!;
  }
  return A;
}

/** The Hessian of f at θ by second differences. */
export function hessianOf(f: (t: Float64Array) => number, theta: Float64Array, h = 1e-4): Float64Array {
  const P = theta.length;
  const at = (i: number, a: number, j: number, b: number) => {
    const t = Float64Array.from(theta);
    t[i]! += a;
    t[j]! += b;
    return f(t);
  };
  const H = new Float64Array(P * P);
  for (let i = 0; i < P; i++)
    for (let j = 0; j <= i; j++)
      H[i * P + j] = H[j * P + i] = (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h);
  return H;
}

/** The Jacobian (rows outputs, columns θ) by central differences. */
export function jacobianOf(f: (t: Float64Array) => Float64Array, theta: Float64Array, h = 1e-6): Float64Array {
  const P = theta.length;
  const n = f(theta).length;
  const J = new Float64Array(n * P);
  for (let j = 0; j < P; j++) {
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[j]! += h;
    tm[j]! -= h;
    const [a, b] = [f(tp), f(tm)];
    for (let r = 0; r < n; r++) J[r * P + j] = (a[r]! - b[r]!) / (2 * h);
  }
  return J;
}

/** Jᵀ diag(w) J. */
export function jtwj(J: Float64Array, w: Float64Array, P: number): Float64Array {
  const A = new Float64Array(P * P);
  for (let r = 0; r < w.length; r++)
    for (let i = 0; i < P; i++) {
      const a = J[r * P + i]! * w[r]!;
      if (a !== 0) for (let j = 0; j < P; j++) A[i * P + j]! += a * J[r * P + j]!;
    }
  return A;
}
