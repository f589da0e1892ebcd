// The dataset lab: summaries and pages of images for the browser, and the baseline job's
// results stored back into the session.
import { z } from 'zod';
import type { DataPage, DatasetSummary, ParamsOf } from '../../contract.ts';
import { getDataset, splitOf, summarise } from '../../data/datasets.ts';
import { encodeU8 } from '../../session/encode.ts';
import { parseOrThrow } from '../../validate.ts';
const pageParams = z.object({
  split: z.enum(['train', 'test']),
  offset: z.number().int().min(0),
  count: z.number().int().min(1).max(1000),
  classFilter: z.number().int().min(0).max(255).nullable(),
});

export function dataSummary(p: ParamsOf<'data.summary'>): DatasetSummary {
  return summarise(getDataset(p?.source));
}

export function dataPage(p: ParamsOf<'data.page'>): DataPage {
  const { split, offset, count, classFilter } = parseOrThrow(pageParams, p, 'data.page');
  const s = splitOf(getDataset(p.source), split);
  // With a class filter, offsets count within the filtered items.
  let matching: number[] | null = null;
  if (classFilter !== null) {
    matching = [];
    for (let i = 0; i < s.count; i++) if (s.labels[i] === classFilter) matching.push(i);
  }
  const total = matching ? matching.length : s.count;
  const start = Math.min(offset, Math.max(0, total - 1));
  const n = Math.max(0, Math.min(count, total - start));
  const indices = Array.from({ length: n }, (_, k) => (matching ? matching[start + k]! : start + k));
  const d = s.shape[0]! * s.shape[1]!;
  const bytes = new Uint8Array(n * d);
  indices.forEach((i, k) => bytes.set(s.images.subarray(i * d, (i + 1) * d), k * d));
  return {
    split,
    total,
    offset: start,
    indices,
    labels: indices.map((i) => s.labels[i]!),
    images: encodeU8([n, ...s.shape], bytes),
  };
}
