// How a dataset source is named in the UI.
import type { DatasetSource } from '../../../core/contract';

export function sourceName(s: DatasetSource): string {
  if (s.kind === 'mnist') return 'MNIST';
  if (s.kind === 'hierarchical') return `hierarchical patterns (N = ${s.patternDim}, ${s.roots} × ${s.concepts} × ${s.memories})`;
  return s.name;
}
