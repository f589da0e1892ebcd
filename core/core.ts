// The core behind the contract: routes request envelopes to services and pushes events.
// Carriers (Electron IPC, the WebSocket host, in-process tests) only move envelopes.
import type {
  AppInfo,
  DatasetSource,
  EventEnvelope,
  Events,
  JobKind,
  KairoErrorValue,
  Method,
  ParamsOf,
  RequestEnvelope,
  ResponseEnvelope,
  ResultOf,
  Topic,
} from './contract.ts';
import { CONTRACT_VERSION } from './contract.ts';
import { initBackend } from './backend.ts';
import { firstNonFinite, KairoError, toErrorValue } from './errors.ts';
import { checkJobMemory } from './jobs/budget.ts';
import { JobManager, type JobManagerOptions } from './jobs/manager.ts';
import type { JobOutput } from './jobs/types.ts';
import { dataPage, dataSummary, storeBaseline } from './services/data/service.ts';
import {
  hopfieldAttention,
  hopfieldComplete,
  hopfieldDensity,
  hopfieldMachine,
  hopfieldRetrieve,
  storeCapacity,
  storeHopfieldTrain,
} from './services/hopfield/service.ts';
import { exploreField, storeFieldRobustness, storeFieldTrain } from './services/field/service.ts';
import { fisherTheoryMethod, storeFisher } from './services/fisher/service.ts';
import { LAB_IDS } from './services/labs.ts';
import { recallInputs, storeVaeRecall, storeVaeSweep, storeVaeTrain } from './services/vae/service.ts';
import { own } from './own.ts';
import { idxPaths, type PathPolicy } from './paths.ts';
import { SessionService } from './services/session.ts';
import { collectSweep, storeSweepLocal } from './services/sweep/service.ts';
import { specPaths, validateSpec } from './sweep/spec.ts';
import { readRecent } from './session/recent.ts';
import { cleanStaleTemps, SESSION_SCHEMA_VERSION } from './session/session.ts';
import { APP_VERSION } from './version.ts';
import { getDataset } from './data/datasets.ts';

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
}

type Handlers = { [M in Method]: (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };
type Listener = (e: EventEnvelope) => void;

const JOB_LABELS: Record<JobKind, string> = {
  'data.baseline': 'Softmax baseline',
  'vae.train': 'Train VAE',
  'vae.recall': 'VAE recall',
  'vae.sweep': 'VAE noise × latent sweep',
  'fisher.spectrum': 'Fisher spectrum',
  'fisher.sweep': 'Fisher sweep',
  'fisher.lrsweep': 'Learning-rate experiment',
  'fisher.isometry': 'Conditional FIM vs depth',
  'fisher.blocks': 'Fisher unit-wise blocks',
  'field.train': 'Train field network (NTK regime)',
  'field.robustness': 'Field robustness',
  'hopfield.train': 'Train Boltzmann machine',
  'hopfield.capacity': 'Hopfield capacity',
  'sweep.local': 'Sweep on this machine',
};

/** Where each job kind's result goes in the session; the type makes a new kind add its entry. */
const STORES: { [K in JobKind]: (session: SessionService, output: JobOutput<K>) => void } = {
  'data.baseline': storeBaseline,
  'vae.train': storeVaeTrain,
  'vae.recall': storeVaeRecall,
  'vae.sweep': storeVaeSweep,
  'hopfield.train': storeHopfieldTrain,
  'hopfield.capacity': storeCapacity,
  'fisher.spectrum': (s, o) => storeFisher(s, 'fisher.spectrum', o),
  'fisher.sweep': (s, o) => storeFisher(s, 'fisher.sweep', o),
  'fisher.lrsweep': (s, o) => storeFisher(s, 'fisher.lrsweep', o),
  'fisher.isometry': (s, o) => storeFisher(s, 'fisher.isometry', o),
  'fisher.blocks': (s, o) => storeFisher(s, 'fisher.blocks', o),
  'field.train': storeFieldTrain,
  'field.robustness': storeFieldRobustness,
  'sweep.local': storeSweepLocal,
};

/** The dataset a job reads, if any, so an unreadable one fails before a worker starts. */
function jobSource(p: ParamsOf<'jobs.start'>): DatasetSource | null {
  if (p.kind === 'data.baseline' || p.kind === 'hopfield.capacity' || p.kind === 'vae.train' || p.kind === 'vae.sweep')
    return p.params?.source ?? null;
  if (p.kind === 'field.train') return p.params?.source ?? null;
  if (p.kind === 'field.robustness') return p.params?.train?.source ?? null;
  if (p.kind === 'hopfield.train') return p.params?.data?.kind === 'images' ? p.params.data.source : null;
  if (p.kind === 'fisher.spectrum' || p.kind === 'fisher.sweep' || p.kind === 'fisher.lrsweep' || p.kind === 'fisher.blocks') {
    return p.params?.network?.inputs === 'images' ? p.params.network.source : null;
  }
  return null;
}

export class Core {
  readonly session: SessionService;
  readonly jobs: JobManager;
  private readonly listeners = new Set<Listener>();
  private readonly handlers: Handlers;

  constructor(private readonly opts: CoreOptions) {
    this.session = new SessionService((v) => this.emit('session.changed', v));
    // Saves that were killed midway leave temporary files beside the sessions the user works on.
    for (const p of readRecent()) cleanStaleTemps(p);
    this.jobs = new JobManager({
      ...opts.jobs,
      onUpdate: (info) => this.emit('job.update', info),
      onOutput: (info, output) => this.storeOutput(info.kind, output),
    });
    this.handlers = {
      'app.info': async () => ({
        version: APP_VERSION,
        contractVersion: CONTRACT_VERSION,
        sessionSchemaVersion: SESSION_SCHEMA_VERSION,
        carrier: opts.platform.carrier,
        backend: await initBackend(),
        labs: LAB_IDS,
      }),
      'data.summary': (p) => (this.checkData(p), dataSummary(p)),
      'data.page': (p) => (this.checkData(p), dataPage(p)),
      'session.tensor': (p) => this.session.encoded(String(p?.name)),
      'fisher.theory': (p) => fisherTheoryMethod(p),
      'field.explore': (p) => exploreField(p),
      'hopfield.density': (p) => hopfieldDensity(this.session, p),
      'hopfield.machine': (p) => hopfieldMachine(this.session, p),
      'hopfield.attention': (p) => hopfieldAttention(this.session, p),
      'hopfield.retrieve': (p) => hopfieldRetrieve(this.session, p),
      'hopfield.complete': (p) => hopfieldComplete(this.session, p),
      'jobs.start': async (p) => {
        const kind = p?.kind as JobKind;
        if (typeof kind !== 'string' || !own(JOB_LABELS, kind))
          throw new KairoError('bad_request', `unknown job kind ${JSON.stringify(kind)}`);
        checkJobMemory(kind, p.params);
        // Fail fast on an unreadable dataset here rather than seconds later inside a worker.
        const source = jobSource(p);
        if (source) getDataset(source);
        // A recall runs on the session's model: hand it over now, as it is at the start. While a
        // new VAE trains, that model is about to be replaced (and its runs with it): refuse.
        if (
          kind === 'vae.recall' &&
          this.jobs.list().some((j) => j.kind === 'vae.train' && (j.state === 'queued' || j.state === 'running'))
        ) {
          throw new KairoError('invalid_input', 'a VAE is training; run recall when it has finished');
        }
        const inputs = kind === 'vae.recall' ? recallInputs(this.session) : undefined;
        this.checkData([p.params, inputs?.state]);
        // A sweep file is refused before any worker starts; its runs read and write the files its
        // flags name, so the same path policy applies to them.
        if (kind === 'sweep.local') {
          // The lab commands' flag tables, loaded only when a sweep starts (they bring the CLI modules).
          const { LAB_COMMANDS } = await import('./cli/commands.ts');
          const spec = validateSpec((p.params as { spec?: unknown } | undefined)?.spec, LAB_COMMANDS);
          for (const f of opts.platform.paths ? specPaths(spec) : [])
            opts.platform.paths!.check(f.path, f.use === 'write' ? 'session-write' : 'data-read');
        }
        return this.jobs.start(kind, p.params, JOB_LABELS[kind], inputs);
      },
      'jobs.cancel': (p) => this.jobs.cancel(String(p?.id)),
      'jobs.list': () => this.jobs.list(),
      'session.get': () => this.session.view(),
      'session.update': (p) => this.session.update(p?.lab, p?.state),
      'session.new': () => this.session.reset(),
      'session.save': (p) => {
        const path = typeof p?.path === 'string' ? p.path : null;
        const target = path ?? this.session.view().path;
        if (target) opts.platform.paths?.check(target.endsWith('.kairo') ? target : `${target}.kairo`, 'session-write');
        return this.session.save(path);
      },
      'session.open': async (p) => {
        if (typeof p?.path !== 'string' || !p.path) throw new KairoError('bad_request', 'session.open needs a path');
        opts.platform.paths?.check(p.path, 'session-read');
        const view = this.session.open(p.path);
        // A session names data files by path: the desktop app reads them only once the user allows it.
        const policy = opts.platform.paths;
        const unconfirmed = policy ? idxPaths(view.labs).filter((f) => !policy.isGranted(f)) : [];
        if (policy && unconfirmed.length && opts.platform.confirmRead && (await opts.platform.confirmRead(unconfirmed)))
          for (const f of unconfirmed) policy.grant(f);
        return view;
      },
      'session.recent': () => readRecent(),
      'sweep.collect': (p) => {
        if (typeof p?.path !== 'string' || !p.path) throw new KairoError('bad_request', 'sweep.collect needs a path');
        opts.platform.paths?.check(p.path, 'data-read');
        return collectSweep(this.session, p.path);
      },
      'platform.pickPath': async (p) => {
        if (!opts.platform.pickPath) return { supported: false, path: null };
        const path = await opts.platform.pickPath(p.purpose, p.suggested ?? null);
        // What the user picked in a native dialog is theirs to use.
        if (path) opts.platform.paths?.grant(path);
        return { supported: true, path };
      },
    };
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

  /** Data files named in requests (or in the session a job reads) must pass the platform's path policy. */
  private checkData(value: unknown): void {
    const policy = this.opts.platform.paths;
    if (policy) for (const f of idxPaths(value)) policy.check(f, 'data-read');
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emit<T extends Topic>(topic: T, payload: Events[T]): void {
    const env = { t: 'evt', topic, payload } as EventEnvelope;
    for (const l of this.listeners) l(env);
  }

  async shutdown(): Promise<void> {
    await this.jobs.shutdown();
  }

  /** Stores a job's result in the session; a result that cannot be stored becomes the job's error, never a silent 'done'. */
  private storeOutput(kind: JobKind, output: JobOutput<JobKind>): KairoErrorValue | null {
    const bad = firstNonFinite(output.result, output.tensors);
    if (bad) return { code: 'diverged', message: `diverged: ${bad}; nothing was stored` };
    try {
      (STORES[kind] as (session: SessionService, o: JobOutput<JobKind>) => void)(this.session, output);
      return null;
    } catch (e) {
      return { code: 'internal', message: `the result could not be stored: ${toErrorValue(e).message}` };
    }
  }
}
