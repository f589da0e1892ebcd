// What a lab's command line is to the rest of Kairo: its flags (which `kairo sweep` may vary) and
// its entry, which receives the process's one core through a narrow context. A lab command never
// builds a core of its own, and never imports the core, the CLI entry or the session service.
import type { JobKind, JobKinds, Method, ParamsOf, ResultOf } from '../../contract.ts';
import type { JobOutput, ProgressReport } from './job.ts';
import { invalid } from '../../errors.ts';
import { checkOutputFlags, type Parsed } from './args.ts';
import type { LabSession } from './session.ts';

/** What a command accepts (flag names without "--"). */
export interface CommandFlags {
  subcommands: readonly string[];
  /** Every subcommand's flags together (what the shell's words are parsed with). */
  valued: ReadonlySet<string>;
  switches: ReadonlySet<string>;
  /** The flags each subcommand accepts; a flag of another subcommand is refused, never ignored. */
  flagsOf(sub: string): ReadonlySet<string>;
}

/**
 * What the CLI entry (or one run of a sweep) hands a lab command: the one core of the process,
 * narrowly, and the session the command works in: the process's own from a shell, an empty one
 * of its own for a sweep's run (in the app or in `kairo sweep run`), so a run never changes the
 * app's session.
 */
export interface CliContext {
  /** A method of the contract that is not about the session or jobs (`data.summary`, `sweep.collect`). */
  call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /**
   * Starts a job through the core's `jobs.start` and waits for its end; its output (also stored in
   * this context's session). From a shell: progress on stderr, SIGINT and SIGTERM cancel it. A job
   * that does not end 'done' throws its one-line error.
   */
  runJob<K extends JobKind>(kind: K, params: JobKinds[K]['params']): Promise<JobOutput<K>>;
  /** The session results land in when a job ends. */
  readonly session: LabSession;
  /** Opens a session file as this context's session (through the platform's path policy). */
  open(path: string): Promise<void>;
  /**
   * Restores run `id`'s checkpoint (core/labs/runs/checkpoints.ts) as its lab's current model in this
   * context's session; `lab`: refuse a run of another lab.
   */
  openRun(id: string, lab: string): Promise<void>;
  /** Saves this context's session to `path` (null: where it was opened or last saved). */
  save(path: string | null): Promise<void>;
  /** A context of the same core with an empty session of its own (one run of a sweep). */
  scratch(): CliContext;
  /** The commands `kairo sweep` may run, from the lab registry. */
  sweepable(): Promise<ReadonlyMap<string, LabCommand>>;
}

/**
 * A lab command of the CLI (`kairo <lab> …`). It receives its flags parsed (by the CLI entry from
 * the shell's words, or by a sweep from a run's values), never argv.
 */
export interface LabCommand extends CommandFlags {
  usage: string;
  run(args: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number>;
}

/**
 * What a driver job (one that runs other jobs: a sweep) gets. It runs in the core's process, takes
 * no worker of its own, and starts its runs through the core's jobs.start as children.
 */
export interface DriverContext {
  progress(p: ProgressReport): void;
  cancelled(): boolean;
  /**
   * A command context of this core with an empty session of its own: the jobs a lab command starts
   * in it are this job's children, and their results land in that session, never in the app's.
   */
  scratch(): CliContext;
  /** The commands a sweep may run, from the lab registry. */
  sweepable(): Promise<ReadonlyMap<string, LabCommand>>;
}

export type JobDriver<K extends JobKind> = (params: JobKinds[K]['params'], ctx: DriverContext) => Promise<JobOutput<K>>;

/** One subcommand of a lab command (`kairo fisher spectrum …`): an experiment's, or one that runs no job. */
export interface SubCommand {
  sub: string;
  /** The flags it reads (names without "--"); any other flag of its lab is refused before it runs. */
  flags: Iterable<string>;
  run(args: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number>;
}

/** A flag the subcommand does not read is refused in one line (never silently ignored). */
export function refuseStrayFlags(p: Parsed, command: string, flags: ReadonlySet<string>): void {
  const stray = [...p.flags.keys()].find((f) => !flags.has(f));
  if (stray !== undefined)
    throw invalid(`--${stray} is not an option of kairo ${command} (kairo --help lists each command's options)`);
}

/**
 * A lab's command from its subcommands: the flags it accepts (every subcommand's, as `kairo sweep`
 * validates them per command), output flags checked before any work, one positional (the
 * subcommand), and a one-line error naming the subcommands for anything else.
 */
export function commandOf(o: {
  name: string;
  usage: string;
  valued: Iterable<string>;
  switches?: Iterable<string>;
  /** Flags naming files the command writes: their folder must exist before anything runs. */
  outputs?: readonly string[];
  subs: readonly SubCommand[];
}): LabCommand {
  const subs = new Map(o.subs.map((s) => [s.sub, s]));
  const names = [...subs.keys()];
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join('');
  const valued = new Set(o.valued);
  const switches = new Set(o.switches ?? []);
  const own = new Map(o.subs.map((s) => [s.sub, new Set(s.flags)]));
  // A subcommand's flag the lab does not parse would be unusable: a slip in its declaration.
  for (const [sub, fs] of own)
    for (const f of fs)
      if (!valued.has(f) && !switches.has(f))
        throw new Error(`kairo ${o.name} ${sub} declares --${f}, which ${o.name} does not parse`);
  return {
    usage: o.usage,
    subcommands: names,
    valued,
    switches,
    flagsOf: (sub) => own.get(sub) ?? new Set(),
    run: (p, out, ctx) => {
      checkOutputFlags(p, o.outputs ?? []);
      const [sub, ...extra] = p.positional;
      if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
      const s = subs.get(sub ?? '');
      if (!s) throw invalid(`unknown ${o.name} command ${JSON.stringify(sub ?? '')}; try ${list}`);
      refuseStrayFlags(p, `${o.name} ${s.sub}`, own.get(s.sub)!);
      return s.run(p, out, ctx);
    },
  };
}

/**
 * `--session F.kairo [--run ID]`: opens the session a command works in and, with `--run`, makes
 * that run's checkpoint the lab's current model (as "Open run" does in the app) before the command
 * uses it. The file, or null when the command was given none.
 */
export async function sessionFlags(
  p: Parsed,
  ctx: CliContext,
  lab: string,
  o: { required: boolean; openRun?: boolean },
): Promise<string | null> {
  const file = p.flags.get('session');
  const run = o.openRun === false ? undefined : p.flags.get('run');
  if (typeof file !== 'string') {
    if (o.required) throw invalid('--session F.kairo is required');
    if (typeof run === 'string') throw invalid('--run needs --session F.kairo, the session that keeps the run');
    return null;
  }
  await ctx.open(file);
  if (typeof run === 'string') await ctx.openRun(run, lab);
  return file;
}

/**
 * After a command changed its session: saves it to `--out`, else back to the `--session` file it
 * came from (`file`); the path written, or null when neither was given.
 */
export async function saveSession(p: Parsed, ctx: CliContext, file: string | null): Promise<string | null> {
  const to = p.flags.get('out');
  if (typeof to !== 'string' && file === null) return null;
  await ctx.save(typeof to === 'string' ? to : null);
  return ctx.session.view().path;
}
