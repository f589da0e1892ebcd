// Convolutions as matrix products: im2col turns each receptive field into a row, so a
// convolution is the bilinear map (rows × in) · (out × in)ᵀ of a linear layer, and its backward
// pass is col2im of the rows' gradient. Layouts: per-sample feature maps (n, c, y, x), rows (n, p).
import type { Layer } from './layers.ts';

export interface Geometry {
  C: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
}

export function geometry(inShape: number[], outShape: number[]): Geometry {
  return { C: inShape[0]!, H: inShape[1]!, W: inShape[2]!, Ho: outShape[1]!, Wo: outShape[2]! };
}

/** Rows (n, p) of the receptive fields, columns (c, i, j): a convolution is then a matrix product. */
function im2col(x: Float64Array, N: number, g: Geometry, k: number, s: number, pad: number): Float64Array {
  const P = g.Ho * g.Wo;
  const K = g.C * k * k;
  const cols = new Float64Array(N * P * K);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < g.Ho; oy++)
      for (let ox = 0; ox < g.Wo; ox++) {
        const row = (n * P + oy * g.Wo + ox) * K;
        for (let c = 0; c < g.C; c++)
          for (let i = 0; i < k; i++) {
            const y = oy * s + i - pad;
            if (y < 0 || y >= g.H) continue;
            for (let j = 0; j < k; j++) {
              const xx = ox * s + j - pad;
              if (xx < 0 || xx >= g.W) continue;
              cols[row + (c * k + i) * k + j] = x[((n * g.C + c) * g.H + y) * g.W + xx]!;
            }
          }
      }
  return cols;
}

/** The transpose of im2col: each column entry added back to the pixel it came from. */
function col2im(cols: Float64Array, N: number, g: Geometry, k: number, s: number, pad: number): Float64Array {
  const P = g.Ho * g.Wo;
  const K = g.C * k * k;
  const x = new Float64Array(N * g.C * g.H * g.W);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < g.Ho; oy++)
      for (let ox = 0; ox < g.Wo; ox++) {
        const row = (n * P + oy * g.Wo + ox) * K;
        for (let c = 0; c < g.C; c++)
          for (let i = 0; i < k; i++) {
            const y = oy * s + i - pad;
            if (y < 0 || y >= g.H) continue;
            for (let j = 0; j < k; j++) {
              const xx = ox * s + j - pad;
              if (xx < 0 || xx >= g.W) continue;
              x[((n * g.C + c) * g.H + y) * g.W + xx]! += cols[row + (c * k + i) * k + j]!;
            }
          }
      }
  return x;
}

/** (n, p, o) rows of a product ↔ the (n, o, p) layout of feature maps. */
function rowsToMaps(R: Float64Array, N: number, P: number, O: number): Float64Array {
  const out = new Float64Array(R.length);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) out[(n * O + o) * P + p] = R[(n * P + p) * O + o]!;
  return out;
}
function mapsToRows(M: Float64Array, N: number, P: number, O: number): Float64Array {
  const out = new Float64Array(M.length);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) for (let p = 0; p < P; p++) out[(n * P + p) * O + o] = M[(n * O + o) * P + p]!;
  return out;
}

/** A bilinear layer (linear, or convolution on im2col rows) as rows × in → rows × out. */
export interface Bilinear {
  rows: number;
  nin: number;
  nout: number;
  /** Per-sample input → rows, and rows → per-sample output (and their transposes). */
  toRows(x: Float64Array): Float64Array;
  fromRows(r: Float64Array): Float64Array;
  outToRows(y: Float64Array): Float64Array;
  rowsToIn(r: Float64Array): Float64Array;
}

export function bilinearOf(l: Layer & { kind: 'linear' | 'conv2d' }, N: number, inShape: number[], outShape: number[]): Bilinear {
  if (l.kind === 'linear') {
    const id = (x: Float64Array) => x;
    return { rows: N, nin: l.inputs, nout: l.outputs, toRows: id, fromRows: id, outToRows: id, rowsToIn: id };
  }
  const g = geometry(inShape, outShape);
  const P = g.Ho * g.Wo;
  return {
    rows: N * P,
    nin: g.C * l.kernel * l.kernel,
    nout: l.filters,
    toRows: (x) => im2col(x, N, g, l.kernel, l.stride, l.padding),
    fromRows: (r) => rowsToMaps(r, N, P, l.filters),
    outToRows: (y) => mapsToRows(y, N, P, l.filters),
    rowsToIn: (r) => col2im(r, N, g, l.kernel, l.stride, l.padding),
  };
}
