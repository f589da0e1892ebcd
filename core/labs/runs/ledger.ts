// The Runs ledger: one record per ended job (kept even when the job diverged or failed, so nothing
// ends silently), and the edits the runs table makes. The core writes records when jobs end; each
// job kind's definition says what its record keeps (a `summary` built with `curve`); the ledger is
// stored as the `runs` lab (core/labs/runs/), so sessions save, validate and migrate it like any lab.
import type { JsonValue, RunOutcome, RunRecord, RunsLabState } from '../../contract.ts';
import { KairoError } from '../../errors.ts';
import type { LabSession } from '../kit/session.ts';
import { MAX_RUNS, type RunSummary } from '../kit/runs.ts';

export interface EndedJob {
  kind: string;
  label: string;
  startedAt: number;
  finishedAt: number;
  outcome: RunOutcome;
  error: string | null;
  params: unknown;
  summary: RunSummary | null;
}

/** JSON of the parameters as started (they are validated JSON already; this drops anything that is not). */
function jsonOf(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v ?? null)) as JsonValue;
}

export function recordRun(session: LabSession, job: EndedJob): RunRecord {
  const state = session.labs.runs;
  const n = state.next;
  const metrics: Record<string, number | null> = Object.create(null);
  for (const [k, v] of Object.entries(job.summary?.metrics ?? {})) {
    if (v === undefined || v === null) continue; // not measured in this run
    metrics[k] = Number.isFinite(v) ? v : null; // measured and not finite: flagged
  }
  const params = jsonOf(job.params);
  const seed =
    typeof params === 'object' && params && !Array.isArray(params) && typeof params.seed === 'number' ? params.seed : null;
  const run: RunRecord = {
    id: `r${n}`,
    lab: job.kind.split('.')[0]!,
    kind: job.kind,
    label: job.label,
    name: `${job.label} #${n}`,
    note: '',
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    outcome: job.outcome,
    error: job.error ? job.error.slice(0, 2_000) : null,
    params,
    seed,
    metrics: { ...metrics },
    curves: (job.summary?.curves ?? []).slice(0, 24),
  };
  session.store('runs', { runs: [...state.runs, run].slice(-MAX_RUNS), next: n + 1 }, {});
  return run;
}

export function editRun(session: LabSession, p: { id: string; name?: string; note?: string }): RunsLabState {
  const state = session.labs.runs;
  const run = state.runs.find((r) => r.id === p?.id);
  if (!run) throw new KairoError('not_found', `there is no run "${String(p?.id)}"`);
  const edited = {
    ...run,
    ...(typeof p.name === 'string' ? { name: p.name.trim() || run.name } : {}),
    ...(typeof p.note === 'string' ? { note: p.note } : {}),
  };
  session.store('runs', { ...state, runs: state.runs.map((r) => (r === run ? edited : r)) }, {});
  return session.labs.runs;
}

export function deleteRuns(session: LabSession, p: { ids: string[] }): RunsLabState {
  if (!Array.isArray(p?.ids)) throw new KairoError('bad_request', 'runs.delete needs ids: a list of run ids');
  const state = session.labs.runs;
  const gone = new Set(p.ids.map(String));
  const unknown = [...gone].find((id) => !state.runs.some((r) => r.id === id));
  if (unknown) throw new KairoError('not_found', `there is no run "${unknown}"`);
  session.store('runs', { ...state, runs: state.runs.filter((r) => !gone.has(r.id)) }, {});
  return session.labs.runs;
}
