// The core behind the contract: routes request envelopes to services and pushes events.
// Carriers (Electron IPC, the WebSocket host, in-process tests) only move envelopes.
import type {
  AppInfo,
  EventEnvelope,
  Events,
  JobInfo,
  JobKind,
  JobKinds,
  KairoErrorValue,
  Method,
  ParamsOf,
  RequestEnvelope,
  ResponseEnvelope,
  ResultOf,
  Topic,
} from './contract.ts';
import { firstNonFinite, KairoError, toErrorValue } from './errors.ts';
import { checkJobMemory } from './jobs/budget.ts';
import { JobManager, type JobManagerOptions } from './jobs/manager.ts';
import type { JobOutput } from './jobs/types.ts';
import { jobDef, LAB_IDS, LAB_METHODS, LABS, labCommands, labMethod, recordRun, summaryOf } from './labs/index.ts';
import type { MethodContext } from './labs/lab.ts';
import type { CliContext } from './labs/kit/cli.ts';
import type { LabSession } from './labs/kit/session.ts';
import { parseOrThrow } from './validate.ts';
import { idxPaths, type PathPolicy } from './paths.ts';
import { SessionService } from './session/service.ts';
import { readRecent } from './session/recent.ts';
import { cleanStaleTemps } from './session/session.ts';
import type { Recovery } from './session/recovery.ts';
import { appInfo } from './app-info.ts';
import { checkSource, PACKAGED_FILES } from './data/datasets.ts';

/** What only the platform can do (native dialogs); the web host has none. */
export interface Platform {
  carrier: AppInfo['carrier'];
  pickPath?: (purpose: ParamsOf<'platform.pickPath'>['purpose'], suggested: string | null) => Promise<string | null>;
  /** Which files requests may name (core/paths.ts); none for the CLI, whose user names its own files. */
  paths?: PathPolicy;
  /** Asks the user, natively, whether an opened session may read the data files it names. */
  confirmRead?: (paths: string[]) => Promise<boolean>;
}

export interface CoreOptions {
  platform: Platform;
  jobs?: Omit<JobManagerOptions, 'onUpdate' | 'onOutput'>;
  /** Keep a background copy of unsaved work (the app's hosts; not the CLI). */
  recovery?: Recovery;
  /** Put files opened and saved in the Recent list (default; the CLI says false). */
  recent?: boolean;
}

/** The methods the core itself answers; every other method belongs to a lab. */
type CoreMethod = Extract<Method, `app.${string}` | `session.${string}` | `jobs.${string}` | `platform.${string}`>;
type Handlers = { [M in Method]: (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };
type Listener = (e: EventEnvelope) => void;

/** Where a job's result goes: the app's session (and its runs ledger), or a command's scratch session. */
export interface JobTarget {
  session: LabSession;
  /** Leave a run record in the ledger (the app's jobs; not a sweep's runs, whose sweep keeps them). */
  record?: boolean;
  parent?: string;
  label?: string;
}

interface Started extends JobTarget {
  params: unknown;
  /** The raw result as it came (before the non-finite check), for the run record. */
  result: unknown;
  /** The output once stored. */
  output: JobOutput<JobKind> | undefined;
}

export class Core {
  readonly session: SessionService;
  readonly jobs: JobManager;
  private readonly listeners = new Set<Listener>();
  private readonly handlers: Handlers;
  /** Jobs started through jobs.start: their parameters, where they store, and their output once it came. */
  private readonly started = new Map<string, Started>();

  constructor(private readonly opts: CoreOptions) {
    this.session = new SessionService((v) => {
      this.emit('session.changed', v);
      this.keepCopy();
    }, opts.recent ?? true);
    // Saves that were killed midway leave temporary files beside the sessions the user works on.
    for (const p of readRecent()) cleanStaleTemps(p);
    this.jobs = new JobManager({
      ...opts.jobs,
      onUpdate: (info) => {
        this.emit('job.update', info);
        this.keepRun(info);
      },
      onOutput: (info, output) => {
        const started = this.started.get(info.id);
        if (!started) return null;
        started.result = output.result;
        const refused = this.storeOutput(started.session, info.kind, output);
        if (!refused) started.output = output;
        return refused;
      },
    });
    this.handlers = {
      ...(this.labMethods() as unknown as Pick<Handlers, Exclude<Method, CoreMethod>>),
      'app.info': async () => appInfo(opts.platform.carrier),
      'app.quickLookQuotes': async (p) => {
        const id = LAB_IDS.find((l) => l === p?.lab);
        if (!id) throw new KairoError('bad_request', `unknown lab ${JSON.stringify(p?.lab)}`);
        const look = await LABS[id].quickLook?.();
        try {
          return look ? look.quotes(this.session.labs) : null;
        } catch {
          return null; // the lab holds no result of the kind its quick look makes
        }
      },
      'session.tensor': (p) => this.session.encoded(String(p?.name)),
      'jobs.start': (p) => this.startJob(p?.kind, p?.params, { session: this.session, record: true }),
      'jobs.cancel': (p) => this.jobs.cancel(String(p?.id)),
      'jobs.list': () => this.jobs.list(),
      'session.get': () => this.session.view(),
      'session.update': (p) => this.keepCopy(this.session.update(p?.lab, p?.state)),
      'session.new': () => this.keepCopy(this.session.reset()),
      'session.save': (p) => {
        const path = typeof p?.path === 'string' ? p.path : null;
        const target = path ?? this.session.view().path;
        if (target) opts.platform.paths?.check(target.endsWith('.kairo') ? target : `${target}.kairo`, 'session-write');
        return this.keepCopy(this.session.save(path, p?.overwrite !== false));
      },
      'session.recovery': () => opts.recovery?.pending() ?? null,
      'session.recover': () => {
        const r = opts.recovery;
        if (!r?.pending()) throw new KairoError('not_found', 'there is no unsaved session to recover');
        const view = this.session.restore(r.file, r.pending()!.path);
        r.taken();
        this.emit('session.changed', view);
        return view;
      },
      'session.discardRecovery': () => {
        opts.recovery?.clear();
        this.keepCopy();
        return null;
      },
      'session.open': async (p) => {
        if (typeof p?.path !== 'string' || !p.path) throw new KairoError('bad_request', 'session.open needs a path');
        opts.platform.paths?.check(p.path, 'session-read');
        const view = this.keepCopy(this.session.open(p.path));
        // A session names data files by path: the desktop app reads them only once the user allows it.
        const policy = opts.platform.paths;
        const unconfirmed = policy ? idxPaths(view.labs).filter((f) => !policy.isGranted(f)) : [];
        if (policy && unconfirmed.length && opts.platform.confirmRead && (await opts.platform.confirmRead(unconfirmed)))
          for (const f of unconfirmed) policy.grant(f);
        return view;
      },
      'session.recent': () => readRecent(),
      'platform.pickPath': async (p) => {
        if (!opts.platform.pickPath) return { supported: false, path: null };
        const path = await opts.platform.pickPath(p.purpose, p.suggested ?? null);
        // What the user picked in a native dialog is theirs to use.
        if (path) opts.platform.paths?.grant(path);
        return { supported: true, path };
      },
    };
  }

  /**
   * jobs.start, for the app's session or a command's scratch one: bad parameters, paths outside the
   * policy, an estimate over the memory limit and an unreadable dataset are refused here, before
   * any worker starts. A job with a driver (a sweep) runs in this process and starts its runs here
   * as its children.
   */
  private async startJob(rawKind: unknown, rawParams: unknown, opts: JobTarget): Promise<JobInfo> {
    const kind = rawKind as JobKind;
    const def = typeof kind === 'string' ? jobDef(kind) : undefined;
    if (!def) throw new KairoError('bad_request', `unknown job kind ${JSON.stringify(kind)}`);
    // Bad parameters are refused here, with the field named, before any worker starts.
    const params = parseOrThrow(def.params, rawParams, kind);
    // The path policy before anything touches a file: an error about a file outside the
    // workspace would tell a page whether it exists and what it is.
    this.checkData([params]);
    // Fail fast on an unreadable dataset here rather than seconds later inside a worker; only
    // headers are read, without blocking: the worker reads the files. They also give the image
    // size the memory estimate needs.
    const source = def.source?.(params);
    checkJobMemory(kind, params, source ? await checkSource(source) : { imageSize: null });
    const active = this.jobs
      .list()
      .filter((j) => j.state === 'queued' || j.state === 'running')
      .map((j) => j.kind);
    const inputs = await def.prepare?.(
      { session: opts.session, active, paths: this.opts.platform.paths, sweepable: labCommands },
      params,
    );
    this.checkData([inputs?.state]);
    const started: Started = { params, result: undefined, output: undefined, ...opts };
    let info: JobInfo;
    if (def.driver) {
      const driver = await def.driver();
      info = this.jobs.startDriver(kind, params, def.label, (run) =>
        driver(params as never, {
          progress: run.progress,
          cancelled: run.cancelled,
          scratch: () => this.scratch(run.id),
          sweepable: labCommands,
        }),
      );
    } else {
      const label = opts.label ?? (opts.parent !== undefined ? `${def.label} (a sweep's run)` : def.label);
      info = this.jobs.start(kind, params, label, inputs, opts.parent);
    }
    this.started.set(info.id, started);
    return info;
  }

  /**
   * Starts a job and waits for its end; its output, or its one-line error when it did not end
   * 'done'. `onStart` hears the job's id (a command's runJob cancels it on SIGINT).
   */
  async runJob<K extends JobKind>(
    kind: K,
    params: JobKinds[K]['params'],
    target: JobTarget,
    onStart?: (info: JobInfo) => void,
  ): Promise<JobOutput<K>> {
    const info = await this.startJob(kind, params, target);
    const started = this.started.get(info.id)!;
    onStart?.(info);
    const end = await this.jobs.wait(info.id);
    if (end.state !== 'done' || !started.output)
      throw new KairoError(end.error?.code ?? 'internal', end.error?.message ?? `${kind} ${end.state}`);
    return started.output as JobOutput<K>;
  }

  /**
   * A command context with an empty session of its own, for one run of a sweep (in the app or in
   * `kairo sweep run`): its jobs go through this core's jobs.start as children of `parent`, their
   * results land in that session, and neither the app's session nor its runs ledger changes.
   */
  scratch(parent?: string): CliContext {
    const session = new SessionService();
    const paths = this.opts.platform.paths;
    const ctx: CliContext = {
      session,
      call: (method, params) => {
        // The app's session, jobs and runs are not a sweep run's to touch: it has its own session.
        if (/^(session|jobs|runs)\./.test(method)) throw new KairoError('internal', `a sweep run cannot call ${method}`);
        return this.call(method, params);
      },
      runJob: (kind, params) =>
        this.runJob(kind, params, { session, record: false, ...(parent !== undefined ? { parent } : {}) }),
      open: async (path) => {
        paths?.check(path, 'session-read');
        session.open(path);
      },
      openRun: async (id, lab) => void LABS.runs.methods['runs.open'](this.methodContext(session), { id, lab }),
      save: async (path) => {
        const target = path ?? session.view().path;
        if (target) paths?.check(target.endsWith('.kairo') ? target : `${target}.kairo`, 'session-write');
        session.save(path);
      },
      scratch: () => this.scratch(parent),
      sweepable: labCommands,
    };
    return ctx;
  }

  /** What a lab's method gets, for the app's session or a command's scratch one. */
  methodContext(session: SessionService): MethodContext {
    return {
      session,
      paths: this.opts.platform.paths,
      sweepable: labCommands,
      active: () => this.jobs.list().flatMap((j) => (j.state === 'queued' || j.state === 'running' ? [j.kind] : [])),
      storeOf: (kind) => {
        const def = jobDef(kind as JobKind);
        return def?.checkpoint ? (def.store as NonNullable<ReturnType<MethodContext['storeOf']>>) : undefined;
      },
    };
  }

  /** Every lab's methods (`fisher.theory`, `hopfield.retrieve`, …), from the lab registry. */
  private labMethods(): Record<string, (p: unknown) => unknown> {
    const ctx = this.methodContext(this.session);
    return Object.fromEntries(
      LAB_METHODS.map((name) => {
        const run = labMethod(name) as unknown as (c: MethodContext, p: unknown) => unknown;
        // Data files a request names must pass the platform's path policy.
        return [name, (p: unknown) => (this.checkData(p), run(ctx, p))];
      }),
    );
  }

  /** Typed in-process call, for the CLI and tests. Throws KairoError on failure. */
  async call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const res = await this.handle({ t: 'req', id: 0, method, params });
    if (!res.ok) throw new KairoError(res.error.code, res.error.message);
    return res.result as ResultOf<M>;
  }

  /** Never throws: every failure becomes a typed error envelope. */
  async handle(env: unknown): Promise<ResponseEnvelope> {
    const req = env as Partial<RequestEnvelope>;
    const id = typeof req?.id === 'number' ? req.id : -1;
    try {
      if (!req || req.t !== 'req' || typeof req.method !== 'string')
        throw new KairoError('bad_request', 'malformed request envelope');
      const handler = (this.handlers as Record<string, ((p: unknown) => unknown) | undefined>)[req.method];
      if (!handler || !Object.hasOwn(this.handlers, req.method))
        throw new KairoError('bad_request', `unknown method ${JSON.stringify(req.method)}`);
      if (req.params !== undefined && (typeof req.params !== 'object' || req.params === null)) {
        throw new KairoError('bad_request', `${req.method}: params must be an object`);
      }
      return { t: 'res', id, ok: true, result: await handler(req.params ?? {}) };
    } catch (e) {
      return { t: 'res', id, ok: false, error: toErrorValue(e) };
    }
  }

  /**
   * Data files named in requests (or in the session a job reads) must pass the platform's path policy, except the
   * packaged datasets' own files (Debian's Fashion-MNIST): fixed public paths that no page chooses, read in one click.
   */
  private checkData(value: unknown): void {
    const policy = this.opts.platform.paths;
    if (policy) for (const f of idxPaths(value)) if (!PACKAGED_FILES.has(f)) policy.check(f, 'data-read');
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emit<T extends Topic>(topic: T, payload: Events[T]): void {
    const env = { t: 'evt', topic, payload } as EventEnvelope;
    for (const l of this.listeners) l(env);
  }

  async shutdown(opts: { keepRecovery?: boolean } = {}): Promise<void> {
    await this.jobs.shutdown();
    // Unsaved work stays in the recovery copy for the next start (a clean session leaves none),
    // unless the user chose to drop it (Electron's "Don't Save").
    if (opts.keepRecovery === false) this.opts.recovery?.discardCurrent();
    else this.opts.recovery?.writeNow(this.session.snapshot());
  }

  /** The platform's path policy, for the Electron main process to grant paths its own dialogs return. */
  get pathPolicy(): PathPolicy | undefined {
    return this.opts.platform.paths;
  }

  /** After any change to the session: keep (or drop) the recovery copy. Returns its argument, for chaining. */
  private keepCopy<T>(result?: T): T {
    this.opts.recovery?.schedule(() => this.session.snapshot());
    return result as T;
  }

  /** A job that ended leaves a run record (core/labs/runs/): done, cancelled with or without a result, diverged or failed. */
  private keepRun(info: JobInfo): void {
    if (info.state === 'queued' || info.state === 'running') return;
    const started = this.started.get(info.id);
    if (!started) return;
    this.started.delete(info.id);
    if (info.startedAt === null || !started.record) return; // cancelled in the queue: nothing ran
    const def = jobDef(info.kind)!;
    recordRun(this.session, {
      kind: info.kind,
      label: info.label,
      startedAt: info.startedAt,
      finishedAt: info.finishedAt ?? Date.now(),
      outcome: info.state,
      error: info.error?.message ?? null,
      params: started.params,
      summary: started.result !== undefined ? summaryOf(def, info.kind, started.params, started.result) : null,
      // What the lab stored, when that is its model.
      ...(def.checkpoint && started.output ? { model: started.output } : {}),
    });
  }

  /** Stores a job's result in the session; a result that cannot be stored becomes the job's error, never a silent 'done'. */
  private storeOutput(session: LabSession, kind: JobKind, output: JobOutput<JobKind>): KairoErrorValue | null {
    const bad = firstNonFinite(output.result, output.tensors);
    if (bad) return { code: 'diverged', message: `diverged: ${bad}; nothing was stored` };
    try {
      jobDef(kind)!.store(session, output);
      return null;
    } catch (e) {
      return { code: 'internal', message: `the result could not be stored: ${toErrorValue(e).message}` };
    }
  }
}
