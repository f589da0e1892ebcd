// `kairo ngd …`: the natural-gradient lab without a window; the same jobs as the UI.
import {
  NGD_COMPARE_FIELDS,
  NGD_NETWORK_FIELDS,
  NGD_SWEEP_FIELDS,
  NGD_TRAIN_FIELDS,
  UNIT_FISHER_FIELDS,
} from '../../contract.ts';
import { commandOf, type LabCommand } from '../kit/cli.ts';
import { flagsOf, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { METHODS } from './experiments/common.ts';
import { NGD_EXPERIMENTS } from './experiments/index.ts';

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

export const command: LabCommand = commandOf({
  name: 'ngd',
  usage: NGD_USAGE,
  valued: VALUED,
  switches: SWITCHES,
  outputs: ['out'],
  subs: subcommandsOf(NGD_EXPERIMENTS),
});
