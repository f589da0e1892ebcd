// The contract of the Runs ledger: every job that ends (done, cancelled, diverged or failed) leaves
// a run record here, with its configuration, seed, time, final metrics and curves, so runs of any
// lab can be named, annotated, sorted, overlaid and exported. Part of the one contract
// (core/contract.ts re-exports it): JSON-safe, and it imports nothing but other contract files.
import type { JsonValue } from '../../contract/base.ts';

export const RUN_OUTCOMES = ['done', 'cancelled', 'diverged', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** A curve of a run, for overlays: y is null where the value was NaN or infinite (drawn as a marker). */
export interface RunCurve {
  name: string;
  xLabel: string;
  x: number[];
  y: (number | null)[];
}

export interface RunRecord {
  /** Unique within the session: `r<n>`. */
  id: string;
  /** The lab (the kind's prefix) and the job kind. */
  lab: string;
  kind: string;
  /** What the jobs panel called the job. */
  label: string;
  /** Editable by the user; starts as `<label> #<n>`. */
  name: string;
  note: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  finishedAt: number;
  outcome: RunOutcome;
  /** The job's error in one line (diverged, failed, cancelled), else null. */
  error: string | null;
  /** The job's parameters as it was started, and their seed where they have one. */
  params: JsonValue;
  seed: number | null;
  /** Final metrics by name; null where the value was not finite (the run diverged there). */
  metrics: Record<string, number | null>;
  curves: RunCurve[];
}

export interface RunsLabState {
  runs: RunRecord[];
  /** The number the next run takes (ids and default names never repeat, even after deletions). */
  next: number;
}

/** Runs methods answered in the core's process. */
export interface RunsMethods {
  /** Renames or annotates a run. */
  'runs.edit': { params: { id: string; name?: string; note?: string }; result: RunsLabState };
  /** Deletes runs (the UI asks first). */
  'runs.delete': { params: { ids: string[] }; result: RunsLabState };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface RunsContract {
  state: RunsLabState;
  jobs: Record<never, never>;
  methods: RunsMethods;
}
