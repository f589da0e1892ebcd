// Random neural fields (Watanabe et al. 2023): a layer's neurons and inputs have positions,
// and W_ij = R_ij · (Z A)_ij: an envelope R over the distance between neuron i and input j
// (Gaussian of width r_σ, or a Mexican hat of width m_σ) times Gaussian noise Z smoothed
// along the inputs by a correlation kernel A of length s_σ (Gaussian, or a Cholesky factor of
// a Matérn covariance so every row is a Matérn Gaussian-process sample). A is scaled so the
// noise field Z A has variance 1 in the interior. Positions and lengths are in normalised
// units: inputs and neurons spread over (0, 1] (1-D, flattened pixels) or (0, 1]² (2-D grid).
import { gaussian } from '../common/rng.ts';
import { cholesky } from '../linalg/dense.ts';

export type FieldKind = 'gaussian' | 'mexican' | 'matern';

export interface FieldSpec {
  kind: FieldKind;
  /** 1: positions along the flattened pixels; 2: over the image grid. */
  dims: 1 | 2;
  rSigma: number;
  sSigma: number;
  mSigma: number;
  inputShape: [number, number];
  neurons: number;
}

/** Input positions: (j+1)/N in 1-D; pixel centres ((c+½)/w, (r+½)/h) in 2-D. */
export function inputPositions(s: FieldSpec): Float64Array {
  const [h, w] = s.inputShape;
  const n = h * w;
  const out = new Float64Array(n * 2);
  for (let j = 0; j < n; j++) {
    if (s.dims === 1) out[2 * j] = (j + 1) / n;
    else {
      out[2 * j] = ((j % w) + 0.5) / w;
      out[2 * j + 1] = (Math.floor(j / w) + 0.5) / h;
    }
  }
  return out;
}

/** Neuron positions: (i+1)/M in 1-D; a near-square grid over the unit square in 2-D. */
export function neuronPositions(s: FieldSpec): Float64Array {
  const M = s.neurons;
  const out = new Float64Array(M * 2);
  const cols = Math.ceil(Math.sqrt(M));
  const rows = Math.ceil(M / cols);
  for (let i = 0; i < M; i++) {
    if (s.dims === 1) out[2 * i] = (i + 1) / M;
    else {
      out[2 * i] = ((i % cols) + 0.5) / cols;
      out[2 * i + 1] = (Math.floor(i / cols) + 0.5) / rows;
    }
  }
  return out;
}

const dist2 = (P: Float64Array, a: number, Q: Float64Array, b: number) =>
  (P[2 * a]! - Q[2 * b]!) ** 2 + (P[2 * a + 1]! - Q[2 * b + 1]!) ** 2;

/** Envelope value at squared distance d2. */
export function envelope(s: FieldSpec, d2: number): number {
  if (s.kind === 'mexican') {
    const m = s.mSigma;
    return (2 / (Math.sqrt(3 * m) * Math.PI ** 0.25)) * (1 - d2 / (m * m)) * Math.exp(-d2 / (2 * m * m));
  }
  return Math.exp(-d2 / (2 * s.rSigma ** 2));
}

/** Matérn ν = 3/2 correlation at distance d with length ℓ. */
export function matern32(d: number, l: number): number {
  const a = (Math.sqrt(3) * d) / l;
  return (1 + a) * Math.exp(-a);
}

/**
 * The correlation of the noise field Z A between two inputs at distance d (normalised units),
 * interior value: exp(−d²/(2 s_σ²)) for the Gaussian kernel (A ∝ exp(−d²/s_σ²) convolved with
 * itself), the Matérn correlation itself for Matérn rows.
 */
export function noiseCorrelation(s: FieldSpec, d: number): number {
  return s.kind === 'matern' ? matern32(d, s.sSigma) : Math.exp(-(d * d) / (2 * s.sSigma ** 2));
}

/** The smoothing matrix A (N × N, symmetric for the Gaussian kernel, Lᵀ for Matérn). */
export function smoothing(s: FieldSpec): Float64Array {
  const P = inputPositions(s);
  const n = s.inputShape[0] * s.inputShape[1];
  const A = new Float64Array(n * n);
  if (s.kind === 'matern') {
    for (let a = 0; a < n; a++)
      for (let b = 0; b <= a; b++) A[a * n + b] = matern32(Math.sqrt(dist2(P, a, P, b)), s.sSigma) + (a === b ? 1e-8 : 0);
    const L = cholesky(A, n);
    // Rows of Z Lᵀ have covariance L Lᵀ = K.
    const Lt = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) Lt[b * n + a] = L[a * n + b]!;
    return Lt;
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) A[a * n + b] = Math.exp(-dist2(P, a, P, b) / s.sSigma ** 2);
  // Interior variance 1: scale by the norm of the column at the input nearest the centre.
  const centre = nearestToCentre(P, n);
  let ss = 0;
  for (let a = 0; a < n; a++) ss += A[a * n + centre]! ** 2;
  const c = 1 / Math.sqrt(ss);
  for (let i = 0; i < A.length; i++) A[i] = A[i]! * c;
  return A;
}

export function nearestToCentre(P: Float64Array, n: number): number {
  let best = 0;
  let bd = Infinity;
  for (let j = 0; j < n; j++) {
    const d = (P[2 * j]! - 0.5) ** 2 + (P[2 * j + 1] === 0 ? 0 : (P[2 * j + 1]! - 0.5) ** 2);
    if (d < bd) ((bd = d), (best = j));
  }
  return best;
}

/** The noise field Z A (M × N) for M neurons. */
export function noiseField(s: FieldSpec, rand: () => number, A = smoothing(s)): Float64Array {
  const n = s.inputShape[0] * s.inputShape[1];
  const M = s.neurons;
  const out = new Float64Array(M * n);
  const z = new Float64Array(n);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < n; k++) z[k] = gaussian(rand);
    const row = out.subarray(i * n, (i + 1) * n);
    for (let k = 0; k < n; k++) {
      const zk = z[k]!;
      const ak = k * n;
      for (let j = 0; j < n; j++) row[j] = row[j]! + zk * A[ak + j]!;
    }
  }
  return out;
}

/** The envelope matrix R (M × N). */
export function envelopeMatrix(s: FieldSpec): Float64Array {
  const P = inputPositions(s);
  const Q = neuronPositions(s);
  const n = s.inputShape[0] * s.inputShape[1];
  const R = new Float64Array(s.neurons * n);
  for (let i = 0; i < s.neurons; i++) for (let j = 0; j < n; j++) R[i * n + j] = envelope(s, dist2(Q, i, P, j));
  return R;
}

/** W = R ⊙ (Z A), before the σ_w/√fan_in factor of the NTK parameterisation. */
export function fieldWeights(s: FieldSpec, rand: () => number): Float64Array {
  const Z = noiseField(s, rand);
  const R = envelopeMatrix(s);
  for (let i = 0; i < Z.length; i++) Z[i] = Z[i]! * R[i]!;
  return Z;
}

export interface NoiseStats {
  varianceCenter: number;
  varianceEdge: number;
  correlation: { lag: number; empirical: number; theory: number }[];
}

/**
 * Statistics of the noise field over its rows (neurons): the variance at the central input and
 * at the first (edge) input, and the correlation between inputs `lag` pixels apart along a row
 * of the image (1-D: along the flattened pixels), pooled over a band of central inputs.
 */
export function noiseStats(s: FieldSpec, F: Float64Array, lags: number[]): NoiseStats {
  const n = s.inputShape[0] * s.inputShape[1];
  const M = s.neurons;
  const P = inputPositions(s);
  const centre = nearestToCentre(P, n);
  const colVar = (j: number) => {
    let m = 0;
    for (let i = 0; i < M; i++) m += F[i * n + j]! / M;
    let v = 0;
    for (let i = 0; i < M; i++) v += (F[i * n + j]! - m) ** 2 / M;
    return v;
  };
  const w = s.inputShape[1];
  const maxLag = Math.max(...lags);
  // Reference inputs: a band around the centre whose partners at every lag stay on the image (2-D: in the same row).
  const refs: number[] = [];
  for (let j = 0; j < n; j++) {
    const partnerOk = s.dims === 1 ? j + maxLag < n : (j % w) + maxLag < w;
    const near =
      s.dims === 1
        ? Math.abs(j - (n - maxLag) / 2) < n / 8
        : Math.abs(Math.floor(j / w) - s.inputShape[0] / 2) < 2 && (j % w) + maxLag < w;
    if (partnerOk && near) refs.push(j);
  }
  if (!refs.length) refs.push(0);
  const corr = (a: number, b: number) => {
    let sa = 0;
    let sb = 0;
    let sab = 0;
    for (let i = 0; i < M; i++) {
      const x = F[i * n + a]!;
      const y = F[i * n + b]!;
      sa += x * x;
      sb += y * y;
      sab += x * y;
    }
    return sab / Math.sqrt(sa * sb);
  };
  const unit = s.dims === 1 ? 1 / n : 1 / w;
  return {
    varianceCenter: colVar(centre),
    varianceEdge: colVar(0),
    correlation: lags.map((lag) => {
      const ok = refs.filter((j) => (s.dims === 1 ? j + lag < n : (j % w) + lag < w));
      const empirical = ok.reduce((acc, j) => acc + corr(j, j + lag), 0) / ok.length;
      return { lag, empirical, theory: noiseCorrelation(s, lag * unit) };
    }),
  };
}
