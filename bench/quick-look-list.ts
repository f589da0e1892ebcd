// Every lab's quick look, from the lab registry (each lab's core/labs/<lab>/quick-look.ts), in
// sidebar order: bench/quick-looks.ts times them, test/unit/quick-looks.test.ts checks their numbers.
import { LABS, LAB_IDS } from '../core/labs/index.ts';
import type { QuickLookRun } from '../core/labs/kit/quick-look.ts';

export type { QuickLookRun };

export async function quickLooks(): Promise<QuickLookRun[]> {
  const out: QuickLookRun[] = [];
  for (const id of LAB_IDS) {
    const load = LABS[id].quickLook;
    if (load) out.push(await load());
  }
  return out;
}
