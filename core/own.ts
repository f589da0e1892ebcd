// Names that come from outside (a session file, a request, a job kind) are looked up as own
// properties only: `toString`, `constructor` or `__proto__` must not find Object.prototype's.

/** obj[key] when obj has it as its own property, else undefined. */
export function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** An empty record without a prototype, safe to fill with outside names (`__proto__` included). */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
