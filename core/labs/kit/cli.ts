// What a lab's command line is to the rest of Kairo: its flags (which `kairo sweep` may vary) and
// its entry, which receives the process's one core through a narrow context. A lab command never
// builds a core of its own, and never imports the core, the CLI entry or the session service.
import type { JobKind, JobKinds, Method, ParamsOf, ResultOf } from '../../contract.ts';
import type { LabSession } from './session.ts';

/** What a command accepts (flag names without "--"). */
export interface CommandFlags {
  subcommands: readonly string[];
  valued: ReadonlySet<string>;
  switches: ReadonlySet<string>;
}

/** What the CLI entry (or a sweep run) hands a lab command: the one core of the process, narrowly. */
export interface CliContext {
  /** Any method of the contract, as the app would call it. */
  call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /**
   * Starts a job through `jobs.start` and waits for its end: progress on stderr, SIGINT and SIGTERM
   * cancel it; a job that does not end 'done' throws its one-line error.
   */
  runJob<K extends JobKind>(kind: K, params: JobKinds[K]['params']): Promise<void>;
  /** The open session: results land here when a job ends. */
  readonly session: LabSession;
  /** The commands `kairo sweep` may run, from the lab registry. */
  sweepable(): Promise<ReadonlyMap<string, LabCommand>>;
}

/** A lab command of the CLI (`kairo <lab> …`). */
export interface LabCommand extends CommandFlags {
  usage: string;
  run(argv: string[], out: (v: unknown) => void, ctx: CliContext): Promise<number>;
}
