// `kairo fisher …`: the Fisher/NTK lab without a window; the same jobs as the UI.
import type { LabCommand } from '../lab.ts';
import type { FisherNetworkParams, FisherTheoryValues } from '../../contract.ts';
import { Core } from '../../core.ts';
import { invalid } from '../../errors.ts';
import { theoryFor } from './jobs.ts';
import { defaultFisherLab, defaultNetwork, networkSchema } from './state.ts';
import { parseOrThrow } from '../../validate.ts';
import { choiceFlag, listFlag, numFlag, parseArgs, type Parsed } from '../../cli/args.ts';
import { runJob } from '../../cli/run-job.ts';

export const FISHER_USAGE = `  fisher spectrum --activation relu|tanh|erf|linear --depth L --width M --input-dim M0 --outputs C
                  --samples T --sigma-w2 S --sigma-b2 S --weights gaussian|orthogonal
                  --norm none|bn-last|bn-hidden|ln --loss mse|ce --seed N [--eigenvalues] [--inputs gaussian|images]
  fisher theory   (the same flags; instant, any width)
  fisher lr-sweep (the same flags) --factors 0.5,0.9,1.1,2 --steps N
  fisher sweep    (the same flags) --axis width|depth|samples|outputs --values 32,64,128 --seeds K
  fisher isometry --activation A --width M --depths 2,4,8,16 [--sigma-w2 S --sigma-b2 S --seed N]`;

const VALUED = new Set([
  'activation',
  'depth',
  'width',
  'input-dim',
  'outputs',
  'samples',
  'sigma-w2',
  'sigma-b2',
  'weights',
  'norm',
  'loss',
  'seed',
  'inputs',
  'factors',
  'steps',
  'axis',
  'values',
  'seeds',
  'depths',
]);
const SWITCHES = new Set(['eigenvalues']);
/** What `kairo sweep` may vary (core/cli/commands.ts). */
export const FISHER_FLAGS = {
  subcommands: ['spectrum', 'theory', 'lr-sweep', 'sweep', 'isometry'],
  valued: VALUED,
  switches: SWITCHES,
} as const;

function network(p: Parsed): FisherNetworkParams {
  const d = defaultNetwork();
  return parseOrThrow(
    networkSchema,
    {
      activation: choiceFlag(p, 'activation', d.activation, ['relu', 'tanh', 'erf', 'linear'] as const),
      depth: numFlag(p, 'depth', d.depth),
      width: numFlag(p, 'width', d.width),
      inputDim: numFlag(p, 'input-dim', d.inputDim),
      outputs: numFlag(p, 'outputs', d.outputs),
      samples: numFlag(p, 'samples', d.samples),
      sigmaW2: numFlag(p, 'sigma-w2', d.sigmaW2),
      sigmaB2: numFlag(p, 'sigma-b2', d.sigmaB2),
      weights: choiceFlag(p, 'weights', d.weights, ['gaussian', 'orthogonal'] as const),
      norm: choiceFlag(p, 'norm', d.norm, ['none', 'bn-last', 'bn-hidden', 'ln'] as const),
      loss: choiceFlag(p, 'loss', d.loss, ['mse', 'ce'] as const),
      inputs: choiceFlag(p, 'inputs', d.inputs, ['gaussian', 'images'] as const),
      source: d.source,
      seed: numFlag(p, 'seed', d.seed),
    },
    'network',
  );
}

const theoryJson = (t: FisherTheoryValues | null) =>
  t && {
    kappa1: t.kappa1,
    kappa2: t.kappa2,
    m_lambda: t.m_lambda,
    s_lambda: t.s_lambda,
    lambda_max: t.lambda_max,
    bulk: t.bulk,
    ...(t.note ? { note: t.note } : {}),
  };
/** `fisher theory` also lists the per-layer order parameters behind the prediction. */
const orderJson = (t: FisherTheoryValues) =>
  t.layers.map((l, i) => ({ layer: i, q1: l.q1, q2: l.q2, q_hat1: l.qh1, q_hat2: l.qh2, q_tilde1: l.qt1, q_tilde2: l.qt2 }));

export async function fisherCli(argv: string[], out: (v: unknown) => void): Promise<number> {
  const p = parseArgs(argv, VALUED, SWITCHES);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (sub === 'theory') {
    const t = theoryFor(network(p));
    if (!t) process.stderr.write('kairo: mean-field theory makes no prediction for batch norm in hidden layers\n');
    out(t ? { ...theoryJson(t), order_parameters: orderJson(t) } : null);
    return 0;
  }
  const core = new Core({ platform: { carrier: 'web' } });
  try {
    switch (sub) {
      case 'spectrum': {
        await runJob(core, 'fisher.spectrum', { network: network(p), compare: false });
        const r = core.session.labs.fisher.spectrum!;
        const ev = core.session.tensor(r.tensors.eigenvalues)!.data;
        out({
          P: r.stats.P,
          m_lambda: r.stats.m_lambda,
          s_lambda: r.stats.s_lambda,
          lambda_max: r.stats.lambda_max,
          theory: theoryJson(r.theory),
          method: r.method,
          ...(p.flags.has('eigenvalues') ? { eigenvalues: Array.from(ev) } : {}),
        });
        return 0;
      }
      case 'lr-sweep': {
        const d = defaultFisherLab().lrDraft;
        await runJob(core, 'fisher.lrsweep', {
          network: network(p),
          factors: listFlag(p, 'factors', d.factors),
          steps: numFlag(p, 'steps', d.steps),
        });
        const r = core.session.labs.fisher.lr!;
        out({
          lambda_max: r.lambdaMax,
          curves: r.curves.map((c) => ({ factor: c.factor, eta: c.eta, losses: c.losses, diverged: c.diverged })),
        });
        return 0;
      }
      case 'sweep': {
        const d = defaultFisherLab().sweepDraft;
        await runJob(core, 'fisher.sweep', {
          network: network(p),
          axis: choiceFlag(p, 'axis', d.axis, ['width', 'depth', 'samples', 'outputs'] as const),
          values: listFlag(p, 'values', d.values),
          seeds: numFlag(p, 'seeds', d.seeds),
        });
        const r = core.session.labs.fisher.sweep!;
        out({
          axis: r.params.axis,
          points: r.points.map((q) => ({
            value: q.value,
            P: q.mean.P,
            mean: { m_lambda: q.mean.m_lambda, s_lambda: q.mean.s_lambda, lambda_max: q.mean.lambda_max },
            sd: q.sd,
            theory: theoryJson(q.theory),
          })),
        });
        return 0;
      }
      case 'isometry': {
        const d = defaultFisherLab().isometryDraft;
        await runJob(core, 'fisher.isometry', {
          activation: choiceFlag(p, 'activation', d.activation, ['relu', 'tanh', 'erf', 'linear'] as const),
          width: numFlag(p, 'width', d.width),
          depths: listFlag(p, 'depths', d.depths),
          sigmaW2: numFlag(p, 'sigma-w2', d.sigmaW2),
          sigmaB2: numFlag(p, 'sigma-b2', d.sigmaB2),
          seed: numFlag(p, 'seed', d.seed),
        });
        const r = core.session.labs.fisher.isometry!;
        out({
          runs: r.runs.map((q) => {
            const mean = q.eigenvalues.reduce((a, b) => a + b, 0) / q.eigenvalues.length;
            return {
              depth: q.depth,
              weights: q.weights,
              lambda_max: Math.max(...q.eigenvalues),
              lambda_min: Math.min(...q.eigenvalues),
              mean,
            };
          }),
        });
        return 0;
      }
      default:
        throw invalid(`unknown fisher command ${JSON.stringify(sub ?? '')}; try spectrum, theory, lr-sweep, sweep or isometry`);
    }
  } finally {
    await core.shutdown();
  }
}

export const command: LabCommand = { usage: FISHER_USAGE, ...FISHER_FLAGS, run: fisherCli };
