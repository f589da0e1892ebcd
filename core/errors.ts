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
 * A loss that grows past this multiple of its first value (in magnitude, taking the first as at
 * least 1) has diverged though it is still finite: a VAE at learning rate 1 reaches a −ELBO of
 * 10²⁴ from about 500, and nothing Kairo trains comes back from there.
 */
export const DIVERGENCE_GROWTH = 1e6;

/** Watches a training loss step by step: non-finite, or DIVERGENCE_GROWTH times its start, ends the job as diverged. */
export class LossWatch {
  private scale: number | null = null;
  constructor(private readonly what: string) {}

  check(loss: number, step: number): void {
    if (!Number.isFinite(loss)) throw diverged(this.what, loss, step);
    if (this.scale === null) {
      this.scale = Math.max(1, Math.abs(loss));
      return;
    }
    if (Math.abs(loss) > DIVERGENCE_GROWTH * this.scale)
      throw new KairoError(
        'diverged',
        `diverged: ${this.what} grew to ${loss.toExponential(2)} at step ${step}, over 10⁶ times its first value (${this.scale.toPrecision(3)}); a smaller learning rate may help`,
      );
  }
}

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

/**
 * The longest message an error carries: messages quote names and values from outside (a tensor
 * name in a file, a flag's value), and a 10 MiB name must not come back as a 10 MiB reply.
 */
export const MAX_ERROR_CHARS = 500;

const bounded = (v: KairoErrorValue): KairoErrorValue =>
  v.message.length > MAX_ERROR_CHARS ? { code: v.code, message: `${v.message.slice(0, MAX_ERROR_CHARS - 1)}…` } : v;

/** Turns anything thrown into a typed value: one line, at most MAX_ERROR_CHARS long. */
export function toErrorValue(e: unknown): KairoErrorValue {
  return bounded(errorValue(e));
}

function errorValue(e: unknown): KairoErrorValue {
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
