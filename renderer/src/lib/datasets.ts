// Datasets in the UI: how a source is named, and the Datasets lab's chart shaping (tested in
// test/unit/data-view.test.ts).
import type { BaselineResult, DatasetSource, SplitSummary } from '../../../core/contract';
import type { Series } from './series';

export function sourceName(s: DatasetSource): string {
  if (s.kind === 'mnist') return 'MNIST';
  if (s.kind === 'hierarchical') return `hierarchical patterns (N = ${s.patternDim}, ${s.roots} × ${s.concepts} × ${s.memories})`;
  return s.name;
}

/** Images per class of the split shown. */
export function classHistogram(split: 'train' | 'test', s: SplitSummary | null): Series[] {
  return s ? [{ label: `${split} images per class`, points: s.classCounts.map((y, x) => ({ x, y })) }] : [];
}

/** The baseline's loss and batch accuracy per step (accuracy on the right axis): live while it trains, else stored. */
export function baselineSeries(
  live: { step: number; metrics: Record<string, number> }[] | null,
  baseline: BaselineResult | null,
): Series[] {
  if (live)
    return [
      { label: 'loss (nats)', points: live.map((p) => ({ x: p.step, y: p.metrics.loss ?? NaN })) },
      { label: 'batch accuracy', points: live.map((p) => ({ x: p.step, y: p.metrics.accuracy ?? NaN })), right: true },
    ];
  if (!baseline) return [];
  return [
    { label: 'loss (nats)', points: baseline.curve.map((p) => ({ x: p.step, y: p.loss })) },
    { label: 'batch accuracy', points: baseline.curve.map((p) => ({ x: p.step, y: p.accuracy })), right: true },
  ];
}

/** The baseline's outcome in one sentence. */
export function baselineSummary(b: BaselineResult | null): string {
  if (!b) return '';
  const test =
    b.testAccuracy !== null
      ? ` · test accuracy ${(b.testAccuracy * 100).toFixed(2)} % · test loss ${b.testLoss?.toFixed(4)} nats`
      : '';
  return `${b.partial ? 'Cancelled after' : 'Trained'} ${b.stepsDone} steps${test}`;
}
