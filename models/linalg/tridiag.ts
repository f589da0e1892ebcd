// Symmetric tridiagonal eigenproblem by the implicit QL method (tql2, EISPACK / Numerical
// Recipes' tqli), in float64. Lanczos uses it on its small projected matrix.

/**
 * d: diagonal (length m), e: sub-diagonal (length m-1). Returns eigenvalues ascending and,
 * with vectors, the eigenvector matrix Z (column j in Z[i*m + j]) of the tridiagonal matrix.
 */
export function tridiagonalEigen(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  vectors = true,
): { values: Float64Array; Z: Float64Array | null } {
  const n = d.length;
  const w = Float64Array.from(d);
  const off = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) off[i] = e[i]!;
  const Z = vectors ? new Float64Array(n * n) : null;
  if (Z) for (let i = 0; i < n; i++) Z[i * n + i] = 1;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(w[m]!) + Math.abs(w[m + 1]!);
        if (Math.abs(off[m]!) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error('tridiagonal QL did not converge');
      let g = (w[l + 1]! - w[l]!) / (2 * off[l]!);
      let r = Math.hypot(g, 1);
      g = w[m]! - w[l]! + off[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * off[i]!;
        const b = c * off[i]!;
        r = Math.hypot(f, g);
        off[i + 1] = r;
        if (r === 0) {
          w[i + 1]! -= p;
          off[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = w[i + 1]! - p;
        r = (w[i]! - g) * s + 2 * c * b;
        p = s * r;
        w[i + 1] = g + p;
        g = c * r - b;
        if (Z) {
          for (let k = 0; k < n; k++) {
            f = Z[k * n + i + 1]!;
            Z[k * n + i + 1] = s * Z[k * n + i]! + c * f;
            Z[k * n + i] = c * Z[k * n + i]! - s * f;
          }
        }
      }
      if (r === 0 && i >= l) continue;
      w[l]! -= p;
      off[l] = g;
      off[m] = 0;
    }
  }
  // Sort ascending, permuting vectors alike.
  const order = Array.from(w.keys()).sort((a, b) => w[a]! - w[b]!);
  const values = Float64Array.from(order, (k) => w[k]!);
  let sorted: Float64Array | null = null;
  if (Z) {
    sorted = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sorted[i * n + j] = Z[i * n + order[j]!]!;
  }
  return { values, Z: sorted };
}
