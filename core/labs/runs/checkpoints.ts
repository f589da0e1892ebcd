// Checkpoints: the model a run left, kept in the session so the run can be reopened. A job kind
// whose output is its lab's model (`checkpoint: true` in its definition) hands that output to its
// run record: the result JSON as the lab stored it, and copies of its tensors under the run's own
// names (`runs.<id>.<name>`, the same arrays, so keeping one costs no copy in memory). Reopening
// stores the output again through the kind's own `store`, so the lab ends exactly as it was when
// that job had just finished, and every check a loaded file passes is run on the result first.
import type { JsonValue, RunCheckpoint, RunRecord, RunsLabState } from '../../contract.ts';
import { invalid, KairoError } from '../../errors.ts';
import type { JobOutput } from '../kit/job.ts';
import type { LabSession } from '../kit/session.ts';
import type { MethodContext } from '../lab.ts';
import type { NamedTensor } from '../../session/safetensors.ts';
import { keptName } from './state.ts';

/** A job output as a checkpoint of run `id`, and the tensors the session keeps for it. */
export function checkpointOf(
  id: string,
  output: JobOutput<never> | { result: unknown; tensors: Record<string, NamedTensor> },
): { checkpoint: RunCheckpoint; tensors: Record<string, NamedTensor> } {
  const tensors: Record<string, NamedTensor> = Object.create(null);
  const names: Record<string, string> = {};
  let bytes = 0;
  for (const name of Object.keys(output.tensors).sort()) {
    const t = output.tensors[name]!;
    names[name] = keptName(id, name);
    tensors[names[name]] = t;
    bytes += t.data.byteLength;
  }
  const result = JSON.parse(JSON.stringify(output.result ?? null)) as JsonValue;
  return { checkpoint: { result, tensors: names, bytes }, tensors: { ...tensors } };
}

/**
 * The budget: pinned runs keep their checkpoints; of the others, each lab's newest `keep` do (a
 * burst of field networks does not cost the VAE its models). The rest lose theirs (their records
 * stay), and the session drops the tensors nobody refers to any more.
 */
export function withinBudget(state: RunsLabState): RunsLabState {
  const byLab = new Map<string, RunRecord[]>();
  for (const r of state.runs) if (r.checkpoint && !r.pinned) byLab.set(r.lab, [...(byLab.get(r.lab) ?? []), r]);
  const drop = new Set([...byLab.values()].flatMap((rs) => rs.slice(0, Math.max(0, rs.length - state.keep)).map((r) => r.id)));
  if (!drop.size) return state;
  return { ...state, runs: state.runs.map((r) => (drop.has(r.id) ? { ...r, checkpoint: null } : r)) };
}

export function setKeep(session: LabSession, p: { keep: number }): RunsLabState {
  const keep = p?.keep;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 0 || keep > 100)
    throw invalid(`keep must be a whole number from 0 to 100 (got ${String(keep)})`);
  session.store('runs', withinBudget({ ...session.labs.runs, keep }), {});
  return session.labs.runs;
}

/** A store that refuses (and changes nothing) unless the session it leaves passes every check a loaded file passes. */
function verifying(session: LabSession, label: string): LabSession {
  return {
    get labs() {
      return session.labs;
    },
    tensor: (n) => session.tensor(n),
    view: () => session.view(),
    store: (lab, state, tensors) => session.store(lab, state, tensors, { verify: label }),
  };
}

/** Restores run `id`'s checkpoint as its lab's current model. */
export function openRun(ctx: MethodContext, p: { id: string; lab?: string }): { lab: string; kind: string } {
  const run: RunRecord | undefined = ctx.session.labs.runs.runs.find((r) => r.id === p?.id);
  if (!run) throw new KairoError('not_found', `this session has no run "${String(p?.id)}"`);
  if (typeof p.lab === 'string' && p.lab !== run.lab)
    throw invalid(`run ${run.id} is a ${run.lab} run (${run.label}); this needs a ${p.lab} run`);
  const cp = run.checkpoint;
  if (!cp)
    throw invalid(
      run.outcome === 'failed' || !ctx.storeOf(run.kind)
        ? `run ${run.id} (${run.label}) left no model to reopen`
        : `run ${run.id}'s checkpoint was dropped by the budget (the newest ${ctx.session.labs.runs.keep} unpinned of each lab are kept): pin runs to keep theirs`,
    );
  const busy = ctx.active().find((k) => k.startsWith(`${run.lab}.`));
  if (busy) throw invalid(`a ${busy} job is running: wait for it or cancel it before opening run ${run.id}`);
  const store = ctx.storeOf(run.kind);
  if (!store) throw invalid(`run ${run.id}'s kind ${run.kind} is not one this version keeps models of`);
  // Names from the file: a null-prototype object, so no name can reach Object.prototype.
  const tensors: Record<string, NamedTensor> = Object.create(null);
  for (const [name, kept] of Object.entries(cp.tensors)) {
    const t = ctx.session.tensor(kept);
    if (!t) throw invalid(`run ${run.id}'s checkpoint lacks tensor "${kept}"`);
    tensors[name] = t;
  }
  store(verifying(ctx.session, `run ${run.id}'s checkpoint`), { result: cp.result, tensors });
  return { lab: run.lab, kind: run.kind };
}
