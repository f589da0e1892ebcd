// The field lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { robustness } from './robustness.ts';
import { train } from './train.ts';

/** In the order the CLI lists their subcommands. */
export const FIELD_EXPERIMENTS = [train, robustness] as const;
