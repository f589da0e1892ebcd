// The Fisher lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { blocks } from './blocks.ts';
import { inputMetric } from './input-metric.ts';
import { isometry } from './isometry.ts';
import { lrSweep } from './lr-sweep.ts';
import { signal } from './signal.ts';
import { spectrum } from './spectrum.ts';
import { sweep } from './sweep.ts';

/** In the order the CLI lists their subcommands. */
export const FISHER_EXPERIMENTS = [spectrum, lrSweep, sweep, isometry, inputMetric, signal, blocks] as const;
