// The unit-wise Fisher of one unit (Amari, Karakida & Oizumi): its closed-form eigenvalues
// beside Monte Carlo.
import type { UnitFisherParams, UnitFisherResult } from '../../../contract.ts';
import { defaultsOf, UNIT_FISHER_FIELDS } from '../../../contract.ts';
import { parseOrThrow } from '../../../validate.ts';
import { experiment } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { unitFisherSchema } from '../state.ts';

const summary = (_p: UnitFisherParams, r: UnitFisherResult): RunSummary => ({
  metrics: {
    'largest eigenvalue': r.closedForm.at(-1),
    'smallest eigenvalue': r.closedForm[0],
    'max |GG⁻¹ − I|': r.inverseError,
  },
  curves: [curve('eigenvalues, closed form', 'index', r.closedForm), curve('eigenvalues, Monte Carlo', 'index', r.monteCarlo)],
});

export const unitFisher = experiment('ngd.unitFisher', {
  job: {
    label: 'Unit-wise Fisher',
    params: unitFisherSchema,
    handler: async () => (await import('../jobs/unit-fisher.ts')).runUnitFisher,
    float64: true,
    summary,
    store: (session, o) => session.store('ngd', { ...session.labs.ngd, unit: o.result, unitDraft: o.result.params }, {}),
  },
  cli: {
    sub: 'unit-fisher',
    flags: flagNames(UNIT_FISHER_FIELDS),
    run: async (p, out, ctx) => {
      const params = parseOrThrow(
        unitFisherSchema,
        readFlags(p, UNIT_FISHER_FIELDS, defaultsOf(UNIT_FISHER_FIELDS)),
        'ngd unit-fisher',
      );
      const { result: u } = await ctx.runJob('ngd.unitFisher', params);
      out({
        closed_form: u.closedForm,
        monte_carlo: u.monteCarlo,
        moments: { a11: u.moments.a11, az1: u.moments.az1, azz: u.moments.azz },
        inverse_error: u.inverseError,
      });
      return 0;
    },
  },
});
