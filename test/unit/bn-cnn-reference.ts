// The SPA authors' batch-norm CNN (models/cnn.py of takaset16/selfpaced-augmentation) written as plain
// loops in float64, independent of tfjs and of models/augment/classifier.ts: the reference the
// authors'-protocol tests compare the model's logits, running statistics and SPA's losses with.

/** The authors' CNN by plain loops: valid 3×3 convolutions, 2×2 max pools, batch norm (batch or given statistics). */
export function referenceBnCnn(
  P: Float32Array[],
  x: Float32Array,
  n: number,
  side: number,
  classes: number,
  running: { mean: Float64Array; variance: Float64Array }[] | null,
) {
  type Map3 = { c: number; h: number; w: number; d: Float64Array }; // one image, channels last
  const conv = (m: Map3, K: Float32Array, bias: Float32Array, cout: number): Map3 => {
    const h = m.h - 2;
    const w = m.w - 2;
    const d = new Float64Array(h * w * cout);
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let o = 0; o < cout; o++) {
          let s = bias[o]!;
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++)
              for (let c = 0; c < m.c; c++)
                s += m.d[((y + ky) * m.w + xx + kx) * m.c + c]! * K[((ky * 3 + kx) * m.c + c) * cout + o]!;
          d[(y * w + xx) * cout + o] = s;
        }
    return { c: cout, h, w, d };
  };
  const pool = (m: Map3): Map3 => {
    const h = Math.floor(m.h / 2);
    const w = Math.floor(m.w / 2);
    const d = new Float64Array(h * w * m.c);
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let c = 0; c < m.c; c++) {
          let v = -Infinity;
          for (let a = 0; a < 2; a++)
            for (let b = 0; b < 2; b++) v = Math.max(v, m.d[((2 * y + a) * m.w + 2 * xx + b) * m.c + c]!);
          d[(y * w + xx) * m.c + c] = v;
        }
    return { c: m.c, h, w, d };
  };
  const stats: { mean: Float64Array; variance: Float64Array; count: number }[] = [];
  const bnRelu = (ms: Map3[], layer: number, gamma: Float32Array, beta: Float32Array): Map3[] => {
    const C = ms[0]!.c;
    const mean = new Float64Array(C);
    const variance = new Float64Array(C);
    const count = ms.length * ms[0]!.h * ms[0]!.w;
    if (running) {
      mean.set(running[layer]!.mean);
      variance.set(running[layer]!.variance);
    } else {
      for (const m of ms) for (let i = 0; i < m.d.length; i++) mean[i % C]! += m.d[i]! / count;
      for (const m of ms) for (let i = 0; i < m.d.length; i++) variance[i % C]! += (m.d[i]! - mean[i % C]!) ** 2 / count;
    }
    stats.push({ mean, variance, count });
    return ms.map((m) => ({
      ...m,
      d: m.d.map((v, i) => Math.max(0, ((v - mean[i % C]!) / Math.sqrt(variance[i % C]! + 1e-5)) * gamma[i % C]! + beta[i % C]!)),
    }));
  };
  let ms: Map3[] = Array.from({ length: n }, (_, i) => ({
    c: 1,
    h: side,
    w: side,
    d: Float64Array.from(x.subarray(i * side * side, (i + 1) * side * side)),
  }));
  const [K1, c1, g1, b1, K2, c2, g2, b2, K3, c3, g3, b3, K4, c4, g4, b4, W, bW] = P as [Float32Array, ...Float32Array[]];
  ms = bnRelu(
    ms.map((m) => conv(m, K1, c1!, 32)),
    0,
    g1!,
    b1!,
  );
  ms = bnRelu(
    ms.map((m) => pool(conv(m, K2!, c2!, 32))),
    1,
    g2!,
    b2!,
  );
  ms = bnRelu(
    ms.map((m) => conv(m, K3!, c3!, 64)),
    2,
    g3!,
    b3!,
  );
  ms = bnRelu(
    ms.map((m) => pool(conv(m, K4!, c4!, 64))),
    3,
    g4!,
    b4!,
  );
  const logits = ms.map((m) =>
    Array.from({ length: classes }, (_, o) => {
      let s = bW![o]!;
      for (let i = 0; i < m.d.length; i++) s += m.d[i]! * W![i * classes + o]!;
      return s;
    }),
  );
  return { logits, stats };
}

export const crossEntropy = (z: number[], label: number) => {
  const mx = Math.max(...z);
  const lse = mx + Math.log(z.reduce((a, v) => a + Math.exp(v - mx), 0));
  return lse - z[label]!;
};
