// `kairo runs …`: a session's runs ledger without a window: list the runs (with whether each kept
// its model), pin or unpin checkpoints, and set how many unpinned ones the session keeps.
import type { RunRecord } from '../../contract.ts';
import { MAX_KEEP_CHECKPOINTS } from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { intFlag } from '../kit/args.ts';
import { commandOf, sessionFlags, type CliContext, type LabCommand } from '../kit/cli.ts';
import type { Parsed } from '../kit/args.ts';

export const RUNS_USAGE = `  runs list --session F.kairo [--lab L]   the session's runs as JSON: parameters, final metrics, whether
                                         each kept its model (a checkpoint that --run ID reopens) and is pinned
  runs pin|unpin --session F.kairo --run ID [--out F.kairo]
                                         a pinned run's checkpoint is never dropped by the budget
  runs keep --session F.kairo --keep N [--out F.kairo]
                                         keep each lab's newest N unpinned checkpoints (0–${MAX_KEEP_CHECKPOINTS}); older ones are dropped`;

/** What a script reads of a run (snake_case, as every kairo command prints). */
export function runJson(r: RunRecord) {
  return {
    id: r.id,
    lab: r.lab,
    kind: r.kind,
    name: r.name,
    outcome: r.outcome,
    error: r.error,
    started_at: new Date(r.startedAt).toISOString(),
    seconds: (r.finishedAt - r.startedAt) / 1000,
    params: r.params,
    metrics: r.metrics,
    checkpoint: r.checkpoint !== null,
    checkpoint_bytes: r.checkpoint?.bytes ?? 0,
    pinned: r.pinned,
    note: r.note,
  };
}

async function saveBack(p: Parsed, ctx: CliContext, file: string): Promise<string> {
  const to = p.flags.get('out');
  await ctx.save(typeof to === 'string' ? to : file);
  return ctx.session.view().path ?? file;
}

async function pin(p: Parsed, out: (v: unknown) => void, ctx: CliContext, pinned: boolean): Promise<number> {
  const id = p.flags.get('run');
  if (typeof id !== 'string') throw invalid('--run ID is required (kairo runs list names the runs)');
  const file = (await sessionFlags(p, ctx, 'runs', { required: true, openRun: false }))!;
  const state = await ctx.call('runs.edit', { id, pinned });
  const run = state.runs.find((r) => r.id === id)!;
  out({ ...runJson(run), session: await saveBack(p, ctx, file) });
  return 0;
}

export const command: LabCommand = commandOf({
  name: 'runs',
  usage: RUNS_USAGE,
  valued: ['session', 'lab', 'run', 'keep', 'out'],
  outputs: ['out'],
  subs: [
    {
      sub: 'list',
      flags: ['session', 'lab'],
      run: async (p, out, ctx) => {
        await sessionFlags(p, ctx, 'runs', { required: true, openRun: false });
        const lab = p.flags.get('lab');
        const runs = ctx.session.labs.runs.runs.filter((r) => typeof lab !== 'string' || r.lab === lab);
        out({ keep: ctx.session.labs.runs.keep, runs: runs.map(runJson) });
        return 0;
      },
    },
    { sub: 'pin', flags: ['session', 'run', 'out'], run: (p, out, ctx) => pin(p, out, ctx, true) },
    { sub: 'unpin', flags: ['session', 'run', 'out'], run: (p, out, ctx) => pin(p, out, ctx, false) },
    {
      sub: 'keep',
      flags: ['session', 'keep', 'out'],
      run: async (p, out, ctx) => {
        if (!p.flags.has('keep')) throw invalid('--keep N is required');
        const keep = intFlag(p, 'keep', 0, 0, MAX_KEEP_CHECKPOINTS);
        const file = (await sessionFlags(p, ctx, 'runs', { required: true, openRun: false }))!;
        const state = await ctx.call('runs.keep', { keep });
        out({
          keep: state.keep,
          kept: state.runs.filter((r) => r.checkpoint).map((r) => r.id),
          session: await saveBack(p, ctx, file),
        });
        return 0;
      },
    },
  ],
});
