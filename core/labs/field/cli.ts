// `kairo field …`: the random-neural-field lab without a window; the same code as the UI.
import type { LabCommand } from '../lab.ts';
import { mulberry32 } from '../../../models/common/rng.ts';
import { noiseField, noiseStats, type FieldSpec } from '../../../models/field/init.ts';
import { FIELD_KINDS, type FieldTrainParams } from '../../contract.ts';
import { Core } from '../../core.ts';
import { invalid } from '../../errors.ts';
import { defaultFieldLab, defaultFieldTrain, trainSchema } from './state.ts';
import { parseOrThrow } from '../../validate.ts';
import { choiceFlag, listFlag, numFlag, parseArgs, type Parsed, checkOutputFlags } from '../../cli/args.ts';
import { runJob } from '../../cli/run-job.ts';

export const FIELD_USAGE = `  field init-stats --kind gaussian|mexican|matern --r-sigma R --s-sigma S --inputs N_in --neurons N_out --seed N
                   [--m-sigma M] [--dims 1|2]
  field train [--kind vanilla|gaussian|mexican|matern] [--dims 1|2] [--r-sigma R --s-sigma S --m-sigma M]
              [--maxpool] [--width M] [--train-size N] [--test-size N] [--steps K] [--lr-factor c] [--seed S] [--out F.kairo]
  field robustness (the train flags) [--seeds K] [--noise 0,0.1,…] [--shift 0,1,2] [--elastic 0,1,2] [--fgsm 0,0.01,…]`;

const VALUED = new Set([
  'kind',
  'r-sigma',
  's-sigma',
  'm-sigma',
  'inputs',
  'neurons',
  'seed',
  'dims',
  'width',
  'train-size',
  'test-size',
  'steps',
  'lr-factor',
  'sigma-w',
  'sigma-b',
  'out',
  'seeds',
  'noise',
  'shift',
  'elastic',
  'fgsm',
]);
const SWITCHES = new Set(['maxpool']);
/** What `kairo sweep` may vary (core/cli/commands.ts). */
export const FIELD_FLAGS = { subcommands: ['init-stats', 'train', 'robustness'], valued: VALUED, switches: SWITCHES } as const;

/** Lags of `field init-stats`, in input units (pixels). */
export const INIT_STATS_LAGS = [0, 5, 10, 20, 40, 60, 100];

function trainParams(p: Parsed): FieldTrainParams {
  const d = defaultFieldTrain();
  const dims = numFlag(p, 'dims', d.dims);
  return parseOrThrow(
    trainSchema,
    {
      ...d,
      kind: choiceFlag(p, 'kind', d.kind, FIELD_KINDS),
      dims,
      rSigma: numFlag(p, 'r-sigma', d.rSigma),
      sSigma: numFlag(p, 's-sigma', d.sSigma),
      mSigma: numFlag(p, 'm-sigma', d.mSigma),
      maxpool: p.flags.has('maxpool'),
      width: numFlag(p, 'width', d.width),
      trainSize: numFlag(p, 'train-size', d.trainSize),
      testSize: numFlag(p, 'test-size', d.testSize),
      steps: numFlag(p, 'steps', d.steps),
      lrFactor: numFlag(p, 'lr-factor', d.lrFactor),
      sigmaW: numFlag(p, 'sigma-w', d.sigmaW),
      sigmaB: numFlag(p, 'sigma-b', d.sigmaB),
      seed: numFlag(p, 'seed', d.seed),
    },
    'field',
  );
}

export async function fieldCli(argv: string[], out: (v: unknown) => void): Promise<number> {
  const p = parseArgs(argv, VALUED, SWITCHES);
  checkOutputFlags(p, ['out', 'machine-out']);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (sub === 'init-stats') {
    // The noise statistics are those of a structured field: every kind but the plain Gaussian.
    const kind = choiceFlag(
      p,
      'kind',
      'gaussian',
      FIELD_KINDS.filter((k) => k !== 'vanilla') as Exclude<(typeof FIELD_KINDS)[number], 'vanilla'>[],
    );
    const inputs = numFlag(p, 'inputs', 784);
    const neurons = numFlag(p, 'neurons', 1000);
    const dims = numFlag(p, 'dims', 1);
    if (!Number.isInteger(inputs) || inputs < 2 || inputs > 4096)
      throw invalid(`--inputs must be an integer in 2..4096, got ${inputs}`);
    if (!Number.isInteger(neurons) || neurons < 2 || neurons > 100000)
      throw invalid(`--neurons must be an integer in 2..100000, got ${neurons}`);
    if (dims !== 1 && dims !== 2) throw invalid(`--dims must be 1 or 2, got ${dims}`);
    const side = Math.round(Math.sqrt(inputs));
    if (dims === 2 && side * side !== inputs) throw invalid(`--dims 2 needs a square number of inputs, got ${inputs}`);
    const lengths = ['r-sigma', 's-sigma', 'm-sigma'].map((k) => numFlag(p, k, 0.1));
    for (const [k, v] of [
      ['r-sigma', lengths[0]!],
      ['s-sigma', lengths[1]!],
      ['m-sigma', lengths[2]!],
    ] as const)
      if (!(v > 0)) throw invalid(`--${k} must be positive, got ${v}`);
    const spec: FieldSpec = {
      kind,
      dims: dims as 1 | 2,
      rSigma: lengths[0]!,
      sSigma: lengths[1]!,
      mSigma: lengths[2]!,
      inputShape: dims === 2 ? [side, side] : [1, inputs],
      neurons,
    };
    const s = noiseStats(
      spec,
      noiseField(spec, mulberry32(numFlag(p, 'seed', 1))),
      INIT_STATS_LAGS.filter((l) => l < (dims === 2 ? side : inputs)),
    );
    out({ variance_center: s.varianceCenter, variance_edge: s.varianceEdge, correlation: s.correlation });
    return 0;
  }
  const core = new Core({ platform: { carrier: 'web' } });
  try {
    switch (sub) {
      case 'train': {
        await runJob(core, 'field.train', trainParams(p));
        const r = core.session.labs.field.result!;
        const file = p.flags.get('out');
        if (typeof file === 'string') await core.call('session.save', { path: file });
        out({
          lambda_max: r.lambdaMax,
          eta: r.eta,
          kernel: r.kernel,
          train_loss: r.trainLoss,
          ntk_loss: r.ntkLoss,
          laziness: r.laziness,
          function_gap: r.functionGap,
          train_accuracy: r.trainAccuracy,
          test_accuracy: r.testAccuracy,
          ...(typeof file === 'string' ? { session: core.session.view().path } : {}),
        });
        return 0;
      }
      case 'robustness': {
        const d = defaultFieldLab().robustnessDraft;
        await runJob(core, 'field.robustness', {
          train: trainParams(p),
          seeds: numFlag(p, 'seeds', d.seeds),
          noise: listFlag(p, 'noise', d.noise),
          shift: listFlag(p, 'shift', d.shift),
          elastic: listFlag(p, 'elastic', d.elastic),
          fgsm: listFlag(p, 'fgsm', d.fgsm),
        });
        const r = core.session.labs.field.robustness!;
        out({
          curves: r.curves.map((c) => ({
            model: c.model,
            perturbation: c.perturbation,
            levels: c.levels,
            accuracy_mean: c.mean,
            accuracy_sd: c.sd,
          })),
        });
        return 0;
      }
      default:
        throw invalid(`unknown field command ${JSON.stringify(sub ?? '')}; try init-stats, train or robustness`);
    }
  } finally {
    await core.shutdown();
  }
}

export const command: LabCommand = { usage: FIELD_USAGE, ...FIELD_FLAGS, run: fieldCli };
