// `kairo continual …`: the continual-learning lab without a window; the same jobs as the UI.
import type { CliContext, LabCommand } from '../lab.ts';
import {
  CL_CHAIN_FIELDS,
  CL_MODEL_FIELDS,
  CL_NETWORK_FIELDS,
  CL_SWEEP_FIELDS,
  defaultsOf,
  type ClChainParams,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { parseOrThrow } from '../../validate.ts';
import { checkOutputFlags, numFlag, type Parsed } from '../kit/args.ts';
import { flagsOf, readFlags, usageOf } from '../kit/flags.ts';
import { chainSchema, networkSchema, sweepSchema } from './state.ts';

export const CONTINUAL_USAGE = `  continual kernel ${usageOf(CL_MODEL_FIELDS, 19)}
                   --n1 N1 --n2 N2 --similarity ρ  (or --sizes N1,N2,… for a chain) [--out F.kairo]
  continual network (the kernel flags) ${usageOf(CL_NETWORK_FIELDS, 37)}
  continual sweep (the model flags) ${usageOf(CL_SWEEP_FIELDS, 34)}`;

const VALUED = new Set([
  ...flagsOf(CL_MODEL_FIELDS).valued,
  ...flagsOf(CL_CHAIN_FIELDS).valued,
  ...flagsOf(CL_SWEEP_FIELDS).valued,
  ...flagsOf(CL_NETWORK_FIELDS).valued,
  'out',
]);
/** What `kairo sweep` may vary. */
export const CONTINUAL_FLAGS = {
  subcommands: ['kernel', 'network', 'sweep'],
  valued: VALUED,
  switches: new Set<string>(),
} as const;

/** The chain: --sizes, or the two stages --n1 and --n2 the scripts use. */
function chainParams(p: Parsed): ClChainParams {
  const model = readFlags(p, CL_MODEL_FIELDS, defaultsOf(CL_MODEL_FIELDS));
  const chain = readFlags(p, CL_CHAIN_FIELDS, defaultsOf(CL_CHAIN_FIELDS));
  if (p.flags.has('sizes') && (p.flags.has('n1') || p.flags.has('n2'))) throw invalid('give --sizes or --n1/--n2, not both');
  if (!p.flags.has('sizes')) chain.sizes = [numFlag(p, 'n1', chain.sizes[0]!), numFlag(p, 'n2', chain.sizes[1]!)];
  return { ...model, ...chain };
}

/** Errors after each stage in the scripts' names: error_task1, error_task2, … */
const stagesJson = (errors: number[][]) =>
  errors[0]!.map((_, m) => ({
    stage: m + 1,
    ...Object.fromEntries(errors.map((row, t) => [`error_task${t + 1}`, row[m]])),
  }));

export async function continualCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  checkOutputFlags(p, ['out']);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  const core = ctx;
  {
    switch (sub) {
      case 'kernel': {
        await ctx.runJob('continual.chain', parseOrThrow(chainSchema, chainParams(p), 'continual'));
        const r = core.session.labs.continual.chain!;
        const file = p.flags.get('out');
        if (typeof file === 'string') await ctx.save(file);
        out({
          stages: stagesJson(r.mean),
          E1: r.mean[0]![0],
          E2: r.mean[0]![1] ?? null,
          sd: stagesJson(r.sd),
          draws: r.draws,
          theory: { E1: r.theory[0]![0], E2: r.theory[0]![1] ?? null, stages: stagesJson(r.theory) },
        });
        return 0;
      }
      case 'network': {
        const params = parseOrThrow(
          networkSchema,
          { ...chainParams(p), ...readFlags(p, CL_NETWORK_FIELDS, defaultsOf(CL_NETWORK_FIELDS)) },
          'continual',
        );
        await ctx.runJob('continual.network', params);
        const r = core.session.labs.continual.network!;
        out({
          stages: stagesJson(r.measured),
          E1: r.measured[0]![0],
          E2: r.measured[0]![1] ?? null,
          // The linearised network (its empirical NTK at initialisation) run through the same protocol.
          theory: { E1: r.predicted[0]![0], E2: r.predicted[0]![1] ?? null, stages: stagesJson(r.predicted) },
          kernel_change: r.kernelChange,
        });
        return 0;
      }
      case 'sweep': {
        const params = parseOrThrow(
          sweepSchema,
          {
            ...readFlags(p, CL_MODEL_FIELDS, defaultsOf(CL_MODEL_FIELDS)),
            ...readFlags(p, CL_SWEEP_FIELDS, defaultsOf(CL_SWEEP_FIELDS)),
          },
          'continual sweep',
        );
        await ctx.runJob('continual.sweep', params);
        const s = core.session.labs.continual.sweep!;
        out({
          axis: s.params.axis,
          points: s.points.map((q) => ({
            value: q.value,
            n2: q.n2,
            rho: q.rho,
            E11: q.mean.e11,
            E12: q.mean.e12,
            E22: q.mean.e22,
            E2_alone: q.mean.e2alone,
            theory: { E11: q.theory.e11, E12: q.theory.e12, E22: q.theory.e22, E2_alone: q.theory.e2alone },
          })),
          ...(s.critical ? { critical_forward: s.critical.forward, critical_backward: s.critical.backward } : {}),
        });
        return 0;
      }
      default:
        throw invalid(`unknown continual command ${JSON.stringify(sub ?? '')}; try kernel, network or sweep`);
    }
  }
}

export const command: LabCommand = { usage: CONTINUAL_USAGE, ...CONTINUAL_FLAGS, run: continualCli };
