// Contour lines of a scalar field on a regular grid by marching squares, as separate segments
// in grid coordinates (i along x, j along y). Crossings are linearly interpolated on cell
// edges, so every endpoint lies on the level set of the bilinear interpolant.

export type Segment = [number, number, number, number];

/** `values[j * n + i]` is the field at grid point (i, j); n × n points. */
export function contourSegments(values: ArrayLike<number>, n: number, level: number): Segment[] {
  const out: Segment[] = [];
  const at = (i: number, j: number) => values[j * n + i]!;
  for (let j = 0; j < n - 1; j++) {
    for (let i = 0; i < n - 1; i++) {
      // Corners in order around the cell: (i,j) → (i+1,j) → (i+1,j+1) → (i,j+1).
      const c = [
        [i, j, at(i, j)],
        [i + 1, j, at(i + 1, j)],
        [i + 1, j + 1, at(i + 1, j + 1)],
        [i, j + 1, at(i, j + 1)],
      ] as const;
      const pts: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const a = c[e]!;
        const b = c[(e + 1) % 4]!;
        if (a[2] < level === b[2] < level) continue;
        const t = (level - a[2]) / (b[2] - a[2]);
        pts.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
      }
      // Two crossings: one segment. Four (a saddle): pair neighbours; either pairing is a valid contour.
      for (let k = 0; k + 1 < pts.length; k += 2) out.push([pts[k]![0], pts[k]![1], pts[k + 1]![0], pts[k + 1]![1]]);
    }
  }
  return out;
}
