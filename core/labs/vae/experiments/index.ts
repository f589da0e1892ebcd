// The VAE lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { recall } from './recall.ts';
import { sweep } from './sweep.ts';
import { train } from './train.ts';

/** In the order the CLI lists their subcommands. */
export const VAE_EXPERIMENTS = [train, recall, sweep] as const;
