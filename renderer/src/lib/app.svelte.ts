// Application state shared by all views: what the core told us (info, session, jobs) and the
// few UI-only things (current lab, dialogs, errors). Views call the core through `app.client`.
import type { AppInfo, JobInfo, JobKind, JobPreview, LabId, LabStates, MenuCommand, SessionView } from '../../../core/contract';
import { connect, KairoCallError, type KairoClient } from './client';

/** A lab's quick look as the app keeps it: 'started' (clicked), 'running' (its job seen), then what it measured and how long it took. */
export interface QuickLookState {
  phase: 'idle' | 'started' | 'running';
  measured: string[] | null;
  startedAt: number;
  seconds: number | null;
}

export interface PathRequest {
  title: string;
  purpose: 'session-open' | 'session-save' | 'idx-file' | 'model-file' | 'sweep-dir';
  initial: string;
  resolve: (path: string | null) => void;
}

class AppState {
  client: KairoClient = connect();
  info = $state<AppInfo | null>(null);
  session = $state<SessionView | null>(null);
  jobs = $state<Record<string, JobInfo>>({});
  recent = $state<string[]>([]);
  lab = $state<LabId>('data');
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  pathRequest = $state<PathRequest | null>(null);
  /** Whether the host is reachable; 'lost' shows a banner while the client reconnects. */
  connection = $state<'connected' | 'lost'>('connected');
  /** Unsaved work an earlier run left behind, offered back at start. */
  recovery = $state<{ path: string | null; savedAt: string } | null>(null);
  /** Live progress points per running job, for charts that draw while training. */
  live = $state<Record<string, { step: number; metrics: Record<string, number> }[]>>({});
  /** The latest live model view of each running job that sends one. */
  previews = $state<Record<string, JobPreview>>({});

  async init(): Promise<void> {
    this.client.on('job.update', (j) => {
      const before = this.jobs[j.id]?.state;
      this.jobs[j.id] = j;
      if ((before === 'queued' || before === 'running') && j.state !== 'queued' && j.state !== 'running') this.ended(j);
      if (j.state === 'running' && j.progress) {
        const pts = (this.live[j.id] ??= []);
        if (pts.length === 0 || pts[pts.length - 1]!.step !== j.progress.step)
          pts.push({ step: j.progress.step, metrics: j.progress.metrics });
        if (j.progress.preview) this.previews[j.id] = j.progress.preview;
      }
      if (j.state === 'failed' && j.error) this.error = `${j.label} failed: ${j.error.message}`;
      if (j.state === 'diverged' && j.error) this.error = `${j.label}: ${j.error.message}`;
    });
    this.client.on('session.changed', (s) => (this.session = s));
    this.client.onStatus((st) => {
      this.connection = st;
      // Back: the host may have restarted; take its session and jobs as they are now.
      if (st === 'connected') void this.refresh();
    });
    this.client.on('menu', ({ command }) => void this.command(command));
    await this.run(async () => {
      this.info = await this.client.call('app.info', {});
      this.session = await this.client.call('session.get', {});
      for (const j of await this.client.call('jobs.list', {})) this.jobs[j.id] = j;
      this.recent = await this.client.call('session.recent', {});
      this.recovery = await this.client.call('session.recovery', {});
    });
  }

  /**
   * Reloads what the host holds (after a reconnection). Jobs the host does not know are gone: a
   * restarted host has none of the old one's, and the panel must not keep showing them.
   */
  async refresh(): Promise<void> {
    await this.run(async () => {
      this.session = await this.client.call('session.get', {});
      const list = await this.client.call('jobs.list', {});
      const known = new Set(list.map((j) => j.id));
      for (const id of Object.keys(this.jobs))
        if (!known.has(id)) {
          delete this.jobs[id];
          delete this.live[id];
          delete this.previews[id];
        }
      for (const j of list) this.jobs[j.id] = j;
      this.recovery = await this.client.call('session.recovery', {});
    });
    this.error = null;
  }

  /** Takes back the unsaved session an earlier run left, or drops it. */
  async resolveRecovery(take: boolean): Promise<void> {
    if (take) {
      const s = await this.run(() => this.client.call('session.recover', {}));
      if (s) {
        this.session = s;
        this.notice = `Recovered the unsaved session${s.path ? ` of ${s.path}` : ''}`;
      }
    } else await this.run(() => this.client.call('session.discardRecovery', {}));
    this.recovery = null;
  }

  /** Labs with results that arrived while another lab was open: a badge in the sidebar until visited. */
  unseen = $state<Partial<Record<LabId, number>>>({});

  /** Jobs running longer than this (seconds) also raise a desktop notification when they end (Electron). */
  static readonly NOTIFY_AFTER_S = 30;

  /**
   * Jobs to start when another ends 'done' (a preset's recall after its training), by the first's id.
   * The app's, not a page's: leaving the lab while the first runs loses nothing.
   */
  followUps = $state<Record<string, { kind: JobKind; params: unknown }>>({});

  /**
   * Each lab's quick look as the app keeps it, so a lab left while its quick look runs shows, once
   * back, what the run measured: 'started' (clicked), 'running' (its job seen), then the quotes.
   */
  quickLooks = $state<Partial<Record<LabId, QuickLookState>>>({});

  private ended(j: JobInfo): void {
    const next = this.followUps[j.id];
    if (next) {
      // Kept until the next job is in the list, so a page never sees a moment with neither running.
      if (j.state === 'done')
        void this.run(async () => {
          const started = (await this.client.call('jobs.start', { kind: next.kind, params: next.params } as never)) as JobInfo;
          this.jobs[started.id] = started;
        }).finally(() => delete this.followUps[j.id]);
      else delete this.followUps[j.id];
    }
    const lab = j.kind.split('.')[0] as LabId;
    if (lab !== this.lab && this.info?.labs.includes(lab)) this.unseen[lab] = (this.unseen[lab] ?? 0) + 1;
    const seconds = j.startedAt && j.finishedAt ? (j.finishedAt - j.startedAt) / 1000 : 0;
    if (this.client.carrier === 'electron' && seconds > AppState.NOTIFY_AFTER_S && typeof Notification !== 'undefined')
      new Notification(`${j.label}: ${j.state}`, { body: j.error?.message ?? `after ${Math.round(seconds)} s` });
  }

  /** Opens a lab, clearing its badge. */
  show(lab: LabId): void {
    this.lab = lab;
    delete this.unseen[lab];
  }

  /** Runs a core call, turning failures into the one-line error banner. */
  async run<T>(f: () => Promise<T>): Promise<T | undefined> {
    try {
      const r = await f();
      return r;
    } catch (e) {
      this.error = e instanceof KairoCallError || e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  async updateLab<K extends LabId>(lab: K, state: LabStates[K]): Promise<boolean> {
    const s = await this.run(() => this.client.call('session.update', { lab, state: $state.snapshot(state) as LabStates[K] }));
    if (s) this.session = s;
    return s !== undefined;
  }

  askPath(title: string, purpose: PathRequest['purpose'], initial = ''): Promise<string | null> {
    return new Promise((resolve) => {
      void this.client.call('platform.pickPath', { purpose, suggested: initial || null }).then(
        (r) => {
          if (r.supported) resolve(r.path);
          else this.pathRequest = { title, purpose, initial, resolve };
        },
        () => (this.pathRequest = { title, purpose, initial, resolve }),
      );
    });
  }

  async save(as = false): Promise<void> {
    let path: string | null = null;
    if (as || !this.session?.path) {
      path = await this.askPath('Save session as', 'session-save', this.session?.path ?? '');
      if (!path) return;
    }
    let s: SessionView | undefined;
    try {
      // Save As never replaces another file without asking.
      s = await this.client.call('session.save', { path, overwrite: !as });
    } catch (e) {
      if (e instanceof KairoCallError && e.code === 'exists' && confirm(`${e.message}. Replace it?`))
        s = await this.run(() => this.client.call('session.save', { path, overwrite: true }));
      else if (!(e instanceof KairoCallError && e.code === 'exists')) this.error = e instanceof Error ? e.message : String(e);
    }
    if (s) {
      this.session = s;
      this.notice = `Saved ${s.path}`;
      this.recent = await this.client.call('session.recent', {});
    }
  }

  async open(path?: string): Promise<void> {
    if (this.session?.dirty && !confirm('Discard the unsaved changes of this session?')) return;
    const p = path ?? (await this.askPath('Open session', 'session-open'));
    if (!p) return;
    const s = await this.run(() => this.client.call('session.open', { path: p }));
    if (s) {
      this.session = s;
      this.notice = `Opened ${s.path}`;
      this.recent = await this.client.call('session.recent', {});
    }
  }

  async newSession(): Promise<void> {
    if (this.session?.dirty && !confirm('Discard the unsaved changes of this session?')) return;
    const s = await this.run(() => this.client.call('session.new', {}));
    if (s) this.session = s;
  }

  async command(c: MenuCommand): Promise<void> {
    if (c === 'session.new') return this.newSession();
    if (c === 'session.open') return this.open();
    if (c === 'session.save') return this.save(false);
    if (c === 'session.saveAs') return this.save(true);
    if ('openRecent' in c) return this.open(c.openRecent);
    if ('showLab' in c) this.show(c.showLab);
  }
}

export const app = new AppState();
