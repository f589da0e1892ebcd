// A lab's quick look as data: the jobs it runs (as the view starts them) and the numbers its
// one-line claim quotes, formatted as the line writes them. Each lab's is in its folder
// (core/labs/<lab>/quick-look.ts), named by its definition; `npm run bench:quick-looks` times them
// and test/unit/quick-looks.test.ts checks every quoted number is the one measured.
import type { LabStates } from '../../contract.ts';

export interface QuickLookRun {
  lab: string;
  seconds: number;
  shows: string;
  jobs: [string, unknown][];
  /** The numbers `shows` quotes, as it writes them. */
  quotes: (labs: LabStates) => string[];
}

export const MNIST = { kind: 'mnist' } as const;
export const p2 = (v: number): string => v.toFixed(2);
