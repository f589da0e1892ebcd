// `kairo fisher …`: the Fisher/NTK lab without a window; the same jobs as the UI.
import type { CliContext, LabCommand } from '../lab.ts';
import {
  FISHER_ISOMETRY_FIELDS,
  FISHER_LR_FIELDS,
  FISHER_NETWORK_FIELDS,
  FISHER_SIGNAL_FIELDS,
  FISHER_SWEEP_FIELDS,
  type FisherNetworkParams,
  type FisherTheoryValues,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { theoryFor } from './jobs.ts';
import { defaultFisherLab, defaultNetwork, networkSchema } from './state.ts';
import { parseOrThrow } from '../../validate.ts';
import { type Parsed } from '../kit/args.ts';
import { flagsOf, readFlags, usageOf } from '../kit/flags.ts';

const EIGENVALUES = {
  kind: 'switch',
  label: 'Eigenvalues',
  flag: 'eigenvalues',
  default: false,
  doc: 'print every eigenvalue',
} as const;

export const FISHER_USAGE = `  fisher spectrum ${usageOf({ ...FISHER_NETWORK_FIELDS, eigenvalues: EIGENVALUES }, 18)}
  fisher theory   (the same flags; instant, any width)
  fisher lr-sweep (the same flags) ${usageOf(FISHER_LR_FIELDS)}
  fisher sweep    (the same flags) ${usageOf(FISHER_SWEEP_FIELDS)}
  fisher isometry ${usageOf(FISHER_ISOMETRY_FIELDS, 18)} [--spectrum]
  fisher input-metric (the spectrum flags; --norm none)
  fisher signal   ${usageOf(FISHER_SIGNAL_FIELDS, 18)}`;
const SPECS = [FISHER_NETWORK_FIELDS, FISHER_LR_FIELDS, FISHER_SWEEP_FIELDS, FISHER_ISOMETRY_FIELDS, FISHER_SIGNAL_FIELDS];
const VALUED = new Set(SPECS.flatMap((s) => flagsOf(s).valued));
const SWITCHES = new Set(['eigenvalues', 'spectrum']);
/** What `kairo sweep` may vary. */
export const FISHER_FLAGS = {
  subcommands: ['spectrum', 'theory', 'lr-sweep', 'sweep', 'isometry', 'input-metric', 'signal'],
  valued: VALUED,
  switches: SWITCHES,
} as const;

function network(p: Parsed): FisherNetworkParams {
  const d = defaultNetwork();
  return parseOrThrow(networkSchema, { ...readFlags(p, FISHER_NETWORK_FIELDS, d), source: d.source }, 'network');
}

const theoryJson = (t: FisherTheoryValues | null) =>
  t && {
    kappa1: t.kappa1,
    kappa2: t.kappa2,
    m_lambda: t.mLambda,
    s_lambda: t.sLambda,
    lambda_max: t.lambdaMax,
    bulk: t.bulk,
    ...(t.note ? { note: t.note } : {}),
  };
/** `fisher theory` also lists the per-layer order parameters behind the prediction. */
const orderJson = (t: FisherTheoryValues) =>
  t.layers.map((l, i) => ({ layer: i, q1: l.q1, q2: l.q2, q_hat1: l.qh1, q_hat2: l.qh2, q_tilde1: l.qt1, q_tilde2: l.qt2 }));

export async function fisherCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (sub === 'theory') {
    const t = theoryFor(network(p));
    if (!t) process.stderr.write('kairo: mean-field theory makes no prediction for batch norm in hidden layers\n');
    out(t ? { ...theoryJson(t), order_parameters: orderJson(t) } : null);
    return 0;
  }
  const core = ctx;
  {
    switch (sub) {
      case 'spectrum': {
        await ctx.runJob('fisher.spectrum', { network: network(p), compare: false });
        const r = core.session.labs.fisher.spectrum!;
        const ev = core.session.tensor(r.tensors.eigenvalues)!.data;
        out({
          P: r.stats.P,
          m_lambda: r.stats.mLambda,
          s_lambda: r.stats.sLambda,
          lambda_max: r.stats.lambdaMax,
          theory: theoryJson(r.theory),
          method: r.method,
          ...(p.flags.has('eigenvalues') ? { eigenvalues: Array.from(ev) } : {}),
        });
        return 0;
      }
      case 'lr-sweep': {
        await ctx.runJob('fisher.lrsweep', {
          network: network(p),
          ...readFlags(p, FISHER_LR_FIELDS, defaultFisherLab().lrDraft),
        });
        const r = core.session.labs.fisher.lr!;
        out({
          lambda_max: r.lambdaMax,
          curves: r.curves.map((c) => ({ factor: c.factor, eta: c.eta, losses: c.losses, diverged: c.diverged })),
        });
        return 0;
      }
      case 'sweep': {
        await ctx.runJob('fisher.sweep', {
          network: network(p),
          ...readFlags(p, FISHER_SWEEP_FIELDS, defaultFisherLab().sweepDraft),
        });
        const r = core.session.labs.fisher.sweep!;
        out({
          axis: r.params.axis,
          points: r.points.map((q) => ({
            value: q.value,
            P: q.mean.P,
            // The contract's camelCase becomes the CLI's snake_case here, at the edge.
            mean: { m_lambda: q.mean.mLambda, s_lambda: q.mean.sLambda, lambda_max: q.mean.lambdaMax },
            sd: { m_lambda: q.sd.mLambda, s_lambda: q.sd.sLambda, lambda_max: q.sd.lambdaMax },
            theory: theoryJson(q.theory),
          })),
        });
        return 0;
      }
      case 'isometry': {
        await ctx.runJob('fisher.isometry', readFlags(p, FISHER_ISOMETRY_FIELDS, defaultFisherLab().isometryDraft));
        const r = core.session.labs.fisher.isometry!;
        const moment = (ev: number[], k: number) => ev.reduce((a, b) => a + b ** k, 0) / ev.length;
        out({
          runs: r.runs.map((q) => ({
            depth: q.depth,
            weights: q.weights,
            lambda_max: Math.max(...q.eigenvalues),
            lambda_min: Math.min(...q.eigenvalues),
            mean: moment(q.eigenvalues, 1),
            theory: q.theory && { lambda_max: q.theory.lambdaMax, mean: q.theory.moments[0]! },
            ...(q.lr ? { lr: { eta: q.lr.eta, curves: q.lr.curves } } : {}),
            ...(p.flags.has('spectrum')
              ? { moments: { empirical: [1, 2, 3].map((k) => moment(q.eigenvalues, k)), theory: q.theory?.moments ?? null } }
              : {}),
          })),
        });
        return 0;
      }
      case 'input-metric': {
        await ctx.runJob('fisher.inputMetric', { network: network(p) });
        const r = core.session.labs.fisher.inputMetric!;
        out({
          m_lambda: r.stats.mLambda,
          s_lambda: r.stats.sLambda,
          lambda_max: r.stats.lambdaMax,
          theory: r.theory && {
            m_lambda: r.theory.mLambda,
            s_lambda: r.theory.sLambda,
            lambda_max: r.theory.lambdaMax,
            ...(r.theory.note ? { note: r.theory.note } : {}),
          },
          ...(p.flags.has('eigenvalues') ? { eigenvalues: r.eigenvalues } : {}),
        });
        return 0;
      }
      case 'signal': {
        await ctx.runJob('fisher.signal', readFlags(p, FISHER_SIGNAL_FIELDS, defaultFisherLab().signalDraft));
        const r = core.session.labs.fisher.signal!;
        out({
          layers: r.layers.map((x) => ({
            l: x.l,
            q: x.q,
            c: x.c,
            q_theory: x.qTheory,
            c_theory: x.cTheory,
            q_sd: x.qSd,
            c_sd: x.cSd,
          })),
          fixed_point: {
            q: r.fixedPoint.q,
            c: r.fixedPoint.c,
            chi1: r.fixedPoint.chi1,
            xi_q: r.fixedPoint.xiQ,
            xi_c: r.fixedPoint.xiC,
          },
        });
        return 0;
      }
      default:
        throw invalid(
          `unknown fisher command ${JSON.stringify(sub ?? '')}; try spectrum, theory, lr-sweep, sweep, isometry, input-metric or signal`,
        );
    }
  }
}

export const command: LabCommand = { usage: FISHER_USAGE, ...FISHER_FLAGS, run: fisherCli };
