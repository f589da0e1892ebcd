// The lab commands `kairo` dispatches to and `kairo sweep` can vary: each with its flags and
// its entry point.
import type { SweepCommand } from '../sweep/runner.ts';
import { FIELD_FLAGS, fieldCli } from './field.ts';
import { FISHER_FLAGS, fisherCli } from './fisher.ts';
import { HOPFIELD_FLAGS, hopfieldCli } from './hopfield.ts';
import { VAE_FLAGS, vaeCli } from './vae.ts';

export const LAB_COMMANDS: ReadonlyMap<string, SweepCommand> = new Map([
  ['vae', { ...VAE_FLAGS, run: vaeCli }],
  ['fisher', { ...FISHER_FLAGS, run: fisherCli }],
  ['field', { ...FIELD_FLAGS, run: fieldCli }],
  ['hopfield', { ...HOPFIELD_FLAGS, run: hopfieldCli }],
]);
