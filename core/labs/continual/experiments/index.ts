// The continual-learning lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { chain } from './chain.ts';
import { compare } from './compare.ts';
import { network } from './network.ts';
import { sweep } from './sweep.ts';

/** In the order the CLI lists their subcommands. */
export const CONTINUAL_EXPERIMENTS = [chain, network, sweep, compare] as const;
