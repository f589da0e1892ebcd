// The Hopfield lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { capacity } from './capacity.ts';
import { train } from './train.ts';

/** In the order the CLI lists their subcommands. */
export const HOPFIELD_EXPERIMENTS = [train, capacity] as const;
