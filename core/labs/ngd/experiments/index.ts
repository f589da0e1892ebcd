// The NGD lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { compare } from './compare.ts';
import { sweep } from './sweep.ts';
import { unitFisher } from './unit-fisher.ts';

/** In the order the CLI lists their subcommands. */
export const NGD_EXPERIMENTS = [compare, sweep, unitFisher] as const;
