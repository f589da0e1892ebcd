// The CLI's context for lab commands: the process's one core, narrowed to what a lab command
// needs (core/labs/kit/cli.ts). Its runJob runs a lab job to its end. Progress goes to stderr: a live percentage on a terminal,
// otherwise a line every NON_TTY_EVERY_MS (a log file or a scheduler's output stays readable and a
// long job still shows it is alive). SIGINT and SIGTERM cancel the job the way the app's Cancel
// does, so a script or a scheduler can stop it cleanly; a failed or cancelled job becomes its
// one-line error.
import type { JobInfo, JobKind, JobKinds } from '../contract.ts';
import type { Core, JobTarget } from '../core.ts';
import { KairoError } from '../errors.ts';
import type { JobOutput } from '../jobs/types.ts';
import type { CliContext } from '../labs/kit/cli.ts';
import { labCommands } from '../labs/index.ts';

/** The context lab commands run in: `core`, the one core of this process, and its session. */
export function cliContext(core: Core): CliContext {
  return {
    call: (method, params) => core.call(method, params),
    runJob: (kind, params) => runJob(core, kind, params, { session: core.session, record: true }),
    session: core.session,
    open: async (path) => void (await core.call('session.open', { path })),
    openRun: async (id, lab) => void (await core.call('runs.open', { id, lab })),
    save: async (path) => void (await core.call('session.save', { path })),
    // One run of `kairo sweep run`: an empty session of its own, progress and signals as here.
    scratch: () => {
      const s = core.scratch();
      return { ...s, runJob: (kind, params) => runJob(core, kind, params, { session: s.session, record: false }) };
    },
    sweepable: labCommands,
  };
}

/** How often a job's progress is written when stderr is not a terminal. */
export const NON_TTY_EVERY_MS = 10_000;

function line(kind: string, info: JobInfo): string {
  const p = info.progress;
  if (!p) return `${kind}: started`;
  const eta = p.etaSeconds !== null ? ` · ETA ${Math.round(p.etaSeconds)} s` : '';
  return `${kind}: ${Math.floor(100 * p.fraction)} % (step ${p.step}/${p.totalSteps}, ${Math.round(p.elapsedSeconds)} s${eta})`;
}

export async function runJob<K extends JobKind>(
  core: Core,
  kind: K,
  params: JobKinds[K]['params'],
  target: JobTarget,
): Promise<JobOutput<K>> {
  const tty = process.stderr.isTTY === true;
  let lastPct = -1;
  let lastLine = Date.now();
  let id: string | null = null;
  const stop = core.subscribe((e) => {
    if (e.topic !== 'job.update') return;
    const info = e.payload as JobInfo;
    if (info.id !== id || info.state !== 'running') return;
    if (tty) {
      const pct = Math.floor(100 * (info.progress?.fraction ?? 0));
      if (pct !== lastPct) process.stderr.write(`\r${kind}: ${(lastPct = pct)} %`);
    } else if (Date.now() - lastLine >= NON_TTY_EVERY_MS) {
      lastLine = Date.now();
      process.stderr.write(`${line(kind, info)}\n`);
    }
  });
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) return;
    signal = s;
    if (tty) process.stderr.write('\n');
    process.stderr.write(`${kind}: ${s}: cancelling…\n`);
    if (id) core.jobs.cancel(id);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const output = await core
      .runJob(kind, params, target, (info) => {
        id = info.id;
        if (signal) core.jobs.cancel(info.id);
      })
      .catch((e: unknown) => {
        if (signal) throw new KairoError('cancelled', `${kind} cancelled by ${signal}`);
        throw e;
      });
    if (tty && !signal) process.stderr.write('\n');
    if (signal) throw new KairoError('cancelled', `${kind} cancelled by ${signal}`);
    return output;
  } finally {
    stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
