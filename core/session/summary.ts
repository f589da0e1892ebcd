// What `kairo session inspect` prints by default: a summary a person can read (each lab's kept
// results with their sizes, the tensors' count and bytes, the file's size, signed or not), where
// the whole manifest (`--manifest`) runs to hundreds of kilobytes for one trained model.
import { statSync } from 'node:fs';
import type { LoadedSession } from './session.ts';

/**
 * One lab's state in a line per part: `true` for a kept result (an object with the `params` it ran
 * with), an array's length for kept lists (histories, the runs ledger); settings and empty parts
 * left out.
 */
function labSummary(state: unknown): Record<string, number | true> {
  const out: Record<string, number | true> = Object.create(null) as Record<string, number | true>;
  if (state === null || typeof state !== 'object') return out;
  for (const [key, v] of Object.entries(state)) {
    if (/draft$/i.test(key) || v === null || v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length) out[key] = v.length;
    } else if (typeof v === 'object' && 'params' in v) out[key] = true;
  }
  return out;
}

export function sessionSummary(file: string, s: LoadedSession) {
  const tensors = Object.values(s.tensors);
  const labs = Object.fromEntries(
    Object.entries(s.labs)
      .map(([id, state]) => [id, labSummary(state)] as const)
      .filter(([, parts]) => Object.keys(parts).length > 0),
  );
  const kept = s.labs.runs.runs.filter((r) => r.checkpoint);
  return {
    saved_at: s.savedAt,
    signed: s.signed,
    bytes: statSync(file).size,
    labs,
    // Models runs kept (kairo runs list says which); only where there are some, so older outputs stay as they were.
    ...(kept.length
      ? {
          checkpoints: {
            count: kept.length,
            pinned: kept.filter((r) => r.pinned).length,
            keep: s.labs.runs.keep,
            bytes: kept.reduce((n, r) => n + r.checkpoint!.bytes, 0),
          },
        }
      : {}),
    tensors: { count: tensors.length, bytes: tensors.reduce((sum, t) => sum + t.data.byteLength, 0) },
  };
}
