// A sweep run from the app: every index in this worker, one after another, each as the CLI
// would run it, with progress per run; cancel stops between runs and keeps those done.
import type { JsonValue, SweepResult, SweepSpecJson } from '../../contract.ts';
import { toErrorValue } from '../../errors.ts';
import type { JobContext, JobOutput } from '../../jobs/types.ts';
import { argvOf, SweepRuns, validateSpec } from './spec.ts';

export async function runSweepLocal(raw: { spec: SweepSpecJson }, ctx: JobContext): Promise<JobOutput<'sweep.local'>> {
  const commands = await ctx.withCli((cli) => cli.sweepable());
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
      await ctx.withCli((cli) => cmd.run(argvOf(spec, r.params, cmd.switches).slice(1), (v) => (out = v), cli));
      result.runs.push({
        index: r.index,
        params: r.params,
        result: (out ?? null) as JsonValue,
        seconds: (performance.now() - t0) / 1000,
      });
    } catch (e) {
      result.failed.push({ index: r.index, params: r.params, error: toErrorValue(e).message });
    }
    ctx.progress({ step: r.index + 1, totalSteps: runs.count, metrics: { failed: result.failed.length } });
  }
  result.partial = result.missing.length > 0;
  return { result, tensors: {} };
}
