// Chart shaping for the natural-gradient lab: pure functions from stored results to chart series
// and table rows, tested in test/unit/ngd-view.test.ts.
import {
  NGD_METHOD_LABELS,
  NGD_METHODS,
  type NgdCompareResult,
  type NgdMethodName,
  type NgdRunResult,
  type NgdSweepResult,
} from '../../../core/contract';
import type { Series } from './series';

/** Losses stored for an overflowed step (core/labs/ngd/jobs/task.ts). */
const OVERFLOW = 1e300;

/** One colour per method, the same in every chart. */
export const methodColor = (m: NgdMethodName): number => NGD_METHODS.indexOf(m);

/** Points of a curve a log axis can draw: positive, finite, below the overflow marker. */
const loggable = (ys: number[]) => ys.flatMap((y, x) => (y > 0 && Number.isFinite(y) && y < OVERFLOW ? [{ x, y }] : []));

/**
 * Loss per step of every method at one kind of learning rate: measured solid, its predicted curve dashed
 * in the same colour (with the network's own, empirical NTK); on the test loss also the infinite-width
 * (analytic NTK) prediction, dotted. Values of 0 (the prediction at η = 1/α converges in one step)
 * cannot sit on a log axis: the dashed line stops there, and its label says so. The legend lists the
 * methods and one grey key per line style (a legend of three entries per method hid the plot).
 */
export function lossSeries(result: NgdCompareResult, at: 'best' | 'common', which: 'train' | 'test'): Series[] {
  const out: Series[] = [];
  for (const r of result.runs.filter((x) => x.at === at && !x.error)) {
    const name = NGD_METHOD_LABELS[r.method];
    const color = methodColor(r.method);
    const measured = which === 'train' ? r.losses : r.testLosses;
    const theory = which === 'train' ? r.theory.losses : r.theory.testLosses;
    out.push({ label: `${name}${r.diverged ? ' (diverged)' : ''}`, color, points: loggable(measured) });
    const zeroAt = theory.findIndex((y) => y === 0);
    const kind = r.theory.alpha === null ? 'NTK linear model' : `α = ${fmtAlpha(r.theory.alpha)}`;
    out.push({
      label: `${name}, predicted (${kind}${which === 'test' ? ', empirical NTK' : ''}${zeroAt > 0 ? `; 0 from step ${zeroAt}` : ''})`,
      color,
      style: 'dashed',
      legend: false,
      points: loggable(theory),
    });
    const analytic = r.theory.testLossesAnalytic;
    if (which === 'test' && analytic)
      out.push({
        label: `${name}, predicted (infinite-width NTK)`,
        color,
        style: 'dotted',
        legend: false,
        points: loggable(analytic),
      });
  }
  if (out.length) {
    out.push({ label: `predicted${which === 'test' ? ', empirical NTK' : ''} (dashed)`, color: -1, style: 'dashed', points: [] });
    if (out.some((s) => s.style === 'dotted'))
      out.push({ label: 'predicted, infinite-width NTK (dotted)', color: -1, style: 'dotted', points: [] });
  }
  return out;
}

export const LINEARITY = {
  error: { title: 'Linearisation error per step', y: '‖Δf − JΔθ‖ ÷ ‖JΔθ‖ (train outputs)' },
  size: { title: 'Parameter step per step', y: 'η‖Δθ‖ ÷ ‖θ₀‖' },
  signs: { title: 'Hidden pre-activations changing sign', y: 'fraction of units × samples' },
} as const;

/**
 * Whether each method's steps stayed in the linear regime the predictions assume: per step, the
 * linearisation error, the parameter step relative to the initial parameters, or the fraction of
 * hidden pre-activations whose sign the step changed (ReLU's activation pattern). Step t is the
 * step from t − 1 to t; zeros cannot sit on the log axis and are left out.
 */
export function linearitySeries(result: NgdCompareResult, at: 'best' | 'common', which: keyof typeof LINEARITY): Series[] {
  return result.runs
    .filter((r) => r.at === at && !r.error)
    .map((r) => {
      const ys = which === 'error' ? r.linearErrors : which === 'size' ? r.stepSizes : r.signChanges;
      return {
        label: `${NGD_METHOD_LABELS[r.method]}${r.diverged ? ' (diverged)' : ''}`,
        color: methodColor(r.method),
        points: loggable(ys).map((p) => ({ x: p.x + 1, y: p.y })),
      };
    });
}

export const fmtAlpha = (a: number): string => (Number.isInteger(a) ? String(a) : a.toPrecision(4));

/** A number as the lab's tables show it. */
export const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined
    ? '—'
    : v >= OVERFLOW
      ? 'overflow'
      : v === 0
        ? '0'
        : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3
          ? v.toExponential(3)
          : v.toPrecision(4);

/**
 * The isotropy diagnostic: the eigenvalues of each method's function-space kernel K = J(G̃ + ρ)⁻¹Jᵀ,
 * divided by the method's α (gradient descent: by their mean), against their rank scaled to [0, 1].
 * Isotropic means flat at 1.
 */
export function isotropySeries(result: NgdCompareResult): Series[] {
  return result.runs
    .filter((r) => r.at === result.runs[0]?.at && r.spectrum && r.spectrum.length)
    .map((r) => {
      const s = r.spectrum!;
      const scale = r.theory.alpha ?? s.reduce((a, b) => a + b, 0) / s.length;
      const n = s.length;
      return {
        label: `${NGD_METHOD_LABELS[r.method]} ÷ ${r.theory.alpha === null ? 'mean' : `α = ${fmtAlpha(r.theory.alpha)}`}`,
        color: methodColor(r.method),
        points: s.map((v, i) => ({ x: n > 1 ? i / (n - 1) : 0, y: v / scale })),
      };
    });
}

export interface SummaryRow {
  method: string;
  at: 'best' | 'common';
  alpha: string;
  eta: string;
  /** Loss after one step, measured and predicted, relative to the start. */
  firstStep: string;
  firstStepTheory: string;
  final: string;
  /** Spread of the kernel's eigenvalues ÷ α: min … max. */
  isotropy: string;
  outcome: string;
  note: string;
}

function outcome(r: NgdRunResult, steps: number): string {
  if (r.error) return `not run: ${r.error}`;
  if (r.diverged) return `diverged at step ${r.losses.length - 1}`;
  if (r.stepsDone < steps) return `cancelled after ${r.stepsDone} steps`;
  const l = r.losses;
  return l.length > 1 && l.at(-1)! > l[0]! ? 'loss rose' : 'converging';
}

export function summaryRows(result: NgdCompareResult): SummaryRow[] {
  return result.runs.map((r) => {
    const l0 = r.losses[0];
    const ratio = (ys: number[]) => (l0 && ys.length > 1 ? fmt(ys[1]! / l0) : '—');
    const s = r.spectrum;
    const scale = r.theory.alpha;
    return {
      method: NGD_METHOD_LABELS[r.method],
      at: r.at,
      alpha: r.theory.alpha === null ? '—' : fmtAlpha(r.theory.alpha),
      eta: r.error ? '—' : fmt(r.eta),
      firstStep: ratio(r.losses),
      firstStepTheory: ratio(r.theory.losses),
      final: fmt(r.losses.at(-1)),
      isotropy: s && s.length && scale ? `${fmt(s[0]! / scale)} … ${fmt(s.at(-1)! / scale)}` : (r.spectrumNote ?? '—'),
      outcome: outcome(r, result.params.steps),
      note: r.theory.note ?? '',
    };
  });
}

/** The sweep: each method's gap to its prediction against the varied setting (log–log). */
export function sweepGapSeries(sweep: NgdSweepResult): Series[] {
  return sweep.params.methods.map((m) => ({
    label: NGD_METHOD_LABELS[m],
    color: methodColor(m),
    points: sweep.points
      .filter((p) => p.method === m && p.gap > 0 && p.gap < OVERFLOW && p.value > 0)
      .map((p) => ({ x: p.value, y: p.gap })),
  }));
}

/** The sweep's final loss per method against the setting, measured solid and predicted dashed. */
export function sweepFinalSeries(sweep: NgdSweepResult): Series[] {
  return sweep.params.methods.flatMap((m) => {
    const pts = sweep.points.filter((p) => p.method === m && p.value > 0);
    const pick = (ys: (p: (typeof pts)[number]) => number | undefined) =>
      pts.flatMap((p) => {
        const y = ys(p);
        return y !== undefined && y > 0 && y < OVERFLOW ? [{ x: p.value, y }] : [];
      });
    return [
      { label: NGD_METHOD_LABELS[m], color: methodColor(m), style: 'points' as const, points: pick((p) => p.losses.at(-1)) },
      {
        label: `${NGD_METHOD_LABELS[m]}: predicted`,
        color: methodColor(m),
        style: 'dashed' as const,
        points: pick((p) => p.theoryLosses.at(-1)),
      },
    ];
  });
}

/** The kept comparisons as menu entries: when, and what. */
export function historyLabel(r: NgdCompareResult): string {
  const n = r.params.network;
  const when = r.finishedAt.slice(0, 16).replace('T', ' ');
  return `${when} · ${n.activation} L=${n.depth} M=${n.width} N=${n.samples} ${n.data} · ρ=${r.params.damping} · ${r.runs.length} runs`;
}
