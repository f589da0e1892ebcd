// `kairo fisher …`: the Fisher/NTK lab without a window; the same jobs as the UI.
import {
  FISHER_ISOMETRY_FIELDS,
  FISHER_LR_FIELDS,
  FISHER_NETWORK_FIELDS,
  FISHER_SIGNAL_FIELDS,
  FISHER_SWEEP_FIELDS,
  type FisherTheoryValues,
} from '../../contract.ts';
import { commandOf, type LabCommand, type SubCommand } from '../kit/cli.ts';
import { flagNames, flagsOf, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { network, theoryJson } from './experiments/common.ts';
import { theoryFor } from './jobs/network.ts';
import { FISHER_EXPERIMENTS } from './experiments/index.ts';

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

/** `fisher theory` also lists the per-layer order parameters behind the prediction. */
const orderJson = (t: FisherTheoryValues) =>
  t.layers.map((l, i) => ({ layer: i, q1: l.q1, q2: l.q2, q_hat1: l.qh1, q_hat2: l.qh2, q_tilde1: l.qt1, q_tilde2: l.qt2 }));

/** `fisher theory`: the mean-field prediction alone, instantly, at any width (no job). */
const theory: SubCommand = {
  sub: 'theory',
  flags: flagNames(FISHER_NETWORK_FIELDS),
  run: async (p, out) => {
    const t = theoryFor(network(p));
    if (!t) process.stderr.write('kairo: mean-field theory makes no prediction for batch norm in hidden layers\n');
    out(t ? { ...theoryJson(t), order_parameters: orderJson(t) } : null);
    return 0;
  },
};

const [spectrum, ...rest] = subcommandsOf(FISHER_EXPERIMENTS);
export const command: LabCommand = commandOf({
  name: 'fisher',
  usage: FISHER_USAGE,
  valued: VALUED,
  switches: SWITCHES,
  subs: [spectrum!, theory, ...rest],
});
