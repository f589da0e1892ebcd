// What the VAE lab's experiments share: the data their flags describe.
import { HIERARCHICAL_FIELDS, type JobKinds } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import { choiceFlag, type Parsed } from '../../kit/args.ts';
import { IDX_FLAGS, idxSource } from '../../kit/data-source.ts';
import { flagsOf, readFlags } from '../../kit/flags.ts';
import { defaultHierarchicalSource } from '../../data/state.ts';

export const HIERARCHICAL_FLAGS = flagsOf(HIERARCHICAL_FIELDS).valued;
export { IDX_FLAGS };

/** The data: MNIST (or the IDX files given), or hierarchical patterns generated from their flags. */
export function source(p: Parsed): JobKinds['vae.train']['params']['source'] {
  const data = choiceFlag(p, 'data', 'mnist', ['mnist', 'hierarchical'] as const);
  if (data === 'hierarchical') {
    if (p.flags.has('idx-images') || p.flags.has('idx-labels'))
      throw invalid('--data hierarchical generates its patterns: drop the --idx-* files');
    return { kind: 'hierarchical', ...readFlags(p, HIERARCHICAL_FIELDS, defaultHierarchicalSource()) };
  }
  const stray = HIERARCHICAL_FLAGS.find((f) => p.flags.has(f));
  if (stray) throw invalid(`--${stray} belongs to --data hierarchical`);
  return idxSource(p);
}
