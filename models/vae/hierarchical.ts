// Binary patterns with a hierarchical cluster structure, in the tradition of Amari's concept
// formation (1977) that Nagano, Karakida & Okada's preprint (arXiv:1712.04195) studies: G roots
// of fair bits; C concepts per root, each bit its root's with probability (1 + b₁)/2; S memories
// per concept, each bit its concept's with probability (1 + b₂)/2. So a memory agrees with its
// concept on a fraction (1 + b₂)/2 of bits on average, and two memories of one concept on
// (1 + b₂²)/2. The held-out memories come from their own seeded stream, so asking for more or
// fewer of them leaves the training memories unchanged.
import { mulberry32 } from '../common/rng.ts';

export interface HierarchicalSpec {
  /** N, bits per pattern. */
  patternDim: number;
  /** G, top-level clusters. */
  roots: number;
  /** C, concepts under each root. */
  concepts: number;
  /** S, training memories per concept. */
  memories: number;
  /** Held-out memories per concept (for the test ELBO and recall from unseen patterns). */
  testMemories: number;
  /** b₁: correlation of a concept's bits with its root's. */
  biasConcept: number;
  /** b₂: correlation of a memory's bits with its concept's. */
  biasMemory: number;
  seed: number;
}

export interface HierarchicalPatterns {
  /** [G, N] root patterns, 0/1. */
  roots: Uint8Array;
  /** [G·C, N] concept patterns, 0/1; concept k belongs to root ⌊k / C⌋. */
  concepts: Uint8Array;
  /** [G·C·S, N] training memories, 0/1, grouped by concept. */
  train: Uint8Array;
  /** Concept index of each training memory. */
  trainLabels: Uint8Array;
  /** [G·C·S', N] held-out memories. */
  test: Uint8Array;
  testLabels: Uint8Array;
}

/** Each bit of `parent` copied with probability (1 + b)/2, flipped otherwise. */
function child(parent: Uint8Array, b: number, rand: () => number, out: Uint8Array): void {
  const keep = (1 + b) / 2;
  for (let j = 0; j < parent.length; j++) out[j] = rand() < keep ? parent[j]! : 1 - parent[j]!;
}

function memoriesOf(
  concepts: Uint8Array,
  k: number,
  N: number,
  per: number,
  b: number,
  rand: () => number,
): { X: Uint8Array; labels: Uint8Array } {
  const X = new Uint8Array(k * per * N);
  const labels = new Uint8Array(k * per);
  for (let c = 0; c < k; c++) {
    const parent = concepts.subarray(c * N, (c + 1) * N);
    for (let s = 0; s < per; s++) {
      const i = c * per + s;
      child(parent, b, rand, X.subarray(i * N, (i + 1) * N));
      labels[i] = c;
    }
  }
  return { X, labels };
}

export function generateHierarchical(spec: HierarchicalSpec): HierarchicalPatterns {
  const { patternDim: N, roots: G, concepts: C } = spec;
  const rand = mulberry32(spec.seed);
  const roots = new Uint8Array(G * N);
  for (let j = 0; j < roots.length; j++) roots[j] = rand() < 0.5 ? 1 : 0;
  const concepts = new Uint8Array(G * C * N);
  for (let k = 0; k < G * C; k++)
    child(
      roots.subarray(Math.floor(k / C) * N, (Math.floor(k / C) + 1) * N),
      spec.biasConcept,
      rand,
      concepts.subarray(k * N, (k + 1) * N),
    );
  const train = memoriesOf(concepts, G * C, N, spec.memories, spec.biasMemory, rand);
  const test = memoriesOf(concepts, G * C, N, spec.testMemories, spec.biasMemory, mulberry32((spec.seed ^ 0x5bd1e995) >>> 0));
  return { roots, concepts, train: train.X, trainLabels: train.labels, test: test.X, testLabels: test.labels };
}

/** [h, w] for N pixels: the most nearly square factorisation (10 × 10 for 100, 1 × N for a prime). */
export function patternShape(N: number): [number, number] {
  let h = Math.floor(Math.sqrt(N));
  while (N % h !== 0) h--;
  return [h, N / h];
}
