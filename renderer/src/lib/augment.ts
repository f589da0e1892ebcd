// Chart and table shaping for the augmentation lab: pure functions from a stored comparison to chart
// series and rows, tested in test/unit/augment-view.test.ts.
import { POLICY_NAMES, type AugmentCell, type AugmentPolicy, type AugmentResult } from '../../../core/contract';
import type { Series } from './series';

const COLOR: { readonly [P in AugmentPolicy]: number } = { none: 0, conventional: 1, 'self-paced': 2, rand: 3 };

const cellsAt = (r: AugmentResult, perClass: number) => r.cells.filter((c) => c.perClass === perClass);

/** Mean ± sd as a solid line with points and two thin faint lines (± sd), one colour per policy. */
// The ± sd lines stay out of the legend (they are named in the CSV): with six of them the legend
// of a half-width chart left its plot 40 px tall. The cards say what the faint lines are.
function band(label: string, color: number, pts: { x: number; mean: number; sd: number }[], sd: boolean): Series[] {
  return [
    { label, color, points: pts.map((p) => ({ x: p.x, y: p.mean })) },
    ...(sd
      ? ([
          { label: `${label} + sd`, style: 'band', legend: false, color, points: pts.map((p) => ({ x: p.x, y: p.mean + p.sd })) },
          { label: `${label} − sd`, style: 'band', legend: false, color, points: pts.map((p) => ({ x: p.x, y: p.mean - p.sd })) },
        ] as Series[])
      : []),
  ];
}

/** The paper's main figure: final test accuracy against training images per class, per policy (mean ± sd over seeds). */
export function sizeSeries(r: AugmentResult): Series[] {
  return r.params.policies.flatMap((policy) => {
    const cs = r.cells.filter((c) => c.policy === policy).sort((a, b) => a.perClass - b.perClass);
    if (!cs.length) return [];
    return band(
      POLICY_NAMES[policy],
      COLOR[policy],
      cs.map((c) => ({ x: c.perClass, mean: 100 * c.accuracy.mean, sd: 100 * c.accuracy.sd })),
      cs.some((c) => c.seeds > 1),
    );
  });
}

/**
 * Learning curves at one size: test accuracy (%, mean ± sd) or test loss (mean) against the epoch, at the epochs the
 * test set was evaluated in (every one, or every K-th with the last).
 */
export function learningSeries(r: AugmentResult, perClass: number, metric: 'accuracy' | 'testLoss'): Series[] {
  return cellsAt(r, perClass).flatMap((c) => {
    const acc = c.curve.flatMap((e) =>
      e.accuracy ? [{ x: e.epoch, mean: 100 * e.accuracy.mean, sd: 100 * e.accuracy.sd }] : [],
    );
    const loss = c.curve.flatMap((e) => (e.testLoss !== null ? [{ x: e.epoch, y: e.testLoss }] : []));
    return metric === 'accuracy'
      ? band(POLICY_NAMES[c.policy], COLOR[c.policy], acc, c.seeds > 1)
      : [{ label: POLICY_NAMES[c.policy], color: COLOR[c.policy], points: loss }];
  });
}

/** Per epoch at one size: the fraction of samples augmented (%), for every policy that augments. */
export function fractionSeries(r: AugmentResult, perClass: number): Series[] {
  return cellsAt(r, perClass)
    .filter((c) => c.policy !== 'none')
    .map((c) => ({
      label: POLICY_NAMES[c.policy],
      color: COLOR[c.policy],
      points: c.curve.map((e) => ({ x: e.epoch, y: 100 * e.augmented })),
    }));
}

/**
 * Per epoch at one size: the loss instability on the probe (variance over augmentation draws of the loss of
 * the input each policy trains on) and, dashed on the right axis, the step-to-step noise of the batch loss.
 */
export function instabilitySeries(r: AugmentResult, perClass: number): Series[] {
  // Short legend entries (the policy's code): six long ones left the plot 40 px tall in a half-width card.
  const code = (p: AugmentPolicy) => POLICY_NAMES[p].split(' ')[0]!;
  return cellsAt(r, perClass).flatMap((c): Series[] => [
    ...(c.curve.every((e) => e.instability !== null)
      ? [
          {
            label: `${code(c.policy)}: variance over draws`,
            color: COLOR[c.policy],
            points: c.curve.map((e) => ({ x: e.epoch, y: e.instability! })),
          },
        ]
      : []),
    {
      label: `${code(c.policy)}: step noise (right axis)`,
      style: 'dashed',
      right: true,
      color: COLOR[c.policy],
      points: c.curve.map((e) => ({ x: e.epoch, y: e.stepNoise })),
    },
  ]);
}

export interface PolicyRow {
  policy: AugmentPolicy;
  name: string;
  perClass: number;
  seeds: number;
  accuracy: string;
  /** Accuracy minus NA's at the same size, in points; null for NA itself and without an NA cell. */
  gain: number | null;
  seconds: string;
  /** Training time ÷ NA's at the same size; null for NA itself and without an NA cell. */
  timeRatio: number | null;
}

const pct = (x: number) => (100 * x).toFixed(1);

/** The table under the charts: final accuracy (mean ± sd, %), its gain over NA, training seconds and their ratio to NA. */
export function policyRows(r: AugmentResult): PolicyRow[] {
  const na = new Map<number, AugmentCell>(r.cells.filter((c) => c.policy === 'none').map((c) => [c.perClass, c]));
  return r.cells.map((c) => {
    // NA's own row compares with nothing.
    const base = c.policy === 'none' ? undefined : na.get(c.perClass);
    return {
      policy: c.policy,
      name: POLICY_NAMES[c.policy],
      perClass: c.perClass,
      seeds: c.seeds,
      accuracy: `${pct(c.accuracy.mean)} ± ${pct(c.accuracy.sd)}`,
      gain: base ? 100 * (c.accuracy.mean - base.accuracy.mean) : null,
      seconds: `${c.trainSeconds.mean.toFixed(1)} ± ${c.trainSeconds.sd.toFixed(1)}`,
      timeRatio: base && base.trainSeconds.mean > 0 ? c.trainSeconds.mean / base.trainSeconds.mean : null,
    };
  });
}
