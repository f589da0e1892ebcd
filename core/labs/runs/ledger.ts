// The Runs ledger: one record per ended job (kept even when the job diverged or failed, so nothing
// ends silently), and the edits the runs table makes. The core writes records when jobs end; each
// job kind's definition says what its record keeps (a `summary` built with `curve`); the ledger is
// stored as the `runs` lab (core/labs/runs/), so sessions save, validate and migrate it like any lab.
import type { JsonValue, RunOutcome, RunRecord, RunsLabState } from '../../contract.ts';
import { KairoError } from '../../errors.ts';
import type { LabSession } from '../kit/session.ts';
import { MAX_RUNS, type RunSummary } from '../kit/runs.ts';
import type { NamedTensor } from '../../session/safetensors.ts';
import { checkpointOf, withinBudget } from './checkpoints.ts';

export interface EndedJob {
  kind: string;
  label: string;
  startedAt: number;
  finishedAt: number;
  outcome: RunOutcome;
  error: string | null;
  params: unknown;
  summary: RunSummary | null;
  /** The output its lab stored, when the kind's output is the lab's model (kept as the run's checkpoint). */
  model?: { result: unknown; tensors: Record<string, NamedTensor> };
}

/** What a kind's definition keeps of a raw result; null (the record still kept) when that cannot be made. */
export function summaryOf(
  def: { summary?: (params: never, result: never) => RunSummary },
  kind: string,
  params: unknown,
  result: unknown,
): RunSummary | null {
  if (!def.summary) return null;
  try {
    return def.summary(params as never, result as never);
  } catch (e) {
    // A summary that cannot be made must not cost the run its record.
    console.error(`kairo: no summary for ${kind}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
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
    checkpoint: null,
    pinned: false,
  };
  const kept = job.model ? checkpointOf(run.id, job.model) : null;
  if (kept) run.checkpoint = kept.checkpoint;
  const runs = [...state.runs, run].slice(-MAX_RUNS);
  session.store('runs', withinBudget({ ...state, runs, next: n + 1 }), kept?.tensors ?? {});
  return run;
}

export function editRun(session: LabSession, p: { id: string; name?: string; note?: string; pinned?: boolean }): RunsLabState {
  const state = session.labs.runs;
  const run = state.runs.find((r) => r.id === p?.id);
  if (!run) throw new KairoError('not_found', `there is no run "${String(p?.id)}"`);
  const edited = {
    ...run,
    ...(typeof p.name === 'string' ? { name: p.name.trim() || run.name } : {}),
    ...(typeof p.note === 'string' ? { note: p.note } : {}),
    ...(typeof p.pinned === 'boolean' ? { pinned: p.pinned } : {}),
  };
  // Unpinning may put a checkpoint beyond the budget.
  session.store('runs', withinBudget({ ...state, runs: state.runs.map((r) => (r === run ? edited : r)) }), {});
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
