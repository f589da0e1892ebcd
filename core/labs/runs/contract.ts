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

/**
 * The model a run left (its job's output, as its lab stored it), kept so the run can be reopened:
 * "Open run" stores it again, as if that training had just finished. Runs of the jobs that make a
 * lab's model (VAE training, the Datasets baseline, the field network, the Hopfield machine) keep
 * one, within the ledger's budget (`keep`, plus pinned runs).
 */
export interface RunCheckpoint {
  /** The job's result as its lab stored it: the model's configuration, data settings and curves. */
  result: JsonValue;
  /** Each tensor of the output: the name its lab gives it → the name the session keeps the copy under (`runs.<id>.<name>`). */
  tensors: Record<string, string>;
  /** Bytes of those tensors. */
  bytes: number;
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
  /** The model this run left, or null (a run of an analysis, or a checkpoint dropped by the budget). */
  checkpoint: RunCheckpoint | null;
  /** A pinned run's checkpoint is never dropped by the budget. */
  pinned: boolean;
}

/** Checkpoints the ledger keeps besides pinned ones: each lab's newest `keep` (the user sets it). */
export const DEFAULT_KEEP_CHECKPOINTS = 5;
export const MAX_KEEP_CHECKPOINTS = 100;

export interface RunsLabState {
  runs: RunRecord[];
  /** Unpinned checkpoints kept per lab, newest first; older ones are dropped (their run records stay). */
  keep: number;
  /** The number the next run takes (ids and default names never repeat, even after deletions). */
  next: number;
}

/** Runs methods answered in the core's process. */
export interface RunsMethods {
  /** Renames or annotates a run. */
  'runs.edit': { params: { id: string; name?: string; note?: string; pinned?: boolean }; result: RunsLabState };
  /** How many unpinned checkpoints the session keeps (older ones are dropped at once). */
  'runs.keep': { params: { keep: number }; result: RunsLabState };
  /**
   * Restores a run's checkpoint as its lab's current model (what that lab's results depended on, such
   * as the VAE's recall runs, goes, as after a new training). `lab`: refuse a run of another lab.
   */
  'runs.open': { params: { id: string; lab?: string }; result: { lab: string; kind: string } };
  /** Deletes runs (the UI asks first). */
  'runs.delete': { params: { ids: string[] }; result: RunsLabState };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface RunsContract {
  state: RunsLabState;
  jobs: Record<never, never>;
  methods: RunsMethods;
}
