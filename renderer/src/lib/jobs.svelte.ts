// The renderer kit's job helper. Jobs belong to the app, not to the page: a view asks for the
// newest job of a kind from the app's job list, so a lab left while it trains finds its job
// (progress, queue position, the disabled Train button) when it is opened again, and a result
// that lands while the user is elsewhere is in the session when they come back.
import type { JobInfo, JobKind, JobKinds } from '../../../core/contract';
import { app } from './app.svelte';
import { fieldMessage } from './run-params';

export const isActive = (j: JobInfo | null | undefined): boolean => j?.state === 'running' || j?.state === 'queued';

/** The newest job of these kinds in the app's list (not a sweep's run), or null. */
export function latestJob(kinds: readonly JobKind[]): JobInfo | null {
  let best: JobInfo | null = null;
  for (const j of Object.values(app.jobs))
    // A sweep's runs are the sweep's: a lab's page does not take one for its own job.
    if (j.parent === undefined && kinds.includes(j.kind) && (!best || j.createdAt >= best.createdAt)) best = j;
  return best;
}

/** Jobs ahead of this one in the queue (0 when it runs or has ended). */
export function queuePosition(job: JobInfo | null): number {
  if (job?.state !== 'queued') return 0;
  return Object.values(app.jobs).filter(
    (j) => j.id !== job.id && (j.state === 'running' || (j.state === 'queued' && j.createdAt < job.createdAt)),
  ).length;
}

/** One kind of job (or several sharing a button), as a view sees it. */
export class Job<K extends JobKind> {
  readonly kinds: readonly K[];
  constructor(...kinds: K[]) {
    this.kinds = kinds;
  }
  /** The newest job of these kinds, whichever page started it. */
  get info(): JobInfo | null {
    return latestJob(this.kinds);
  }
  /** Queued or running: actions that would start another are disabled. */
  get running(): boolean {
    return isActive(this.info);
  }
  /** Live progress points of the running job, for charts that draw while it trains. */
  get live(): { step: number; metrics: Record<string, number> }[] {
    const id = this.info?.id;
    return id && this.running ? (app.live[id] ?? []) : [];
  }
  /**
   * Starts a job; refused requests become the app's error line and give false. `then`: a job the app
   * starts when this one ends 'done' (a preset's second step), wherever the user is by then.
   */
  async start<S extends K, T extends JobKind = never>(
    kind: S,
    params: JobKinds[S]['params'],
    then?: { kind: T; params: JobKinds[T]['params'] },
  ): Promise<boolean> {
    const j = await app.run(async () => {
      try {
        return (await app.client.call('jobs.start', { kind, params } as never)) as JobInfo;
      } catch (e) {
        // A refused parameter is named by its field's label, as the form shows it.
        throw new Error(fieldMessage(e instanceof Error ? e.message : String(e)));
      }
    });
    if (j) {
      if (then) app.followUps[j.id] = then;
      app.jobs[j.id] = j;
    }
    return j !== undefined;
  }
  /** The follow-up the app will start when this kind's newest job ends, if any. */
  get followUp(): { kind: JobKind } | null {
    const id = this.info?.id;
    return (id && app.followUps[id]) || null;
  }
  async cancel(): Promise<void> {
    const id = this.info?.id;
    if (id && this.running) await app.run(() => app.client.call('jobs.cancel', { id }));
  }
}
