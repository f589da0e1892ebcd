// The renderer kit's draft helper: a form's values that follow the session (a reload, an opened
// file, a job storing the parameters it ran with) until the user edits them. `value` is what the
// form binds; the session's copy replaces it whenever that copy changes, and only then.
// Construct it while a component initialises (it owns an $effect).
export class Draft<T> {
  value = $state<T | null>(null);
  readonly #source: () => T | null | undefined;
  readonly #key = $derived.by(() => {
    const v = this.#source();
    return v === null || v === undefined ? '' : JSON.stringify(v);
  });

  constructor(source: () => T | null | undefined) {
    this.#source = source;
    $effect(() => {
      if (this.#key) this.value = JSON.parse(this.#key) as T;
    });
  }

  /** A plain copy of the form's values, to send to the core. */
  snapshot(): T | null {
    return this.value === null ? null : ($state.snapshot(this.value) as T);
  }
}
