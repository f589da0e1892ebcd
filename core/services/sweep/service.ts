// The Sweeps lab in the core: collect a sweep folder into the session, store a local run.
import type { SweepResult } from '../../contract.ts';
import type { JobOutput } from '../../jobs/types.ts';
import { collect } from '../../sweep/runner.ts';
import type { SessionService } from '../session.ts';

export function collectSweep(session: SessionService, path: string): SweepResult {
  const c = collect(path);
  const result: SweepResult = {
    spec: c.spec as SweepResult['spec'],
    source: path,
    count: c.runs.length + c.missing.length + c.failed.length,
    runs: c.runs,
    missing: c.missing,
    failed: c.failed,
    partial: c.missing.length > 0,
  };
  session.store('sweep', { ...session.labs.sweep, result }, {});
  return result;
}

export function storeSweepLocal(session: SessionService, o: JobOutput<'sweep.local'>): void {
  session.store('sweep', { ...session.labs.sweep, result: o.result }, {});
}
