// What an augmentation run record keeps (core/labs/runs/): final accuracy per policy and size, and the
// mean test-accuracy curve of each policy at the first size.
import { POLICY_NAMES, type AugmentParams, type AugmentResult } from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const compareSummary = (p: AugmentParams, r: AugmentResult): RunSummary => {
  const several = p.perClass.length > 1;
  const first = r.cells.filter((c) => c.perClass === p.perClass[0]);
  return {
    metrics: Object.fromEntries(
      r.cells.flatMap((c) => {
        const name = `${c.policy}${several ? ` @${c.perClass}` : ''}`;
        return [
          [`${name} accuracy`, c.accuracy.mean],
          [`${name} sd`, c.accuracy.sd],
        ];
      }),
    ),
    curves: [
      ...first.map((c) =>
        curve(
          `${POLICY_NAMES[c.policy]} test accuracy`,
          'epoch',
          c.curve.map((e) => e.accuracy.mean),
          c.curve.map((e) => e.epoch),
        ),
      ),
      ...(several
        ? p.policies.map((policy) => {
            const cs = r.cells.filter((c) => c.policy === policy);
            return curve(
              `${POLICY_NAMES[policy]} final accuracy`,
              'samples per class',
              cs.map((c) => c.accuracy.mean),
              cs.map((c) => c.perClass),
            );
          })
        : []),
    ],
  };
};
