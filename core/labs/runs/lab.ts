// The Runs ledger: every job that ends leaves a record (core/core.ts writes it through ledger.ts,
// with the summary its kind's definition gives); the runs table in each lab and the Runs page
// name, annotate, sort, overlay, export and delete them.
import { defineLab } from '../lab.ts';
import { openRun, setKeep } from './checkpoints.ts';
import { deleteRuns, editRun } from './ledger.ts';
import { defaultRunsLab, keptFrom, runsLabSchema } from './state.ts';

export const runsLab = defineLab({
  id: 'runs',
  title: 'Runs',
  schema: runsLabSchema,
  defaults: defaultRunsLab,
  // The copies its checkpoints keep; each is checked as the tensor it copies (`keptFrom`).
  tensors: (s) => s.runs.flatMap((r) => Object.values(r.checkpoint?.tensors ?? {})),
  copyOf: keptFrom,
  jobs: {},
  methods: {
    'runs.edit': (ctx, p) => editRun(ctx.session, p),
    'runs.delete': (ctx, p) => deleteRuns(ctx.session, p),
    'runs.keep': (ctx, p) => setKeep(ctx.session, p),
    'runs.open': (ctx, p) => openRun(ctx, p),
  },
  cli: { name: 'runs', sweepable: false, load: async () => (await import('./cli.ts')).command },
});
