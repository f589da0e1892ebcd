// The VAE lab's VAE (MLP or convolutional) as a model for the curvature products: its ELBO with the reparameterised
// sample z = μ + e^{lv/2} ⊙ ε held at one fixed draw of ε, so the loss is a deterministic function
// of θ whose Hessian exists. The outputs are (decoder logits, μ, log σ²) per image: the
// reconstruction term depends on the first, the KL on the other two, and each is convex in its
// outputs, so the Gauss–Newton matrix Jᵀ H_out J is positive semi-definite. The encoder's two heads
// are one linear layer of 2d outputs here (μ rows first); the decoder is fed by the encoder, so its
// input direction R{z} and its input gradient carry the products through the sample.
import { CONV, type VaeConfig } from '../vae/shapes.ts';
import { backward, forward, offsetsOf, rForward, type Layer, type Network } from './network.ts';
import type { Model, OutputTerms } from './products.ts';

export interface VaeNets {
  enc: Network;
  dec: Network;
  /** Image size D and latent size d. */
  D: number;
  d: number;
}

/** A [inputs, outputs] weight (x W, as the labs store it) as PyTorch's rows [outputs][inputs]. */
export function rowsOf(W: ArrayLike<number>, inputs: number, outputs: number): Float64Array {
  const out = new Float64Array(inputs * outputs);
  for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) out[o * inputs + i] = W[i * outputs + o]!;
  return out;
}

/** The encoder and decoder of a VAE (MLP or convolutional), θ from the lab's named weights, and each layer's name. */
export function vaeNetworks(
  c: VaeConfig,
  values: Record<string, ArrayLike<number>>,
): { nets: VaeNets; theta: Float64Array; names: string[] } {
  if (c.arch === 'conv') return convVaeNetworks(c, values);
  const [h, w] = c.inputShape;
  const D = h * w;
  const d = c.latent;
  const parts: Float64Array[] = [];
  const names: string[] = [];
  const get = (n: string) => {
    const v = values[n];
    if (!v) throw new Error(`the VAE's weights lack ${n}`);
    return v;
  };
  const mlp = (widths: number[], prefix: string[]): Layer[] => {
    const layers: Layer[] = [];
    widths.slice(1).forEach((o, l) => {
      const i = widths[l]!;
      layers.push({ kind: 'linear', inputs: i, outputs: o, bias: true });
      if (l < widths.length - 2) layers.push({ kind: 'activation', fn: 'relu' });
      names.push(prefix[l]!, ...(l < widths.length - 2 ? ['relu'] : []));
      if (prefix[l] === 'enc.mu & enc.logvar') {
        parts.push(rowsOf(get('enc.mu.W'), i, d), rowsOf(get('enc.logvar.W'), i, d), Float64Array.from(get('enc.mu.b')));
        parts.push(Float64Array.from(get('enc.logvar.b')));
      } else parts.push(rowsOf(get(`${prefix[l]}.W`), i, o), Float64Array.from(get(`${prefix[l]}.b`)));
    });
    return layers;
  };
  const H = c.hidden;
  const enc = mlp([D, ...H, 2 * d], [...H.map((_, i) => `enc.${i}`), 'enc.mu & enc.logvar']);
  const dec = mlp([d, ...[...H].reverse(), D], [...H.map((_, i) => `dec.${i}`), 'dec.out']);
  const theta = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    theta.set(p, o);
    o += p.length;
  }
  return { nets: { enc: { input: [D], layers: enc }, dec: { input: [d], layers: dec }, D, d }, theta, names };
}

/** TensorFlow's 'same' padding along one axis: before and after (the extra one goes after). */
function samePadding(n: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The convolutional VAE: TensorFlow.js lays maps out as (y, x, channel) and kernels as [kh, kw,
 * in, out]; the engine uses (channel, y, x) and rows [out][in, kh, kw]. So the kernels are
 * transposed, the encoder's dense layer reads its inputs in (c, y, x) order, and the decoder's
 * second dense layer writes its units in that order, where TensorFlow.js reshapes them.
 */
function convVaeNetworks(
  c: VaeConfig,
  values: Record<string, ArrayLike<number>>,
): { nets: VaeNets; theta: Float64Array; names: string[] } {
  const [h, w] = c.inputShape;
  const D = h * w;
  const d = c.latent;
  const H = c.hidden[0]!;
  const [C0, C1] = [CONV[0]!, CONV[1]!];
  const [h4, w4] = [h / 4, w / 4];
  const flat = h4 * w4 * C1;
  const get = (n: string) => {
    const v = values[n];
    if (!v) throw new Error(`the VAE's weights lack ${n}`);
    return v;
  };
  const parts: Float64Array[] = [];
  const kernel = (name: string, cin: number, cout: number) => {
    const Wk = get(`${name}.W`);
    const out = new Float64Array(cout * cin * 9);
    for (let o = 0; o < cout; o++)
      for (let ci = 0; ci < cin; ci++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) out[(o * cin + ci) * 9 + i * 3 + j] = Wk[((i * 3 + j) * cin + ci) * cout + o]!;
    parts.push(out, Float64Array.from(get(`${name}.b`)));
  };
  /** TensorFlow.js's flat index of (c, y, x) in an (h/4, w/4, C1) map. */
  const hwc = (ch: number, y: number, x: number) => (y * w4 + x) * C1 + ch;
  const conv = (cin: number, cout: number, size: [number, number], stride: number): Layer => {
    const [before, after] = samePadding(size[0], 3, stride);
    if (samePadding(size[1], 3, stride).join() !== [before, after].join())
      throw new Error('the VAE’s images must be padded alike in both axes');
    return { kind: 'conv2d', channels: cin, filters: cout, kernel: 3, stride, padding: before, padAfter: after, bias: true };
  };
  const relu: Layer = { kind: 'activation', fn: 'relu' };
  // Encoder: conv 1→16 (stride 2), conv 16→32 (stride 2), dense flat→H, heads H→2d.
  kernel('enc.conv0', 1, C0);
  kernel('enc.conv1', C0, C1);
  {
    const Wd = get('enc.0.W');
    const rows = new Float64Array(H * flat);
    for (let o = 0; o < H; o++)
      for (let ch = 0; ch < C1; ch++)
        for (let y = 0; y < h4; y++)
          for (let x = 0; x < w4; x++) rows[o * flat + (ch * h4 + y) * w4 + x] = Wd[hwc(ch, y, x) * H + o]!;
    parts.push(rows, Float64Array.from(get('enc.0.b')));
  }
  parts.push(rowsOf(get('enc.mu.W'), H, d), rowsOf(get('enc.logvar.W'), H, d), Float64Array.from(get('enc.mu.b')));
  parts.push(Float64Array.from(get('enc.logvar.b')));
  const enc: Layer[] = [
    conv(1, C0, [h, w], 2),
    relu,
    conv(C0, C1, [h / 2, w / 2], 2),
    relu,
    { kind: 'flatten' },
    { kind: 'linear', inputs: flat, outputs: H, bias: true },
    relu,
    { kind: 'linear', inputs: H, outputs: 2 * d, bias: true },
  ];
  // Decoder: dense d→H, dense H→flat (units in (c, y, x) order), ×2, conv 32→16, ×2, conv 16→1.
  parts.push(rowsOf(get('dec.0.W'), d, H), Float64Array.from(get('dec.0.b')));
  {
    const Wd = get('dec.1.W');
    const bd = get('dec.1.b');
    const rows = new Float64Array(flat * H);
    const bias = new Float64Array(flat);
    for (let ch = 0; ch < C1; ch++)
      for (let y = 0; y < h4; y++)
        for (let x = 0; x < w4; x++) {
          const u = (ch * h4 + y) * w4 + x;
          for (let i = 0; i < H; i++) rows[u * H + i] = Wd[i * flat + hwc(ch, y, x)]!;
          bias[u] = bd[hwc(ch, y, x)]!;
        }
    parts.push(rows, bias);
  }
  kernel('dec.conv0', C1, C0);
  kernel('dec.conv1', C0, 1);
  const dec: Layer[] = [
    { kind: 'linear', inputs: d, outputs: H, bias: true },
    relu,
    { kind: 'linear', inputs: H, outputs: flat, bias: true },
    relu,
    { kind: 'reshape', shape: [C1, h4, w4] },
    { kind: 'upsample', factor: 2 },
    conv(C1, C0, [h / 2, w / 2], 1),
    relu,
    { kind: 'upsample', factor: 2 },
    conv(C0, 1, [h, w], 1),
    { kind: 'flatten' },
  ];
  const theta = new Float64Array(parts.reduce((t, p) => t + p.length, 0));
  let o = 0;
  for (const p of parts) {
    theta.set(p, o);
    o += p.length;
  }
  const names = [
    'enc.conv0',
    'relu',
    'enc.conv1',
    'relu',
    'flatten',
    'enc.0',
    'relu',
    'enc.mu & enc.logvar',
    'dec.0',
    'relu',
    'dec.1',
    'relu',
    'reshape',
    'upsample',
    'dec.conv0',
    'relu',
    'upsample',
    'dec.conv1',
    'flatten',
  ];
  return { nets: { enc: { input: [1, h, w], layers: enc }, dec: { input: [d], layers: dec }, D, d }, theta, names };
}

/** The VAE at θ on N images X with the noise ε (N × d): outputs (logits, μ, log σ²) per image. */
export function vaeModel(v: VaeNets, theta: Float64Array, X: Float64Array, N: number, eps: Float64Array): Model {
  const { enc, dec, D, d } = v;
  const offE = offsetsOf(enc);
  const Pe = offE.at(-1)!;
  const offD = offsetsOf(dec);
  const te = theta.subarray(0, Pe);
  const td = theta.subarray(Pe);
  const ce = forward(enc, te, X, N);
  const head = ce.xs.at(-1)!;
  // dz/dlv = ½ e^{lv/2} ε, the sample's sensitivity to the log-variance.
  const half = new Float64Array(N * d);
  const z = new Float64Array(N * d);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < d; j++) {
      const s = Math.exp(head[i * 2 * d + d + j]! / 2);
      half[i * d + j] = 0.5 * s * eps[i * d + j]!;
      z[i * d + j] = head[i * 2 * d + j]! + s * eps[i * d + j]!;
    }
  const cd = forward(dec, td, z, N);
  const C = D + 2 * d;
  const join = (logits: Float64Array, hd: Float64Array) => {
    const o = new Float64Array(N * C);
    for (let i = 0; i < N; i++) {
      o.set(logits.subarray(i * D, (i + 1) * D), i * C);
      o.set(hd.subarray(i * 2 * d, (i + 1) * 2 * d), i * C + D);
    }
    return o;
  };
  const split = (u: Float64Array) => {
    const L = new Float64Array(N * D);
    const hd = new Float64Array(N * 2 * d);
    for (let i = 0; i < N; i++) {
      L.set(u.subarray(i * C, i * C + D), i * D);
      hd.set(u.subarray(i * C + D, (i + 1) * C), i * 2 * d);
    }
    return { L, hd };
  };
  /** R{z} from R{μ, lv}. */
  const dzOf = (dh: Float64Array) => {
    const dz = new Float64Array(N * d);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < d; j++) dz[i * d + j] = dh[i * 2 * d + j]! + half[i * d + j]! * dh[i * 2 * d + d + j]!;
    return dz;
  };
  /** The encoder's output gradient from the decoder's input gradient gz and the heads' own gh. */
  const headGrad = (gz: Float64Array, gh: Float64Array) => {
    const g = Float64Array.from(gh);
    for (let i = 0; i < N; i++)
      for (let j = 0; j < d; j++) {
        g[i * 2 * d + j]! += gz[i * d + j]!;
        g[i * 2 * d + d + j]! += gz[i * d + j]! * half[i * d + j]!;
      }
    return g;
  };
  const both = (a: Float64Array, b: Float64Array) => {
    const o = new Float64Array(a.length + b.length);
    o.set(a);
    o.set(b, a.length);
    return o;
  };
  const tangents = (vv: Float64Array) => {
    const dxsE = rForward(enc, te, ce, vv.subarray(0, Pe));
    const dh = dxsE.at(-1)!;
    const dxsD = rForward(dec, td, cd, vv.subarray(Pe), dzOf(dh));
    return { dxsE, dxsD, dh, jv: join(dxsD.at(-1)!, dh) };
  };
  return {
    P: Pe + offD.at(-1)!,
    offsets: [...offE, ...offD.slice(1).map((x) => x + Pe)],
    N,
    C,
    out: join(cd.xs.at(-1)!, head),
    jvp: (vv) => tangents(vv).jv,
    vjp: (u) => {
      const { L, hd } = split(u);
      const bd = backward(dec, td, cd, L, undefined, true);
      return both(backward(enc, te, ce, headGrad(bd.gin!, hd)).grad, bd.grad);
    },
    secondOrder: (vv, g, dgOf) => {
      const t = tangents(vv);
      const { L: gL, hd: gh } = split(g);
      const { L: dgL, hd: dgh } = split(dgOf(t.jv));
      const bd = backward(dec, td, cd, gL, { v: vv.subarray(Pe), dxs: t.dxsD, dg: dgL, inputMoves: true }, true);
      const gz = bd.gin!;
      // R{gz ⊙ ½e^{lv/2}ε} = R{gz} ⊙ ½e^{lv/2}ε + gz ⊙ ¼e^{lv/2}ε R{lv}.
      const dgE = headGrad(bd.rgin!, dgh);
      for (let i = 0; i < N; i++)
        for (let j = 0; j < d; j++) dgE[i * 2 * d + d + j]! += 0.5 * gz[i * d + j]! * half[i * d + j]! * t.dh[i * 2 * d + d + j]!;
      const be = backward(enc, te, ce, headGrad(gz, gh), { v: vv.subarray(0, Pe), dxs: t.dxsE, dg: dgE });
      return both(be.rgrad!, bd.rgrad!);
    },
  };
}

export interface ElboSpec {
  D: number;
  d: number;
  decoder: 'bernoulli' | 'gaussian';
  gaussianSigma: number;
  beta: number;
}

/**
 * The negative ELBO per image, rec + β KL, as the lab trains it: Bernoulli (softplus(l) − x l) or
 * Gaussian ((x − m)²/2σ² + ½ log 2πσ²) reconstruction, and KL(N(μ, e^{lv}) ‖ N(0, I)) in closed
 * form; its gradient and Hessian in the outputs (diagonal: σ(l)(1 − σ(l)) or 1/σ²; β; β e^{lv}/2).
 */
export function elboTerms(s: ElboSpec, o: Float64Array, X: Float64Array, N: number): OutputTerms & { rec: number; kl: number } {
  const { D, d, beta } = s;
  const C = D + 2 * d;
  const e = new Float64Array(N * C);
  const h = new Float64Array(N * C);
  const s2 = s.gaussianSigma ** 2;
  let rec = 0;
  let kl = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < D; k++) {
      const l = o[i * C + k]!;
      const x = X[i * D + k]!;
      if (s.decoder === 'bernoulli') {
        rec += Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))) - x * l;
        const p = 1 / (1 + Math.exp(-l));
        e[i * C + k] = p - x;
        h[i * C + k] = p * (1 - p);
      } else {
        rec += (x - l) ** 2 / (2 * s2) + 0.5 * Math.log(2 * Math.PI * s2);
        e[i * C + k] = (l - x) / s2;
        h[i * C + k] = 1 / s2;
      }
    }
    for (let j = 0; j < d; j++) {
      const mu = o[i * C + D + j]!;
      const lv = o[i * C + D + d + j]!;
      const ev = Math.exp(lv);
      kl += 0.5 * (mu * mu + ev - 1 - lv);
      e[i * C + D + j] = beta * mu;
      h[i * C + D + j] = beta;
      e[i * C + D + d + j] = (beta * (ev - 1)) / 2;
      h[i * C + D + d + j] = (beta * ev) / 2;
    }
  }
  return {
    loss: (rec + beta * kl) / N,
    rec: rec / N,
    kl: kl / N,
    e,
    hout: (u) => u.map((x, j) => (h[j]! * x) / N),
  };
}
