// The random-neural-field lab's initialiser explorer, in the core's process: milliseconds to a
// fraction of a second per request, so the sliders answer as they move.
import { envelopeMatrix, noiseField, noiseStats, smoothing, type FieldSpec } from '../../../models/field/init.ts';
import { gaussian, mulberry32 } from '../../../models/common/rng.ts';
import type { FieldExploreView, FieldLabState } from '../../contract.ts';
import { encodeF32 } from '../../session/encode.ts';
import { parseOrThrow } from '../../validate.ts';
import { exploreSchema } from './state.ts';
/** Lags shown: pixels along the flattened image (1-D) or along an image row (2-D). */
export const LAGS_1D = [0, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100];
export const LAGS_2D = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12];

let cached: { key: string; A: Float64Array } | null = null;

export function exploreField(raw: FieldLabState['explore']): FieldExploreView {
  const p = parseOrThrow(exploreSchema, raw, 'field.explore');
  const shape: [number, number] = [28, 28];
  const n = 784;
  const spec: FieldSpec = {
    kind: p.kind === 'vanilla' ? 'gaussian' : p.kind,
    dims: p.dims,
    rSigma: p.rSigma,
    sSigma: p.sSigma,
    mSigma: p.mSigma,
    inputShape: shape,
    neurons: p.neurons,
  };
  const rand = mulberry32(p.seed);
  let W: Float64Array;
  let R: Float64Array;
  let stats: ReturnType<typeof noiseStats>;
  if (p.kind === 'vanilla') {
    W = Float64Array.from({ length: p.neurons * n }, () => gaussian(rand));
    R = new Float64Array(p.neurons * n).fill(1);
    stats = noiseStats({ ...spec, kind: 'gaussian' }, W, p.dims === 1 ? LAGS_1D : LAGS_2D);
    stats.correlation = stats.correlation.map((c) => ({ ...c, theory: c.lag === 0 ? 1 : 0 }));
  } else {
    // The smoothing matrix depends only on the kernel; reuse it while sliders move r_σ or m_σ.
    const key = JSON.stringify([spec.kind === 'matern', spec.dims, spec.sSigma]);
    if (cached?.key !== key) cached = { key, A: smoothing(spec) };
    const Z = noiseField(spec, rand, cached.A);
    stats = noiseStats(spec, Z, p.dims === 1 ? LAGS_1D : LAGS_2D);
    R = envelopeMatrix(spec);
    W = Z.map((v, i) => v * R[i]!);
  }
  return {
    weights: encodeF32([p.neurons, n], W),
    field: encodeF32(shape, W.subarray(p.neuron * n, (p.neuron + 1) * n)),
    envelope: encodeF32(shape, R.subarray(p.neuron * n, (p.neuron + 1) * n)),
    varianceCenter: stats.varianceCenter,
    varianceEdge: stats.varianceEdge,
    correlation: stats.correlation,
  };
}
