// The contract of the Sweeps lab: its state, the parameters and results of its jobs, and its
// methods. Part of the one contract (core/contract.ts re-exports it): JSON-safe, and it imports
// nothing but other contract files.
import type { JsonValue } from '../../contract/base.ts';
import type { QuickLook } from '../../contract/params.ts';

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

/**
 * The Sweeps lab's quick look: the Fisher lab's spectrum over four widths, run here as a sweep, so
 * its table and chart show λ_max growing with the width beside the mean-field theory.
 */
export const SWEEP_QUICK_LOOK: QuickLook<{ spec: SweepSpecJson }> = {
  seconds: 2.5,
  shows:
    'the Fisher spectrum of a random ReLU net (depth 3, 20 inputs) at widths 32–256, run as a sweep here: λ_max/M = 1.45 at M = 32 and 0.83 at M = 256 (mean-field: 0.83), the finite-width excess gone by M = 256',
  params: {
    spec: {
      command: ['fisher', 'spectrum'],
      fixed: { activation: 'relu', depth: 3, samples: 20, 'input-dim': 64, outputs: 1, seed: 1 },
      grid: { width: [32, 64, 128, 256] },
    },
  },
};
