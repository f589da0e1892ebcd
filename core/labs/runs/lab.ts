// The Runs ledger: every job that ends leaves a record (core/core.ts writes it through ledger.ts,
// with the summary its kind's definition gives); the runs table in each lab and the Runs page
// name, annotate, sort, overlay, export and delete them.
import { defineLab } from '../lab.ts';
import { deleteRuns, editRun } from './ledger.ts';
import { defaultRunsLab, runsLabSchema } from './state.ts';

export const runsLab = defineLab({
  id: 'runs',
  title: 'Runs',
  schema: runsLabSchema,
  defaults: defaultRunsLab,
  tensors: () => [],
  jobs: {},
  methods: {
    'runs.edit': (ctx, p) => editRun(ctx.session, p),
    'runs.delete': (ctx, p) => deleteRuns(ctx.session, p),
  },
});
