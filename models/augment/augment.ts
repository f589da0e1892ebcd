// Image augmentations for the self-paced augmentation experiments (Takase, Karakida & Asoh,
// Neurocomputing 2021), on single-channel float images (h × w, row-major, values in [0, 1]):
// integer shifts, rotations and scalings about the centre (bilinear, zero outside), elastic
// deformation (Simard et al. 2003: a random displacement field smoothed by a Gaussian of width σ
// and scaled by α), Gaussian noise (clipped) and random erasing. Each is the identity at zero
// strength exactly, which the tests check, so a policy's strength of 0 means "no augmentation".
import { gaussian } from '../common/rng.ts';

export interface Image {
  h: number;
  w: number;
  data: Float32Array;
}

const at = (img: Image, y: number, x: number) => (y >= 0 && y < img.h && x >= 0 && x < img.w ? img.data[y * img.w + x]! : 0);

/** Bilinear sample at (y, x), zero outside; exact at integer coordinates. */
export function sample(img: Image, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  if (fy === 0 && fx === 0) return at(img, y0, x0);
  return (
    (1 - fy) * ((1 - fx) * at(img, y0, x0) + fx * at(img, y0, x0 + 1)) +
    fy * ((1 - fx) * at(img, y0 + 1, x0) + fx * at(img, y0 + 1, x0 + 1))
  );
}

/** Moves every pixel by (dy, dx) whole pixels; what comes in from outside is 0. */
export function shift(img: Image, dy: number, dx: number): Image {
  const out = new Float32Array(img.h * img.w);
  for (let y = 0; y < img.h; y++) for (let x = 0; x < img.w; x++) out[y * img.w + x] = at(img, y - dy, x - dx);
  return { h: img.h, w: img.w, data: out };
}

/** Rotation by `degrees` (counter-clockwise on screen) and scaling by `scale` about the image centre. */
export function affine(img: Image, degrees: number, scale = 1): Image {
  const out = new Float32Array(img.h * img.w);
  const cy = (img.h - 1) / 2;
  const cx = (img.w - 1) / 2;
  const t = (degrees * Math.PI) / 180;
  // Exact at the multiples of 90° that matter for tests and for "no rotation".
  const snap = (v: number) => (Math.abs(v) < 1e-12 ? 0 : Math.abs(Math.abs(v) - 1) < 1e-12 ? Math.sign(v) : v);
  const c = snap(Math.cos(t));
  const s = snap(Math.sin(t));
  for (let y = 0; y < img.h; y++)
    for (let x = 0; x < img.w; x++) {
      // The output pixel's source: the inverse map, rotation by −θ and scaling by 1/scale.
      const u = (x - cx) / scale;
      const v = (y - cy) / scale;
      out[y * img.w + x] = sample(img, cy + c * v + s * u, cx + c * u - s * v);
    }
  return { h: img.h, w: img.w, data: out };
}

/** A 1-D Gaussian kernel of width σ, truncated at 3σ and normalised. */
function kernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

function smooth(f: Float64Array, h: number, w: number, sigma: number): Float64Array {
  const k = kernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(h * w);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let j = -r; j <= r; j++) if (x + j >= 0 && x + j < w) v += k[j + r]! * f[y * w + x + j]!;
      tmp[y * w + x] = v;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let j = -r; j <= r; j++) if (y + j >= 0 && y + j < h) v += k[j + r]! * tmp[(y + j) * w + x]!;
      out[y * w + x] = v;
    }
  return out;
}

/** Elastic deformation: displacements U(−1, 1) per pixel, smoothed at σ, times α; α = 0 is the identity. */
export function elastic(img: Image, alpha: number, sigma: number, rand: () => number): Image {
  if (alpha === 0) return { h: img.h, w: img.w, data: Float32Array.from(img.data) };
  const n = img.h * img.w;
  const dx = smooth(
    Float64Array.from({ length: n }, () => 2 * rand() - 1),
    img.h,
    img.w,
    sigma,
  );
  const dy = smooth(
    Float64Array.from({ length: n }, () => 2 * rand() - 1),
    img.h,
    img.w,
    sigma,
  );
  const out = new Float32Array(n);
  for (let y = 0; y < img.h; y++)
    for (let x = 0; x < img.w; x++)
      out[y * img.w + x] = sample(img, y + alpha * dy[y * img.w + x]!, x + alpha * dx[y * img.w + x]!);
  return { h: img.h, w: img.w, data: out };
}

/** Gaussian pixel noise of standard deviation `std`, clipped to [0, 1]. */
export function noise(img: Image, std: number, rand: () => number): Image {
  if (std === 0) return { h: img.h, w: img.w, data: Float32Array.from(img.data) };
  return { h: img.h, w: img.w, data: img.data.map((v) => Math.min(1, Math.max(0, v + std * gaussian(rand)))) };
}

/** Sets the rectangle [y0, y0 + rh) × [x0, x0 + rw) to `value`. */
export function eraseRect(img: Image, y0: number, x0: number, rh: number, rw: number, value = 0): Image {
  const out = Float32Array.from(img.data);
  for (let y = Math.max(0, y0); y < Math.min(img.h, y0 + rh); y++)
    for (let x = Math.max(0, x0); x < Math.min(img.w, x0 + rw); x++) out[y * img.w + x] = value;
  return { h: img.h, w: img.w, data: out };
}

/** Random erasing (Zhong et al. 2020): a rectangle of `area` × the image (aspect ratio in [1/2, 2]) set to 0. */
export function erase(img: Image, area: number, rand: () => number): Image {
  if (area <= 0) return { h: img.h, w: img.w, data: Float32Array.from(img.data) };
  const ratio = Math.exp((2 * rand() - 1) * Math.log(2));
  const rh = Math.min(img.h, Math.max(1, Math.round(Math.sqrt(area * img.h * img.w * ratio))));
  const rw = Math.min(img.w, Math.max(1, Math.round(Math.sqrt((area * img.h * img.w) / ratio))));
  return eraseRect(img, Math.floor(rand() * (img.h - rh + 1)), Math.floor(rand() * (img.w - rw + 1)), rh, rw);
}

/** Kairo's operations: each has a strength m ∈ [0, 1] and is the identity at m = 0. */
export const AUGMENTATIONS = ['shift', 'rotate', 'scale', 'elastic', 'noise', 'erase'] as const;
/**
 * The operations of the SPA authors' released code (takaset16/selfpaced-augmentation, augmentation.py), at their
 * fixed parameters (no strength). mixup and RICAP mix a sample with others of its batch (models/augment/batch.ts).
 */
export const AUTHORS_AUGMENTATIONS = [
  'translate',
  'rotate-any',
  'flip',
  'crop',
  'cutout',
  'random-erasing',
  'mixup',
  'ricap',
] as const;
export const MIXING_AUGMENTATIONS = ['mixup', 'ricap'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number] | (typeof AUTHORS_AUGMENTATIONS)[number];
export type ImageAugmentation = Exclude<Augmentation, (typeof MIXING_AUGMENTATIONS)[number]>;
export const isMixing = (a: Augmentation): a is (typeof MIXING_AUGMENTATIONS)[number] => a === 'mixup' || a === 'ricap';

/** A uniform integer in [lo, hi] (both included). */
const intIn = (lo: number, hi: number, rand: () => number) => lo + Math.floor(rand() * (hi - lo + 1));

/** Horizontal mirror image. */
export function flip(img: Image): Image {
  const out = new Float32Array(img.h * img.w);
  for (let y = 0; y < img.h; y++) for (let x = 0; x < img.w; x++) out[y * img.w + x] = img.data[y * img.w + img.w - 1 - x]!;
  return { h: img.h, w: img.w, data: out };
}

/**
 * The ch × cw window at (top, left), resized back to h × w bilinearly with the corners aligned (PyTorch's
 * `upsample(…, mode='bilinear', align_corners=True)`, as the authors' random_crop resizes).
 */
export function cropResize(img: Image, top: number, left: number, ch: number, cw: number): Image {
  const out = new Float32Array(img.h * img.w);
  const sy = img.h > 1 ? (ch - 1) / (img.h - 1) : 0;
  const sx = img.w > 1 ? (cw - 1) / (img.w - 1) : 0;
  for (let y = 0; y < img.h; y++) for (let x = 0; x < img.w; x++) out[y * img.w + x] = sample(img, top + y * sy, left + x * sx);
  return { h: img.h, w: img.w, data: out };
}

/**
 * One of the authors' operations on one image (mixup and RICAP excepted), drawn as their code draws it:
 * - translate: whole-pixel shift by dy, dx uniform in [−⌊h/5⌋, ⌊h/5⌋], zero fill (random_transfer);
 * - rotate-any: a whole-degree angle uniform in [0, 180), the canvas enlarged to hold the rotated image and resized
 *   back to h × w — scipy's rotate(reshape=True) then imresize, i.e. rotation and scaling by 1/(|cos θ| + |sin θ|)
 *   (their imresize also rescales the values to 0–255 by min and max; Kairo keeps the values);
 * - flip: horizontal mirror with probability ½;
 * - crop: a window of ⌊4h/5⌋ × ⌊4w/5⌋ at a uniform position, resized back (random_crop);
 * - cutout: an ⌊h/2⌋ square whose top-left corner is uniform in [−⌊h/4⌋, h − ⌊h/4⌋), clipped, set to `fill` (their
 *   code fills with the batch's mean pixel);
 * - random-erasing: as Zhong et al. (2020), with probability ½ a rectangle of 2–40 % of the area, aspect ratio in
 *   [0.3, 3.3), set to a uniform value in [0, 1). The released code's version returns its input unchanged (it
 *   erases a copy and returns the original), so in the authors' runs this operation was the identity.
 */
export function authorsOnce(
  img: Image,
  kind: Exclude<ImageAugmentation, (typeof AUGMENTATIONS)[number]>,
  rand: () => number,
  fill = 0,
): Image {
  const { h, w } = img;
  switch (kind) {
    case 'translate': {
      const r = Math.floor(h / 5);
      const dx = intIn(-r, r, rand);
      const dy = intIn(-r, r, rand);
      return shift(img, dy, dx);
    }
    case 'rotate-any': {
      const deg = Math.floor(rand() * 180);
      const t = (deg * Math.PI) / 180;
      return affine(img, deg, 1 / (Math.abs(Math.cos(t)) + Math.abs(Math.sin(t))));
    }
    case 'flip':
      return rand() < 0.5 ? flip(img) : { h, w, data: Float32Array.from(img.data) };
    case 'crop': {
      const ch = Math.floor((4 * h) / 5);
      const cw = Math.floor((4 * w) / 5);
      return cropResize(img, Math.floor(rand() * (h - ch)), Math.floor(rand() * (w - cw)), ch, cw);
    }
    case 'cutout': {
      const s = Math.floor(h / 2);
      const top = intIn(-Math.floor(s / 2), h - Math.floor(s / 2) - 1, rand);
      const left = intIn(-Math.floor(s / 2), w - Math.floor(s / 2) - 1, rand);
      return eraseRect(img, top, left, s, s, fill);
    }
    case 'random-erasing': {
      if (rand() >= 0.5) return { h, w, data: Float32Array.from(img.data) };
      const value = rand();
      const area = intIn(Math.floor(h * w * 0.02), Math.floor(h * w * 0.4) - 1, rand);
      const ratio = 0.3 + 3 * rand();
      const rh = Math.min(h - 1, Math.floor(Math.sqrt(area / ratio)));
      const rw = Math.min(w - 1, Math.floor(ratio * rh));
      return eraseRect(img, Math.floor(rand() * (h - rh)), Math.floor(rand() * (w - rw)), rh, rw, value);
    }
  }
}

/**
 * One augmentation at strength m ∈ [0, 1] (0: the identity), its parameters drawn at random:
 * shift up to ±3m pixels, rotation up to ±30m degrees, scale in [1 − 0.2m, 1 + 0.2m], elastic
 * α = 8m with σ = 3 (MNIST-sized images), noise σ = 0.3m, erasing up to 25m % of the area.
 */
export function augmentOnce(img: Image, kind: ImageAugmentation, m: number, rand: () => number, fill = 0): Image {
  const u = () => 2 * rand() - 1;
  switch (kind) {
    case 'shift': {
      const r = Math.round(3 * m);
      return shift(img, Math.round(u() * r), Math.round(u() * r));
    }
    case 'rotate':
      return affine(img, 30 * m * u());
    case 'scale':
      return affine(img, 0, 1 + 0.2 * m * u());
    case 'elastic':
      return elastic(img, 8 * m, 3, rand);
    case 'noise':
      return noise(img, 0.3 * m, rand);
    case 'erase':
      return erase(img, 0.25 * m * rand(), rand);
    default:
      return authorsOnce(img, kind, rand, fill);
  }
}

/** Applies each augmentation in turn (a composed policy). */
export function augment(img: Image, kinds: readonly ImageAugmentation[], m: number, rand: () => number, fill = 0): Image {
  return kinds.reduce((im, k) => augmentOnce(im, k, m, rand, fill), img);
}

/** RandAugment-style (Cubuk et al. 2020): n operations drawn uniformly from `kinds`, each at strength m. */
export function randAugment(img: Image, kinds: readonly ImageAugmentation[], n: number, m: number, rand: () => number): Image {
  let im = img;
  for (let i = 0; i < n; i++) im = augmentOnce(im, kinds[Math.floor(rand() * kinds.length)]!, m, rand);
  return im;
}

export type Threshold = { kind: 'fixed'; value: number } | { kind: 'quantile'; q: number };

/** The loss threshold: a fixed value, or the q-quantile of this step's per-sample losses (type-7, as numpy). */
export function thresholdOf(losses: ArrayLike<number>, t: Threshold): number {
  if (t.kind === 'fixed') return t.value;
  const s = Array.from(losses).sort((a, b) => a - b);
  const pos = t.q * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (pos - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

/**
 * Self-paced augmentation's choice: a fixed threshold augments the samples whose loss is at least the threshold
 * (the authors' `loss < judge ? 0 : 1`, so a threshold of 0 augments every sample); a quantile threshold the
 * samples strictly above the batch's q-quantile (about 1 − q of them).
 */
export function selfPacedMask(losses: ArrayLike<number>, t: Threshold): boolean[] {
  const thr = thresholdOf(losses, t);
  return Array.from(losses, (l) => (t.kind === 'fixed' ? l >= thr : l > thr));
}
