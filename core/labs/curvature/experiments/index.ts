// The curvature lab's experiments: the list its definition (lab.ts) and its command (cli.ts) read.
import { spectrum } from './spectrum.ts';
import { track } from './track.ts';

export const CURVATURE_EXPERIMENTS = [spectrum, track] as const;
