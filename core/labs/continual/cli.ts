// `kairo continual …`: the continual-learning lab without a window; the same jobs as the UI.
import {
  CL_CHAIN_FIELDS,
  CL_COMPARE_FIELDS,
  CL_CORRECTION_FIELDS,
  CL_MODEL_FIELDS,
  CL_NETWORK_FIELDS,
  CL_SWEEP_FIELDS,
} from '../../contract.ts';
import { commandOf, type LabCommand } from '../kit/cli.ts';
import { flagsOf, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { CONTINUAL_EXPERIMENTS } from './experiments/index.ts';

export const CONTINUAL_USAGE = `  continual kernel ${usageOf(CL_MODEL_FIELDS, 19)}
                   --n1 N1 --n2 N2 --similarity ρ  (or --sizes N1,N2,… for a chain) [--out F.kairo]
                   [--correction none|replay|anchor|balanced] [--replay R] [--anchor-weight λa] [--step c|auto]
                   (continual network also --correction ewc [--ewc-weight λe] [--fisher exact|diagonal|kfac|unit-wise])
  continual network (the kernel flags) ${usageOf(CL_NETWORK_FIELDS, 37)}
  continual sweep (the model flags) ${usageOf(CL_SWEEP_FIELDS, 34)}
                   [the correction flags, for the ratio and similarity axes] [--out F.kairo]
  continual compare (the model flags) ${usageOf(CL_COMPARE_FIELDS, 36)} [--out F.kairo]`;

const VALUED = new Set([
  ...flagsOf(CL_MODEL_FIELDS).valued,
  ...flagsOf(CL_CHAIN_FIELDS).valued,
  ...flagsOf(CL_SWEEP_FIELDS).valued,
  ...flagsOf(CL_NETWORK_FIELDS).valued,
  ...flagsOf(CL_CORRECTION_FIELDS).valued,
  ...flagsOf(CL_COMPARE_FIELDS).valued,
  'out',
]);
export const command: LabCommand = commandOf({
  name: 'continual',
  usage: CONTINUAL_USAGE,
  valued: VALUED,
  outputs: ['out'],
  subs: subcommandsOf(CONTINUAL_EXPERIMENTS),
});
