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
