// A sweep run from the app: every index one after another, each as a lab command run in a scratch
// context of the app's own core (an empty session of its own), so each run's job goes through the
// same jobs.start as the app's, as a child of the sweep; progress per run. Cancel cancels the run
// under way (it counts as missing) and starts no more; the runs done are kept.
import type { JsonValue, SweepResult, SweepSpecJson } from '../../contract.ts';
import { toErrorValue } from '../../errors.ts';
import type { DriverContext, JobOutput } from '../../jobs/types.ts';
import { argsOf, SweepRuns, validateSpec } from './spec.ts';

export async function runSweepLocal(raw: { spec: SweepSpecJson }, ctx: DriverContext): Promise<JobOutput<'sweep.local'>> {
  const commands = await ctx.sweepable();
  const spec = validateSpec(raw?.spec, commands);
  const cmd = commands.get(spec.command[0])!;
  const runs = new SweepRuns(spec);
  const result: SweepResult = {
    spec: spec as SweepSpecJson,
    source: null,
    count: runs.count,
    runs: [],
    missing: [],
    failed: [],
    partial: false,
  };
  ctx.progress({ step: 0, totalSteps: runs.count });
  for (const r of runs) {
    if (ctx.cancelled()) {
      result.missing.push(r.index);
      continue;
    }
    const t0 = performance.now();
    let out: unknown;
    try {
      await cmd.run(argsOf(spec, r.params, cmd.switches), (v) => (out = v), ctx.scratch());
      result.runs.push({
        index: r.index,
        params: r.params,
        result: (out ?? null) as JsonValue,
        seconds: (performance.now() - t0) / 1000,
      });
    } catch (e) {
      // A run the cancel stopped was not finished: it is missing, not failed.
      if (ctx.cancelled()) result.missing.push(r.index);
      else result.failed.push({ index: r.index, params: r.params, error: toErrorValue(e).message });
    }
    ctx.progress({ step: r.index + 1, totalSteps: runs.count, metrics: { failed: result.failed.length } });
  }
  result.partial = result.missing.length > 0;
  return { result, tensors: {} };
}
