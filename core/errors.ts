import type { ErrorCode, KairoErrorValue } from './contract.ts';

/** An error meant for a person: its message is one line naming the first problem. */
export class KairoError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KairoError';
  }
  toValue(): KairoErrorValue {
    return { code: this.code, message: this.message };
  }
}

export const invalid = (message: string): KairoError => new KairoError('invalid_input', message);

/** A training or analysis step whose numbers went NaN or infinite. */
export const diverged = (what: string, value: number, step: number): KairoError =>
  new KairoError('diverged', `diverged: ${what} became ${value} at step ${step} (a smaller learning rate may help)`);

/**
 * The first NaN or ±Infinity in a job's result or tensors, named by its path, or null. Results
 * are stored and shown only when every number in them is finite.
 */
export function firstNonFinite(result: unknown, tensors: Record<string, { data: ArrayLike<number> }> = {}): string | null {
  const walk = (v: unknown, path: string): string | null => {
    if (typeof v === 'number') return Number.isFinite(v) ? null : `${path} is ${v}`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = walk(v[i], `${path}[${i}]`);
        if (r) return r;
      }
      return null;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const r = walk(x, `${path}.${k}`);
        if (r) return r;
      }
    }
    return null;
  };
  const r = walk(result, 'result');
  if (r) return r;
  for (const [name, t] of Object.entries(tensors)) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return `tensor ${name}[${i}] is ${d[i]}`;
  }
  return null;
}

/** Turns anything thrown into a typed value; unexpected errors keep their first line only. */
export function toErrorValue(e: unknown): KairoErrorValue {
  if (e instanceof KairoError) return e.toValue();
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const err = e as { code: unknown; message: unknown };
    if (typeof err.code === 'string' && typeof err.message === 'string') {
      // Node system errors (ENOENT, EACCES, …) are I/O problems the user can act on.
      if (/^E[A-Z]+$/.test(err.code)) return { code: 'io', message: firstLine(err.message) };
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: firstLine(message) || 'unknown error' };
}

export function firstLine(s: string): string {
  return s.split('\n', 1)[0]!.trim();
}
