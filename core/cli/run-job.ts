// Runs a lab job to its end for the CLI, with a percentage on a terminal's stderr; a failed or
// cancelled job becomes its one-line error.
import type { JobKind, JobKinds } from '../contract.ts';
import type { Core } from '../core.ts';
import { KairoError } from '../errors.ts';

export async function runJob<K extends JobKind>(core: Core, kind: K, params: JobKinds[K]['params']): Promise<void> {
  let lastPct = -1;
  const stop = core.subscribe((e) => {
    if (e.topic !== 'job.update' || !process.stderr.isTTY) return;
    const pct = Math.floor(100 * ((e.payload as { progress?: { fraction: number } }).progress?.fraction ?? 0));
    if (pct !== lastPct) process.stderr.write(`\r${kind}: ${(lastPct = pct)} %`);
  });
  const job = await core.call('jobs.start', { kind, params } as never);
  const end = await core.jobs.wait(job.id);
  stop();
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (end.state !== 'done') throw new KairoError(end.error?.code ?? 'internal', end.error?.message ?? `${kind} ${end.state}`);
}
