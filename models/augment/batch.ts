// Augmenting the chosen samples of one batch, with soft labels: the image operations of augment.ts
// sample by sample, and the two operations that mix a sample with others of its batch (mixup, Zhang
// et al. 2018; RICAP, Takahashi et al. 2018), as the SPA authors' code applies them. A sample is
// drawn for only when it is augmented, and a run of image operations is drawn sample by sample as
// before mixing existed, so SPA with every sample chosen is CA exactly and old runs are unchanged.
import { permutation } from '../common/rng.ts';
import { augment, isMixing, randAugment, type Augmentation, type Image, type ImageAugmentation } from './augment.ts';

export interface Batch {
  /** Images [k, h·w], values in [0, 1]. */
  x: Float32Array;
  /** Labels [k, classes]: one-hot, or mixed by mixup and RICAP (each row sums to 1). */
  y: Float32Array;
  k: number;
  h: number;
  w: number;
  classes: number;
}

/** One-hot rows for class indices. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const y = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) y[i * classes + labels[i]!] = 1;
  return y;
}

const meanOf = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);

/**
 * mixup on the chosen samples: each is mixed with its partner in a permutation of the batch (as it stands before
 * the operation) at a weight λ ~ Beta(1, 1), i.e. uniform on [0, 1): x ← λx + (1 − λ)x_p, y likewise.
 */
export function mixup(b: Batch, mask: readonly boolean[], rand: () => number): void {
  const D = b.h * b.w;
  const C = b.classes;
  const x0 = Float32Array.from(b.x);
  const y0 = Float32Array.from(b.y);
  const perm = permutation(b.k, rand);
  for (let j = 0; j < b.k; j++) {
    if (!mask[j]) continue;
    const p = perm[j]!;
    const lam = rand();
    for (let i = 0; i < D; i++) b.x[j * D + i] = lam * x0[j * D + i]! + (1 - lam) * x0[p * D + i]!;
    for (let c = 0; c < C; c++) b.y[j * C + c] = lam * y0[j * C + c]! + (1 - lam) * y0[p * C + c]!;
  }
}

/**
 * RICAP on the chosen samples: a boundary point (w′, h′) = (round(uW), round(uH)), u ~ Beta(1, 1) each, splits the
 * image into four rectangles; each is filled with a crop of the same size, at a uniform position, from the image of
 * its own permutation of the batch, and the label is the area-weighted mix of the four images' labels.
 */
export function ricap(b: Batch, mask: readonly boolean[], rand: () => number): void {
  const { h: H, w: W, classes: C } = b;
  const D = H * W;
  const x0 = Float32Array.from(b.x);
  const y0 = Float32Array.from(b.y);
  const perms = [0, 1, 2, 3].map(() => permutation(b.k, rand));
  for (let j = 0; j < b.k; j++) {
    if (!mask[j]) continue;
    const wd = Math.round(rand() * W);
    const hd = Math.round(rand() * H);
    const boxes = [
      [0, 0, wd, hd],
      [wd, 0, W - wd, hd],
      [0, hd, wd, H - hd],
      [wd, hd, W - wd, H - hd],
    ] as const;
    b.y.fill(0, j * C, (j + 1) * C);
    boxes.forEach(([x0d, y0d, wk, hk], q) => {
      const src = perms[q]![j]!;
      const xs = Math.floor(rand() * (W - wk));
      const ys = Math.floor(rand() * (H - hk));
      for (let y = 0; y < hk; y++)
        for (let x = 0; x < wk; x++) b.x[j * D + (y0d + y) * W + x0d + x] = x0[src * D + (ys + y) * W + xs + x]!;
      const wt = (wk * hk) / D;
      for (let c = 0; c < C; c++) b.y[j * C + c]! += wt * y0[src * C + c]!;
    });
  }
}

export interface BatchPolicy {
  /** 'compose': the operations in order; 'rand': RandAugment-style, `randOps` image operations drawn per sample. */
  mode: 'compose' | 'rand';
  ops: readonly Augmentation[];
  strength: number;
  randOps: number;
}

/**
 * Augments the samples `mask` marks, in place. Consecutive image operations run sample by sample (each chosen
 * sample through all of them); a mixing operation runs on the batch as it stands, partners drawn from all of it.
 */
export function augmentBatch(b: Batch, mask: readonly boolean[], policy: BatchPolicy, rand: () => number): void {
  if (!mask.some(Boolean)) return;
  const D = b.h * b.w;
  const image = (kinds: readonly ImageAugmentation[]) => {
    // cutout fills with the batch's mean pixel, as the authors' code does.
    const fill = kinds.includes('cutout') ? meanOf(b.x) : 0;
    for (let j = 0; j < b.k; j++) {
      if (!mask[j]) continue;
      const img: Image = { h: b.h, w: b.w, data: b.x.subarray(j * D, (j + 1) * D) };
      const out =
        policy.mode === 'rand'
          ? randAugment(img, kinds, policy.randOps, policy.strength, rand)
          : augment(img, kinds, policy.strength, rand, fill);
      b.x.set(out.data, j * D);
    }
  };
  if (policy.mode === 'rand') {
    if (policy.ops.some(isMixing)) throw new Error('RandAugment draws image operations only; mixup and RICAP mix images');
    image(policy.ops as ImageAugmentation[]);
    return;
  }
  let run: ImageAugmentation[] = [];
  for (const op of policy.ops) {
    if (!isMixing(op)) {
      run.push(op);
      continue;
    }
    if (run.length) image(run);
    run = [];
    if (op === 'mixup') mixup(b, mask, rand);
    else ricap(b, mask, rand);
  }
  if (run.length) image(run);
}
