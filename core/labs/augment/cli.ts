// `kairo augment …`: the augmentation lab without a window; the same job as the UI.
import { AUGMENT_FIELDS } from '../../contract.ts';
import { commandOf, type LabCommand } from '../kit/cli.ts';
import { IDX_FLAGS, idxUsage } from '../kit/data-source.ts';
import { flagsOf, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { compare } from './experiments/compare.ts';

export const AUGMENT_USAGE = `  augment run ${usageOf(AUGMENT_FIELDS, 14)}
              ${idxUsage(14)} [--out F.kairo]
              (one policy at one size; prints test_accuracy {mean, sd}, curves, augmented_fraction per epoch)
  augment compare (the same flags; several policies and sizes: one entry per policy and size)`;

const VALUED = new Set([...flagsOf(AUGMENT_FIELDS).valued, ...IDX_FLAGS, 'out']);

export const command: LabCommand = commandOf({
  name: 'augment',
  usage: AUGMENT_USAGE,
  valued: VALUED,
  outputs: ['out'],
  subs: subcommandsOf([compare]),
});
