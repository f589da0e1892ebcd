// The renderer kit's session-tensor helper: a view names the tensor it shows and reads `.value`,
// fetched again whenever the name, its shape, the session file or the view's `version` (what
// made the tensor: a run's time, say — a rerun can write a same-named tensor) changes.
// Construct it while a component initialises (it owns an $effect).
import type { EncodedArray } from '../../../core/contract';
import { app } from './app.svelte';

export class SessionTensor {
  value = $state<EncodedArray | null>(null);
  readonly #name: () => string | null | undefined;
  readonly #version: () => unknown;
  readonly #key = $derived.by(() => {
    const n = this.#name();
    const info = n ? app.session?.tensors[n] : undefined;
    return n && info ? JSON.stringify([n, info.shape, app.session?.path ?? null, this.#version()]) : null;
  });

  constructor(name: () => string | null | undefined, version: () => unknown = () => null) {
    this.#name = name;
    this.#version = version;
    $effect(() => {
      const key = this.#key;
      if (!key) {
        this.value = null;
        return;
      }
      const n = JSON.parse(key)[0] as string;
      let stale = false;
      void app
        .run(() => app.client.call('session.tensor', { name: n }))
        .then((t) => {
          if (!stale) this.value = t ?? null;
        });
      return () => (stale = true);
    });
  }
}
