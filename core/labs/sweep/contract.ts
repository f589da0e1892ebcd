// The contract of the Sweeps lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { JsonValue } from '../../contract/base.ts';

export type SweepFlagValue = number | string | boolean | number[];

/** A sweep file (see core/labs/sweep/spec.ts): one kairo command, fixed flags, grid, zip and random draws. */
export interface SweepSpecJson {
  command: [string, string];
  fixed?: Record<string, SweepFlagValue>;
  grid?: Record<string, SweepFlagValue[]>;
  zip?: Record<string, SweepFlagValue[]>;
  random?: {
    count: number;
    seed: number;
    params: Record<string, { min: number; max: number; log?: boolean; int?: boolean } | { choice: SweepFlagValue[] }>;
  };
}

export interface SweepRunEntry {
  index: number;
  params: Record<string, SweepFlagValue>;
  /** The command's JSON output, as `kairo <command>` prints it. */
  result: JsonValue;
  seconds: number;
}

export interface SweepResult {
  spec: SweepSpecJson;
  /** The collected folder, or null for a sweep run in the app. */
  source: string | null;
  count: number;
  runs: SweepRunEntry[];
  missing: number[];
  failed: { index: number; params: Record<string, SweepFlagValue>; error: string }[];
  partial: boolean;
}

export interface SweepLabState {
  /** The sweep file being edited in the view. */
  specText: string;
  result: SweepResult | null;
}

/** Sweep jobs: parameters and result of each kind. */
export interface SweepJobs {
  'sweep.local': { params: { spec: SweepSpecJson }; result: SweepResult };
}

/** Sweep methods answered in the core's process. */
export interface SweepMethods {
  'sweep.collect': { params: { path: string }; result: SweepResult };
}

/** The lab's whole contract, as core/contract.ts registers it. */
export interface SweepContract {
  state: SweepLabState;
  jobs: SweepJobs;
  methods: SweepMethods;
}
