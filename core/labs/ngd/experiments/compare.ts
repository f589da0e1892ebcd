// The comparison: gradient descent, exact NGD and its approximations (block-diagonal,
// block-tri-diagonal, K-FAC, unit-wise) from the same initial network, beside their predicted
// function-space dynamics. `ngd run` is one method of it.
import type { NgdCompareParams, NgdCompareResult, LabStates } from '../../../contract.ts';
import { NGD_COMPARE_FIELDS, NGD_KEPT_RUNS, NGD_METHODS, NGD_NETWORK_FIELDS, NGD_TRAIN_FIELDS } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import { experiment, type SubCommand } from '../../lab.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { choiceFlag } from '../../kit/args.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { compareSchema, defaultNgdCompare } from '../state.ts';
import { bytes, compareParams, METHODS, methodsFlag, runJson, sourceOf, theoryJson } from './common.ts';

/** `ngd run`: one method, at its best η (or at --lr); prints its curves beside the prediction. */
const run: SubCommand = {
  sub: 'run',
  flags: [...flagNames(NGD_NETWORK_FIELDS, NGD_TRAIN_FIELDS), 'method', 'out'],
  run: async (p, out, ctx) => {
    if (!p.flags.has('method')) throw invalid(`ngd run needs --method ${METHODS}`);
    const method = choiceFlag(p, 'method', 'exact', NGD_METHODS);
    const { result: c } = await ctx.runJob('ngd.compare', compareParams(p, [method], p.flags.has('lr') ? 'common' : 'best'));
    const r = c.runs[0]!;
    if (r.error) throw invalid(r.error);
    const file = p.flags.get('out');
    if (typeof file === 'string') await ctx.save(file);
    out({
      lambda_max: c.lambdaMax,
      eta: r.eta,
      losses: r.losses,
      test_losses: r.testLosses,
      diverged: r.diverged,
      step_sizes: r.stepSizes,
      linearisation_errors: r.linearErrors,
      sign_changes: r.signChanges,
      theory: theoryJson(r.theory),
      ...(typeof file === 'string' ? { session: ctx.session.view().path } : {}),
    });
    return 0;
  },
};

const summary = (_p: NgdCompareParams, r: NgdCompareResult): RunSummary => ({
  metrics: Object.fromEntries([
    ['λ_max', r.lambdaMax],
    ['P', r.parameters],
    ...r.runs.map((m) => [`final loss ${m.method} (${m.at})`, m.diverged ? NaN : m.losses.at(-1)] as const),
  ]),
  curves: r.runs.flatMap((m) => [
    curve(
      `loss ${m.method} (${m.at})`,
      'step',
      m.losses.map((v) => (v >= 1e300 ? NaN : v)),
    ),
    curve(`loss ${m.method} (${m.at}) theory`, 'step', m.theory.losses),
  ]),
});

export const compare = experiment('ngd.compare', {
  job: {
    label: 'NGD comparison',
    params: compareSchema,
    source: (p) => sourceOf(p.network),
    memory: (p, data) => bytes(p.network, data),
    handler: async () => (await import('../jobs/compare.ts')).runCompare,
    float64: true,
    summary,
    store: (session, o) => {
      const lab: LabStates['ngd'] = session.labs.ngd;
      const r = o.result;
      // The comparison shown before becomes the newest kept run.
      const history = lab.compare ? [lab.compare, ...lab.history].slice(0, NGD_KEPT_RUNS) : lab.history;
      session.store('ngd', { ...lab, compare: r, history, draft: r.params }, {});
    },
  },
  cli: [
    run,
    {
      sub: 'compare',
      flags: [...flagNames(NGD_NETWORK_FIELDS, NGD_TRAIN_FIELDS, NGD_COMPARE_FIELDS), 'out'],
      run: async (p, out, ctx) => {
        const { at } = readFlags(p, NGD_COMPARE_FIELDS, defaultNgdCompare());
        const { result: c } = await ctx.runJob('ngd.compare', compareParams(p, methodsFlag(p), at));
        const file = p.flags.get('out');
        if (typeof file === 'string') await ctx.save(file);
        out({
          parameters: c.parameters,
          lambda_max: c.lambdaMax,
          lambda_min: c.lambdaMin,
          runs: c.runs.map((r) => ({ ...runJson(r), at: r.at, spectrum: r.spectrum, seconds_per_step: r.secondsPerStep })),
        });
        return 0;
      },
    },
  ],
});
