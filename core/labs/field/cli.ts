// `kairo field …`: the random-neural-field lab without a window; the same code as the UI.
import { mulberry32 } from '../../../models/common/rng.ts';
import { noiseField, noiseStats, type FieldSpec } from '../../../models/field/init.ts';
import { FIELD_KINDS, FIELD_ROBUSTNESS_FIELDS, FIELD_TRAIN_FIELDS } from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { choiceFlag, numFlag } from '../kit/args.ts';
import { commandOf, type LabCommand, type SubCommand } from '../kit/cli.ts';
import { flagsOf, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { FIELD_EXPERIMENTS } from './experiments/index.ts';

export const FIELD_USAGE = `  field init-stats --kind gaussian|mexican|matern --r-sigma R --s-sigma S --inputs N_in --neurons N_out --seed N
                   [--m-sigma M] [--dims 1|2]
  field train ${usageOf(FIELD_TRAIN_FIELDS, 14)}
              [--session F.kairo] [--out F.kairo]   (--session: the run joins that session, saved back unless --out)
  field robustness (the train flags) ${usageOf(FIELD_ROBUSTNESS_FIELDS, 37)}`;

// init-stats has two flags of its own; --out saves the trained session, --session adds the run to one.
const VALUED = new Set([
  ...flagsOf(FIELD_TRAIN_FIELDS).valued,
  ...flagsOf(FIELD_ROBUSTNESS_FIELDS).valued,
  'inputs',
  'neurons',
  'out',
  'session',
]);
const SWITCHES = new Set(flagsOf(FIELD_TRAIN_FIELDS).switches);

/** Lags of `field init-stats`, in input units (pixels). */
export const INIT_STATS_LAGS = [0, 5, 10, 20, 40, 60, 100];

/** `field init-stats`: the noise field's variance and correlation, computed here (no job). */
const initStats: SubCommand = {
  sub: 'init-stats',
  flags: ['kind', 'r-sigma', 's-sigma', 'm-sigma', 'inputs', 'neurons', 'dims', 'seed'],
  run: async (p, out) => {
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
  },
};

export const command: LabCommand = commandOf({
  name: 'field',
  usage: FIELD_USAGE,
  valued: VALUED,
  switches: SWITCHES,
  outputs: ['out', 'machine-out'],
  subs: [initStats, ...subcommandsOf(FIELD_EXPERIMENTS)],
});
