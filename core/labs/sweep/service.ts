// The Sweeps lab in the core: collect a sweep folder into the session, store a local run.
import type { JsonValue, SweepResult } from '../../contract.ts';
import type { JobOutput } from '../../jobs/types.ts';
import { collect } from './runner.ts';
import type { LabSession } from '../kit/session.ts';
import type { MethodContext } from '../lab.ts';

export async function collectSweep(ctx: MethodContext, path: string): Promise<SweepResult> {
  const session = ctx.session;
  // A manifest's spec is checked against the commands' flags: their tables load with the CLI modules.
  const c = collect(path, await ctx.sweepable());
  const result: SweepResult = {
    spec: c.spec as SweepResult['spec'],
    source: path,
    count: c.runs.length + c.missing.length + c.failed.length,
    // Records are parsed JSON files: their results are JSON values.
    runs: c.runs.map((r) => ({ ...r, result: r.result as JsonValue })),
    missing: c.missing,
    failed: c.failed,
    partial: c.missing.length > 0,
  };
  session.store('sweep', { ...session.labs.sweep, result }, {});
  return result;
}

export function storeSweepLocal(session: LabSession, o: JobOutput<'sweep.local'>): void {
  session.store('sweep', { ...session.labs.sweep, result: o.result }, {});
}
