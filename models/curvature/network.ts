// A sequential network in float64 with every derivative written out by hand: the forward pass,
// the forward-mode directional derivative (Pearlmutter's R-operator, R{·} = d/dε ·(θ + εv)), the
// backward pass, and the R-operator of the backward pass. TensorFlow.js's double backpropagation
// is not used: its gradient functions reuse saved outputs that are not differentiated through, so
// its Hessian–vector products are wrong for tanh and softmax (issue 35 measured 4.7 against 4.4).
// Linear and convolution layers are bilinear in (weights, input), which makes their second-order
// terms the cross products below; activations add φ″; max-pooling and flattening are linear
// given the pooling choice; batch norm runs in eval mode (an affine map per channel).
import { erf } from '../ntk/activations.ts';
import { bilinearOf, geometry } from './conv.ts';
import { offsetsOf, shapesOf, size, type Act, type Network } from './layers.ts';

export { offsetsOf, parameterCount, shapesOf, size, type Act, type Layer, type Network } from './layers.ts';
import { colSums, mulAB, mulABt, mulAtB } from './dense.ts';

/** a ⊙ b in a plain loop (a typed array's map with a callback costs ~10 ns a value in V8). */
function times(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(b.length);
  for (let j = 0; j < out.length; j++) out[j] = a[j]! * b[j]!;
  return out;
}

const SQRT2PI = Math.sqrt(2 * Math.PI);
const pdf = (x: number) => Math.exp(-0.5 * x * x) / SQRT2PI;

/** φ, φ′ and φ″ at x (y = φ(x) given, which tanh and sigmoid reuse). */
function actDerivs(fn: Act, x: number): [number, number, number] {
  switch (fn) {
    case 'relu':
      return [x > 0 ? x : 0, x > 0 ? 1 : 0, 0];
    case 'tanh': {
      const y = Math.tanh(x);
      const d = 1 - y * y;
      return [y, d, -2 * y * d];
    }
    case 'sigmoid': {
      const y = 1 / (1 + Math.exp(-x));
      const d = y * (1 - y);
      return [y, d, d * (1 - 2 * y)];
    }
    case 'gelu': {
      // PyTorch's exact GELU: x Φ(x); φ′ = Φ + x ϕ, φ″ = ϕ (2 − x²).
      const P = 0.5 * (1 + erf(x / Math.SQRT2));
      const p = pdf(x);
      return [x * P, P + x * p, p * (2 - x * x)];
    }
    case 'erf': {
      const d = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
      return [erf(x), d, -2 * x * d];
    }
    case 'linear':
      return [x, 1, 0];
  }
}

/** Nearest-neighbour upsampling of (n, c, y, x) maps of shape [C, H, W] by f: each pixel to an f × f block. */
function upsample(x: Float64Array, N: number, shape: number[], f: number): Float64Array {
  const [C, H, W] = shape as [number, number, number];
  const out = new Float64Array(N * C * H * W * f * f);
  for (let m = 0; m < N * C; m++)
    for (let y = 0; y < H * f; y++)
      for (let xx = 0; xx < W * f; xx++)
        out[(m * H * f + y) * W * f + xx] = x[(m * H + Math.floor(y / f)) * W + Math.floor(xx / f)]!;
  return out;
}

/** Its transpose: each f × f block summed back to its pixel. */
function downsum(g: Float64Array, N: number, shape: number[], f: number): Float64Array {
  const [C, H, W] = shape as [number, number, number];
  const out = new Float64Array(N * C * H * W);
  for (let m = 0; m < N * C; m++)
    for (let y = 0; y < H * f; y++)
      for (let xx = 0; xx < W * f; xx++)
        out[(m * H + Math.floor(y / f)) * W + Math.floor(xx / f)]! += g[(m * H * f + y) * W * f + xx]!;
  return out;
}

/** What the forward pass keeps for the passes after it. */
export interface Cache {
  N: number;
  shapes: number[][];
  offsets: number[];
  /** Each layer's input (xs[L] is the output). */
  xs: Float64Array[];
  /** Per layer: im2col rows (conv), argmax indices (pooling), (φ′, φ″) (activations), x̂ (batch norm). */
  aux: (Float64Array | Int32Array | [Float64Array, Float64Array] | null)[];
}

/** The forward pass on N samples (rows of X), keeping what the other passes read. */
export function forward(net: Network, theta: Float64Array, X: Float64Array, N: number): Cache {
  const shapes = shapesOf(net);
  const offsets = offsetsOf(net);
  const xs: Float64Array[] = [X];
  const aux: Cache['aux'] = [];
  let x = X;
  net.layers.forEach((l, i) => {
    const th = theta.subarray(offsets[i], offsets[i + 1]);
    let y: Float64Array;
    if (l.kind === 'linear' || l.kind === 'conv2d') {
      const b = bilinearOf(l, N, shapes[i]!, shapes[i + 1]!);
      const R = b.toRows(x);
      const W = th.subarray(0, b.nin * b.nout);
      const Y = mulABt(R, b.rows, b.nin, W, b.nout);
      if (l.bias) for (let r = 0; r < b.rows; r++) for (let o = 0; o < b.nout; o++) Y[r * b.nout + o]! += th[b.nin * b.nout + o]!;
      y = b.fromRows(Y);
      aux.push(l.kind === 'conv2d' ? R : null);
    } else if (l.kind === 'activation') {
      y = new Float64Array(x.length);
      const d1 = new Float64Array(x.length);
      const d2 = new Float64Array(x.length);
      for (let j = 0; j < x.length; j++) [y[j], d1[j], d2[j]] = actDerivs(l.fn, x[j]!);
      aux.push([d1, d2]);
    } else if (l.kind === 'maxpool2d') {
      const g = geometry(shapes[i]!, shapes[i + 1]!);
      const out = N * g.C * g.Ho * g.Wo;
      y = new Float64Array(out);
      const arg = new Int32Array(out);
      for (let n = 0; n < N; n++)
        for (let c = 0; c < g.C; c++)
          for (let oy = 0; oy < g.Ho; oy++)
            for (let ox = 0; ox < g.Wo; ox++) {
              let best = -Infinity;
              let at = -1;
              for (let a = 0; a < l.kernel; a++)
                for (let b = 0; b < l.kernel; b++) {
                  const idx = ((n * g.C + c) * g.H + oy * l.stride + a) * g.W + ox * l.stride + b;
                  // The first maximum in row-major order, as PyTorch picks it.
                  if (x[idx]! > best || at < 0) [best, at] = [x[idx]!, idx];
                }
              const o = ((n * g.C + c) * g.Ho + oy) * g.Wo + ox;
              y[o] = best;
              arg[o] = at;
            }
      aux.push(arg);
    } else if (l.kind === 'upsample') {
      y = upsample(x, N, shapes[i]!, l.factor);
      aux.push(null);
    } else if (l.kind === 'maxpool1d') {
      // tfjs's 'same' window for stride 1: k − 1 padded positions, ⌊(k − 1)/2⌋ of them before.
      const F = shapes[i]![0]!;
      const before = (l.kernel - 1) >> 1;
      y = new Float64Array(x.length);
      const arg = new Int32Array(x.length);
      for (let n = 0; n < N; n++)
        for (let j = 0; j < F; j++) {
          let at = -1;
          for (let a = Math.max(0, j - before); a < Math.min(F, j - before + l.kernel); a++)
            if (at < 0 || x[n * F + a]! > x[at]!) at = n * F + a;
          y[n * F + j] = x[at]!;
          arg[n * F + j] = at;
        }
      aux.push(arg);
    } else if (l.kind === 'batchnorm') {
      const F = l.features;
      const per = size(shapes[i]!) / F;
      const xh = new Float64Array(x.length);
      y = new Float64Array(x.length);
      for (let n = 0; n < N; n++)
        for (let c = 0; c < F; c++) {
          const sd = Math.sqrt(l.variance[c]! + l.eps);
          for (let p = 0; p < per; p++) {
            const j = (n * F + c) * per + p;
            xh[j] = (x[j]! - l.mean[c]!) / sd;
            y[j] = th[c]! * xh[j]! + th[F + c]!;
          }
        }
      aux.push(xh);
    } else {
      y = x;
      aux.push(null);
    }
    xs.push(y);
    x = y;
  });
  return { N, shapes, offsets, xs, aux };
}

/**
 * R{x} at every layer's input and at the output, for the parameter direction v; the inputs are
 * fixed unless `dx0` gives their direction (a network fed by another one, as the VAE's decoder).
 */
export function rForward(net: Network, theta: Float64Array, c: Cache, v: Float64Array, dx0?: Float64Array): Float64Array[] {
  const { N, shapes, offsets } = c;
  let dx: Float64Array = dx0 ?? new Float64Array(c.xs[0]!.length);
  const dxs: Float64Array[] = [dx];
  net.layers.forEach((l, i) => {
    const th = theta.subarray(offsets[i], offsets[i + 1]);
    const dv = v.subarray(offsets[i], offsets[i + 1]);
    const inputFixed = offsets[i] === 0 && !dx0;
    let dy: Float64Array;
    if (l.kind === 'linear' || l.kind === 'conv2d') {
      const b = bilinearOf(l, N, shapes[i]!, shapes[i + 1]!);
      const nw = b.nin * b.nout;
      const R = l.kind === 'conv2d' ? (c.aux[i] as Float64Array) : c.xs[i]!;
      // R{y} = R{x} Wᵀ + x Vᵀ + v_b.
      // Before the first parameterised layer R{x} is zero (the inputs are fixed): skip its product.
      const Y = mulABt(R, b.rows, b.nin, dv.subarray(0, nw), b.nout);
      if (!inputFixed) {
        const Y2 = mulABt(b.toRows(dx), b.rows, b.nin, th.subarray(0, nw), b.nout);
        for (let j = 0; j < Y.length; j++) Y[j]! += Y2[j]!;
      }
      if (l.bias) for (let r = 0; r < b.rows; r++) for (let o = 0; o < b.nout; o++) Y[r * b.nout + o]! += dv[nw + o]!;
      dy = b.fromRows(Y);
    } else if (l.kind === 'activation') {
      const [d1] = c.aux[i] as [Float64Array, Float64Array];
      dy = times(d1, dx);
    } else if (l.kind === 'upsample') {
      dy = upsample(dx, N, shapes[i]!, l.factor);
    } else if (l.kind === 'maxpool2d' || l.kind === 'maxpool1d') {
      const arg = c.aux[i] as Int32Array;
      dy = new Float64Array(arg.length);
      for (let o = 0; o < arg.length; o++) dy[o] = dx[arg[o]!]!;
    } else if (l.kind === 'batchnorm') {
      const F = l.features;
      const per = size(shapes[i]!) / F;
      const xh = c.aux[i] as Float64Array;
      dy = new Float64Array(dx.length);
      for (let n = 0; n < N; n++)
        for (let ch = 0; ch < F; ch++) {
          const sd = Math.sqrt(l.variance[ch]! + l.eps);
          for (let p = 0; p < per; p++) {
            const j = (n * F + ch) * per + p;
            dy[j] = (th[ch]! * dx[j]!) / sd + dv[ch]! * xh[j]! + dv[F + ch]!;
          }
        }
    } else dy = dx;
    dxs.push(dy);
    dx = dy;
  });
  return dxs;
}

/**
 * The backward pass from the output gradient g: returns ∇θ. With `second` (the direction v, the
 * R{x} of rForward and R{g} at the output) it returns R{∇θ} instead (∇θ left zero), the
 * Hessian–vector product's parameter part: each layer's backward map differentiated along v,
 * including through its input. With `inputGrad` it also returns the gradient at the input (and
 * its R{·} with `second`), which a network feeding this one continues from.
 */
export function backward(
  net: Network,
  theta: Float64Array,
  c: Cache,
  g: Float64Array,
  second?: { v: Float64Array; dxs: Float64Array[]; dg: Float64Array; inputMoves?: boolean },
  inputGrad = false,
): { grad: Float64Array; rgrad: Float64Array | null; gin: Float64Array | null; rgin: Float64Array | null } {
  const { N, shapes, offsets } = c;
  const P = offsets.at(-1)!;
  const grad = new Float64Array(P);
  const rgrad = second ? new Float64Array(P) : null;
  let gy = g;
  let dgy = second?.dg ?? null;
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const l = net.layers[i]!;
    const th = theta.subarray(offsets[i], offsets[i + 1]);
    const gth = grad.subarray(offsets[i], offsets[i + 1]);
    const rth = rgrad?.subarray(offsets[i], offsets[i + 1]) ?? null;
    const dv = second?.v.subarray(offsets[i], offsets[i + 1]) ?? null;
    const dx = second?.dxs[i] ?? null;
    const x = c.xs[i]!;
    let gx: Float64Array;
    let dgx: Float64Array | null = null;
    if (l.kind === 'linear' || l.kind === 'conv2d') {
      const b = bilinearOf(l, N, shapes[i]!, shapes[i + 1]!);
      const nw = b.nin * b.nout;
      const W = th.subarray(0, nw);
      const R = l.kind === 'conv2d' ? (c.aux[i] as Float64Array) : x;
      const G = b.outToRows(gy);
      // ∇W = Gᵀ R, ∇b = Σ G, ∇R = G W. A Hessian product needs only ∇R of the first-order pass:
      // the gradient itself is the same on every product, so it is not recomputed there.
      if (!second) {
        mulAtB(G, b.rows, b.nout, R, b.nin, gth.subarray(0, nw));
        if (l.bias) colSums(G, b.rows, b.nout, gth.subarray(nw));
      }
      if (i > 0 || inputGrad) gx = b.rowsToIn(mulAB(G, b.rows, b.nout, W, b.nin));
      else gx = new Float64Array(0);
      if (second && rth && dv && dx && dgy) {
        const dG = b.outToRows(dgy);
        // R{∇W} = R{G}ᵀ R + Gᵀ R{R}; R{∇b} = Σ R{G}; R{∇R} = R{G} W + G V.
        mulAtB(dG, b.rows, b.nout, R, b.nin, rth.subarray(0, nw));
        if (c.offsets[i] !== 0 || second.inputMoves) mulAtB(G, b.rows, b.nout, b.toRows(dx), b.nin, rth.subarray(0, nw));
        if (l.bias) colSums(dG, b.rows, b.nout, rth.subarray(nw));
        if (i > 0 || inputGrad) {
          const t = mulAB(dG, b.rows, b.nout, W, b.nin);
          mulAB(G, b.rows, b.nout, dv.subarray(0, nw), b.nin, t);
          dgx = b.rowsToIn(t);
        }
      }
    } else if (l.kind === 'activation') {
      const [d1, d2] = c.aux[i] as [Float64Array, Float64Array];
      gx = times(d1, gy);
      // R{φ′(x) g} = φ′(x) R{g} + φ″(x) R{x} g.
      if (dgy && dx) {
        const r = new Float64Array(dgy.length);
        for (let j = 0; j < r.length; j++) r[j] = d1[j]! * dgy[j]! + d2[j]! * dx[j]! * gy[j]!;
        dgx = r;
      }
    } else if (l.kind === 'upsample') {
      gx = downsum(gy, N, shapes[i]!, l.factor);
      if (dgy) dgx = downsum(dgy, N, shapes[i]!, l.factor);
    } else if (l.kind === 'maxpool2d' || l.kind === 'maxpool1d') {
      const arg = c.aux[i] as Int32Array;
      gx = new Float64Array(x.length);
      for (let o = 0; o < arg.length; o++) gx[arg[o]!]! += gy[o]!;
      if (dgy) {
        dgx = new Float64Array(x.length);
        for (let o = 0; o < arg.length; o++) dgx[arg[o]!]! += dgy[o]!;
      }
    } else if (l.kind === 'batchnorm') {
      const F = l.features;
      const per = size(shapes[i]!) / F;
      const xh = c.aux[i] as Float64Array;
      gx = new Float64Array(x.length);
      if (dgy) dgx = new Float64Array(x.length);
      for (let n = 0; n < N; n++)
        for (let ch = 0; ch < F; ch++) {
          const sd = Math.sqrt(l.variance[ch]! + l.eps);
          for (let p = 0; p < per; p++) {
            const j = (n * F + ch) * per + p;
            if (!second) {
              gth[ch]! += gy[j]! * xh[j]!;
              gth[F + ch]! += gy[j]!;
            }
            gx[j] = (th[ch]! * gy[j]!) / sd;
            if (dgy && dgx && rth && dv && dx) {
              // y = γ x̂ + β with x̂ = (x − μ)/s: R{∇γ} = Σ (R{g} x̂ + g R{x}/s), R{∇x} = (γ R{g} + v_γ g)/s.
              rth[ch]! += dgy[j]! * xh[j]! + (gy[j]! * dx[j]!) / sd;
              rth[F + ch]! += dgy[j]!;
              dgx[j] = (th[ch]! * dgy[j]! + dv[ch]! * gy[j]!) / sd;
            }
          }
        }
    } else {
      gx = gy;
      dgx = dgy;
    }
    gy = gx;
    dgy = dgx;
  }
  return { grad, rgrad, gin: inputGrad ? gy : null, rgin: inputGrad ? dgy : null };
}
