// What a lab is to the rest of Kairo: one definition per lab (core/labs/<lab>/lab.ts), listed in
// core/labs/index.ts. The core, the session code, `app.info`, the job manager's start checks, the
// worker, the CLI and the Electron menu iterate these definitions; none of them names a lab.
import type { z } from 'zod';
import type { DatasetSource, TensorInfo, JobKind, JobKinds, LabId, LabStates, Method, ParamsOf, ResultOf } from '../contract.ts';
import type { JobDriver, JobHandler, JobInputs, JobOutput } from '../jobs/types.ts';
import type { JobData } from './kit/job.ts';
import type { PathPolicy } from '../paths.ts';
import type { NamedTensor } from '../session/safetensors.ts';
import type { LabSession } from './kit/session.ts';
import type { LabCommand, SubCommand } from './kit/cli.ts';

export type { CliContext, CommandFlags, LabCommand, SubCommand } from './kit/cli.ts';
import type { RunSummary } from './kit/runs.ts';
import type { QuickLookRun } from './kit/quick-look.ts';

/** A lab's job kinds and methods are the contract's names that start with its id. */
export type KindsOf<L extends LabId> = Extract<JobKind, `${L}.${string}`>;
export type MethodsOf<L extends LabId> = Extract<Method, `${L}.${string}`>;

/** What a job's start checks may look at. */
export interface StartContext {
  session: LabSession;
  /** Kinds of the jobs queued or running now. */
  active: readonly JobKind[];
  /** The platform's path policy (none in the CLI). */
  paths: PathPolicy | undefined;
  /** The commands `kairo sweep` may run (from the registry, which a lab does not import). */
  sweepable: () => Promise<ReadonlyMap<string, LabCommand>>;
}

export interface JobDef<K extends JobKind> {
  /** What the jobs panel calls it. */
  label: string;
  /** Validated at `jobs.start`, before any worker starts; the worker parses again. */
  params: z.ZodType<JobKinds[K]['params'], z.ZodTypeDef, unknown>;
  /** The dataset the job reads, so an unreadable one is refused at the start. */
  source?: (params: JobKinds[K]['params']) => DatasetSource | null;
  /** Checks that need the session or the other jobs; returns what the job reads from the session. */
  prepare?: (ctx: StartContext, params: JobKinds[K]['params']) => JobInputs | undefined | Promise<JobInputs | undefined>;
  /** Float64/float32 bytes the job will need, when that grows with its parameters (core/jobs/budget.ts). */
  memory?: (params: JobKinds[K]['params'], data: JobData) => number | null;
  /** Where the result goes in the session. */
  store: (session: LabSession, output: JobOutput<K>) => void;
  /**
   * The final metrics and curves its run record keeps (core/labs/runs/): called on the raw result, before
   * the non-finite check, so a diverged run keeps its curves up to the point it went non-finite.
   */
  summary?: (params: JobKinds[K]['params'], result: JobKinds[K]['result']) => RunSummary;
  /**
   * The worker side, loaded only inside job workers (model code never loads in the UI-facing process).
   * A job has a handler or a driver, not both.
   */
  handler?: () => Promise<JobHandler<K>>;
  /**
   * A job that runs other jobs (a sweep): it runs in the core's process without a worker of its own
   * and starts its runs through the same core's jobs.start, as children it can cancel.
   */
  driver?: () => Promise<JobDriver<K>>;
  /**
   * The job computes in float64 JavaScript and never loads TensorFlow.js, so its worker skips the
   * backend: loading tfjs and starting the threaded WebAssembly backend took about 2.2 s at every
   * job's start. test/unit/layering.test.ts checks the flag against the handler module's imports.
   */
  float64?: true;
  /**
   * Its output is the lab's model (weights and the data settings they were trained on): the run
   * keeps it as a checkpoint, and "Open run" stores it again (core/labs/runs/checkpoints.ts).
   */
  checkpoint?: true;
}

export interface MethodContext {
  session: LabSession;
  /** Kinds of the jobs queued or running now. */
  active: () => readonly JobKind[];
  /** The store of a kind whose output is a model (`checkpoint: true`), to reopen a run's checkpoint. */
  storeOf: (
    kind: string,
  ) => ((session: LabSession, output: { result: unknown; tensors: Record<string, NamedTensor> }) => void) | undefined;
  paths: PathPolicy | undefined;
  /** The commands `kairo sweep` may run (from the registry, which a lab does not import). */
  sweepable: () => Promise<ReadonlyMap<string, LabCommand>>;
}

export interface LabDef<L extends LabId> {
  id: L;
  title: string;
  /** The lab's slice of a session: validated on load and on every update. */
  schema: z.ZodType<LabStates[L], z.ZodTypeDef, unknown>;
  defaults: () => LabStates[L];
  /** The session tensors this state refers to; the session keeps exactly the tensors some lab refers to. */
  tensors: (state: LabStates[L]) => string[];
  /**
   * The dtype and shape each of the lab's tensors must have, given the state (and the shapes
   * stored, for dimensions only the data fixes: -1 in a shape matches any size).
   */
  shapes?: (state: LabStates[L], shapeOf: (name: string) => number[] | null) => Map<string, number[]>;
  /**
   * The tensors the state's parameters imply must exist (a model's weights for its layer sizes): a
   * file whose state lists fewer, or others, was edited, whatever its checksum says.
   */
  required?: (state: LabStates[L]) => string[];
  /** Other facts of the state that must agree with each other or with the tensors; the first problem, or null. */
  consistent?: (state: LabStates[L], shapeOf: (name: string) => number[] | null) => string | null;
  /** The dtype of each of the lab's tensors, by name (float32 where this is absent or says nothing). */
  dtypeOf?: (name: string) => TensorInfo['dtype'] | null;
  /** For a tensor that copies another lab's (a run's checkpoint): the name of the one it copies, whose dtype it has. */
  copyOf?: (name: string) => string | null;
  jobs: { [K in KindsOf<L>]: JobDef<K> };
  methods: { [M in MethodsOf<L>]: (ctx: MethodContext, params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };
  /** Its quick look as data (core/labs/<lab>/quick-look.ts), loaded only by the bench and the tests. */
  quickLook?: () => Promise<QuickLookRun>;
  /** `kairo <cli.name> …`, loaded only when the CLI needs it; sweepable when `kairo sweep` may run it. */
  cli?: { name: string; sweepable: boolean; load: () => Promise<LabCommand> };
}

/**
 * One experiment of a lab, in its own file (core/labs/<lab>/experiments/<name>.ts): its job, with
 * the run summary and the store it needs, and the CLI subcommand that runs it. Adding an
 * experiment is that file, its worker side (core/labs/<lab>/jobs/<name>.ts) and its entry in the
 * lab's list of experiments.
 */
export interface Experiment<K extends JobKind> {
  kind: K;
  job: JobDef<K>;
  /** `kairo <lab> <sub> …`, when the CLI runs it (several subcommands may run the same job). */
  cli?: SubCommand | readonly SubCommand[];
}

export const experiment = <K extends JobKind>(kind: K, def: Omit<Experiment<K>, 'kind'>): Experiment<K> => ({
  kind,
  ...def,
});

// `any`: an experiment of any kind; each element keeps its own kind in the tuple.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyExperiment = Experiment<any>;

/** A lab's jobs, keyed by kind, from its list of experiments: a kind left out is a compile error in defineLab. */
export type JobsOf<E extends readonly AnyExperiment[]> = { [X in E[number] as X['kind']]: JobDef<X['kind']> };

export function jobsOf<const E extends readonly AnyExperiment[]>(experiments: E): JobsOf<E> {
  return Object.fromEntries(experiments.map((e) => [e.kind, e.job])) as JobsOf<E>;
}

/** The CLI subcommands of a list of experiments, in its order. */
export const subcommandsOf = (experiments: readonly AnyExperiment[]): SubCommand[] =>
  experiments.flatMap((e): SubCommand[] => (!e.cli ? [] : 'sub' in e.cli ? [e.cli] : [...e.cli]));

/** Ties a definition's id to its entry in the registry (a typo is a compile error). */
export const defineLab = <L extends LabId>(def: LabDef<L>): LabDef<L> => def;
