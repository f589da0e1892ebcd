// `kairo curvature …`: the curvature lab without a window; the same jobs as the UI. Without a
// subcommand it measures one network's spectrum; `track` follows λ_max during training.
import {
  CURVATURE_FIELDS,
  CURVATURE_IMPORT_FIELDS,
  CURVATURE_SESSION_FIELDS,
  CURVATURE_TRACK_FIELDS,
  FISHER_NETWORK_FIELDS,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { checkOutputFlags } from '../kit/args.ts';
import { refuseStrayFlags, type LabCommand, type SubCommand } from '../kit/cli.ts';
import { IDX_FLAGS, idxUsage } from '../kit/data-source.ts';
import { flagsOf, usageOf } from '../kit/flags.ts';
import { spectrumCli } from './experiments/spectrum-cli.ts';
import { track } from './experiments/track.ts';

const { matrix, top, lanczosSteps, trace, density, probes } = CURVATURE_FIELDS;
export const CURVATURE_USAGE = `  curvature [spectrum] --network fresh (and every fisher spectrum flag: same flags and seed, same network)
            ${usageOf({ matrix, top, lanczosSteps }, 12)}
            ${usageOf({ trace, density, probes }, 12)}
  curvature --import F.safetensors --layers F.json ${usageOf(CURVATURE_IMPORT_FIELDS, 50)}
            ${idxUsage(12)}
            (the same analysis flags; a PyTorch nn.Sequential's state_dict and its layers in order)
  curvature --session F.kairo [--run ID] ${usageOf(CURVATURE_SESSION_FIELDS, 39)}
            (the same analysis flags; the model a lab trained in that session, with its own loss;
            --run: the model that run kept, as kairo runs list shows)
  curvature track ${usageOf(CURVATURE_TRACK_FIELDS, 18)}
                  (the fisher spectrum flags; default a tanh MLP 784-64-64-10, MSE, 500 images)`;

const VALUED = new Set([
  ...flagsOf(FISHER_NETWORK_FIELDS).valued,
  ...flagsOf(CURVATURE_FIELDS).valued,
  ...flagsOf(CURVATURE_IMPORT_FIELDS).valued,
  ...flagsOf(CURVATURE_SESSION_FIELDS).valued,
  ...flagsOf(CURVATURE_TRACK_FIELDS).valued,
  ...IDX_FLAGS,
  'network',
  'import',
  'layers',
  'session',
  'model',
  'run',
]);
const SWITCHES = new Set([...flagsOf(CURVATURE_FIELDS).switches, ...flagsOf(CURVATURE_TRACK_FIELDS).switches]);

const FLAGS = new Map<string, ReadonlySet<string>>([
  ['spectrum', new Set(spectrumCli.flags)],
  ['track', new Set((track.cli as SubCommand).flags)],
]);

export const command: LabCommand = {
  usage: CURVATURE_USAGE,
  // `spectrum` is also the default, so `kairo sweep` (which names a subcommand) can run it.
  subcommands: ['spectrum', 'track'],
  valued: VALUED,
  switches: SWITCHES,
  flagsOf: (sub) => FLAGS.get(sub) ?? new Set(),
  run: (p, out, ctx) => {
    checkOutputFlags(p, []);
    const [sub, ...extra] = p.positional;
    if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
    if (sub === undefined || sub === 'spectrum') {
      refuseStrayFlags(p, 'curvature spectrum', FLAGS.get('spectrum')!);
      return spectrumCli.run(p, out, ctx);
    }
    if (sub === 'track') {
      refuseStrayFlags(p, 'curvature track', FLAGS.get('track')!);
      return (track.cli as SubCommand).run(p, out, ctx);
    }
    throw invalid(`unknown curvature command ${JSON.stringify(sub)}; try kairo curvature --network fresh …, --import … or track`);
  },
};
