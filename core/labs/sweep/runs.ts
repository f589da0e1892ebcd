// What a local sweep's run record keeps (core/labs/runs/): its size; the results stay in the Sweeps lab.
import type { SweepResult, SweepSpecJson } from '../../contract.ts';
import type { RunSummary } from '../kit/runs.ts';

export const sweepLocalSummary = (_p: { spec: SweepSpecJson }, r: SweepResult): RunSummary => ({
  metrics: { runs: r.runs.length, failed: r.failed.length, missing: r.missing.length },
  curves: [],
});
