// `kairo ngd …`: the natural-gradient lab without a window; the same jobs as the UI.
import type { CliContext, LabCommand } from '../lab.ts';
import {
  NGD_COMPARE_FIELDS,
  NGD_METHODS,
  NGD_NETWORK_FIELDS,
  NGD_SWEEP_FIELDS,
  NGD_TRAIN_FIELDS,
  UNIT_FISHER_FIELDS,
  type NgdCompareParams,
  type NgdMethodName,
  type NgdRunResult,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { parseOrThrow } from '../../validate.ts';
import { checkOutputFlags, choiceFlag, type Parsed } from '../kit/args.ts';
import { flagsOf, readFlags, usageOf } from '../kit/flags.ts';
import { compareSchema, defaultNgdCompare, defaultNgdLab, sweepSchema, unitFisherSchema } from './state.ts';
import { defaultsOf } from '../../contract.ts';

const METHODS = NGD_METHODS.join('|');
export const NGD_USAGE = `  ngd run --method ${METHODS}
          ${usageOf(NGD_NETWORK_FIELDS, 10)}
          ${usageOf(NGD_TRAIN_FIELDS, 10)} [--out F.kairo]
          (without --lr each method runs at its best η = 1/α)
  ngd compare ${usageOf(NGD_COMPARE_FIELDS, 14)} (the run flags)
  ngd sweep ${usageOf({ methods: NGD_COMPARE_FIELDS.methods }, 12)} ${usageOf(NGD_SWEEP_FIELDS, 28)} (the run flags)
  ngd unit-fisher ${usageOf(UNIT_FISHER_FIELDS, 18)}`;

const VALUED = new Set([
  ...flagsOf(NGD_NETWORK_FIELDS).valued,
  ...flagsOf(NGD_TRAIN_FIELDS).valued,
  ...flagsOf(NGD_SWEEP_FIELDS).valued,
  ...flagsOf(UNIT_FISHER_FIELDS).valued,
  ...flagsOf(NGD_COMPARE_FIELDS).valued,
  'method',
  'out',
]);
const SWITCHES = new Set(flagsOf(NGD_NETWORK_FIELDS).switches);
/** What `kairo sweep` may vary. */
export const NGD_FLAGS = { subcommands: ['run', 'compare', 'sweep', 'unit-fisher'], valued: VALUED, switches: SWITCHES } as const;

/** The methods (every one without --methods) from the compare fields: the form's checkboxes read the same. */
const methodsFlag = (p: Parsed): NgdMethodName[] => [...readFlags(p, NGD_COMPARE_FIELDS, defaultNgdCompare()).methods];

function compareParams(p: Parsed, methods: NgdMethodName[], at: NgdCompareParams['at']): NgdCompareParams {
  const d = defaultNgdCompare();
  return parseOrThrow(
    compareSchema,
    {
      ...readFlags(p, NGD_TRAIN_FIELDS, d),
      network: { ...readFlags(p, NGD_NETWORK_FIELDS, d.network), source: d.network.source },
      methods,
      at,
    },
    'ngd',
  );
}

const runJson = (r: NgdRunResult) => ({
  method: r.method,
  eta: r.eta,
  losses: r.losses,
  test_losses: r.testLosses,
  diverged: r.diverged,
  error: r.error,
  theory: { alpha: r.theory.alpha, note: r.theory.note, losses: r.theory.losses, test_losses: r.theory.testLosses },
});

export async function ngdCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  checkOutputFlags(p, ['out']);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  const core = ctx;
  {
    switch (sub) {
      case 'run': {
        if (!p.flags.has('method')) throw invalid(`ngd run needs --method ${METHODS}`);
        const method = choiceFlag(p, 'method', 'exact', NGD_METHODS);
        await ctx.runJob('ngd.compare', compareParams(p, [method], p.flags.has('lr') ? 'common' : 'best'));
        const c = core.session.labs.ngd.compare!;
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
          theory: { alpha: r.theory.alpha, note: r.theory.note, losses: r.theory.losses, test_losses: r.theory.testLosses },
          ...(typeof file === 'string' ? { session: core.session.view().path } : {}),
        });
        return 0;
      }
      case 'compare': {
        const { at } = readFlags(p, NGD_COMPARE_FIELDS, defaultNgdCompare());
        await ctx.runJob('ngd.compare', compareParams(p, methodsFlag(p), at));
        const c = core.session.labs.ngd.compare!;
        const file = p.flags.get('out');
        if (typeof file === 'string') await ctx.save(file);
        out({
          parameters: c.parameters,
          lambda_max: c.lambdaMax,
          lambda_min: c.lambdaMin,
          runs: c.runs.map((r) => ({ ...runJson(r), at: r.at, spectrum: r.spectrum, seconds_per_step: r.secondsPerStep })),
        });
        return 0;
      }
      case 'sweep': {
        const base = compareParams(p, methodsFlag(p), 'best');
        const d = defaultNgdLab().sweepDraft;
        const params = parseOrThrow(
          sweepSchema,
          {
            ...readFlags(p, NGD_SWEEP_FIELDS, d),
            damping: base.damping,
            steps: base.steps,
            network: base.network,
            methods: base.methods,
          },
          'ngd sweep',
        );
        await ctx.runJob('ngd.sweep', params);
        const s = core.session.labs.ngd.sweep!;
        out({
          axis: s.params.axis,
          points: s.points.map((q) => ({
            value: q.value,
            method: q.method,
            eta: q.eta,
            alpha: q.alpha,
            gap: q.gap,
            final_loss: q.losses.at(-1),
            theory_final_loss: q.theoryLosses.at(-1),
            diverged: q.diverged,
          })),
        });
        return 0;
      }
      case 'unit-fisher': {
        const params = parseOrThrow(
          unitFisherSchema,
          readFlags(p, UNIT_FISHER_FIELDS, defaultsOf(UNIT_FISHER_FIELDS)),
          'ngd unit-fisher',
        );
        await ctx.runJob('ngd.unitFisher', params);
        const u = core.session.labs.ngd.unit!;
        out({
          closed_form: u.closedForm,
          monte_carlo: u.monteCarlo,
          moments: { a11: u.moments.a11, az1: u.moments.az1, azz: u.moments.azz },
          inverse_error: u.inverseError,
        });
        return 0;
      }
      default:
        throw invalid(`unknown ngd command ${JSON.stringify(sub ?? '')}; try run, compare, sweep or unit-fisher`);
    }
  }
}

export const command: LabCommand = { usage: NGD_USAGE, ...NGD_FLAGS, run: ngdCli };
