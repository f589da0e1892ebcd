// `kairo vae …`: the VAE lab without a window. The same jobs the UI starts, run to the end.
import { HIERARCHICAL_FIELDS, RECALL_FIELDS, VAE_SWEEP_FIELDS, VAE_TRAIN_FIELDS } from '../../contract.ts';
import { commandOf, type LabCommand } from '../kit/cli.ts';
import { IDX_FLAGS, idxUsage } from '../kit/data-source.ts';
import { flagsOf, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { HIERARCHICAL_FLAGS } from './experiments/common.ts';
import { VAE_EXPERIMENTS } from './experiments/index.ts';

export const VAE_USAGE = `  (defaults: the app's "MNIST setting" on images, its "Paper setting" with --data hierarchical)
  vae train ${usageOf(VAE_TRAIN_FIELDS, 12)}
            [--session F.kairo [--run ID]] [--out F.kairo] [--data mnist|hierarchical]
            ${idxUsage(12)}
            hierarchical data: [${usageOf(HIERARCHICAL_FIELDS, 32)}]
  vae recall --session F.kairo [--run ID] ${usageOf(RECALL_FIELDS, 13, ['strips'])} [--save]
             (one --noise level; --noise-kind defaults to bitflip on hierarchical data, gaussian on images;
             --save keeps the run and ${RECALL_FIELDS.strips.default} image strips in the session;
             --run ID: that run's model (kairo runs list), --session on train: the run joins that session)
  vae sweep ${usageOf(VAE_SWEEP_FIELDS, 12)}
            [--data … as for train]`;

const VALUED = new Set([
  ...flagsOf(VAE_TRAIN_FIELDS).valued,
  ...flagsOf(RECALL_FIELDS).valued,
  ...flagsOf(VAE_SWEEP_FIELDS).valued,
  ...HIERARCHICAL_FLAGS,
  'out',
  'session',
  'run',
  ...IDX_FLAGS,
  'data',
]);
const SWITCHES = new Set(['save', ...flagsOf(VAE_TRAIN_FIELDS).switches]);

export const command: LabCommand = commandOf({
  name: 'vae',
  usage: VAE_USAGE,
  valued: VALUED,
  switches: SWITCHES,
  outputs: ['out', 'machine-out'],
  subs: subcommandsOf(VAE_EXPERIMENTS),
});
