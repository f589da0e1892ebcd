// Chart axes (renderer/src/lib/series.ts, used by components/Chart.svelte for every chart): at least
// three labels on any log axis, integer ticks where every x is an integer, and a log range that
// contains what is drawn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clipBelow,
  integerX,
  logAxisMin,
  logTickLabels,
  scaleLabel,
  shortLogTicks,
  type Series,
} from '../../renderer/src/lib/series.ts';

/** The ticks chart.js places on a log axis between lo and hi (1…9 × 10^k and the ends), and Chart.svelte's when those are under three. */
const logTicks = (lo: number, hi: number) => {
  const out: number[] = [lo];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (let m = 1; m <= 9; m++) {
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v > lo * (1 + 1e-9) && v < hi * (1 - 1e-9)) out.push(v);
    }
  out.push(hi);
  return out.length < 3 ? shortLogTicks(lo, hi) : out;
};
const labelled = (lo: number, hi: number) => logTickLabels(logTicks(lo, hi)).filter(Boolean);

test('log axes: three or more labels at any span, decades only where the axis shows three', () => {
  // Many decades: decades only, as before.
  assert.deepEqual(labelled(1e-6, 1), ['1e-6', '1e-5', '1e-4', '1e-3', '0.01', '0.1', '1']);
  // About one decade (the continual chart used to show only "0.01"): 1, 2, 5 × 10^k.
  assert.deepEqual(labelled(0.01, 0.1), ['0.01', '0.02', '0.05', '0.1']);
  // Under a decade (the field lab's NTK chart showed no number): every tick.
  assert.deepEqual(labelled(0.3, 0.8), ['0.3', '0.4', '0.5', '0.6', '0.7', '0.8']);
  assert.deepEqual(labelled(2e-5, 2e-4), ['2e-5', '5e-5', '1e-4', '2e-4']);
  for (const [lo, hi] of [
    [1.1, 1.9],
    [1.001, 1.004],
    [0.02, 0.06],
    [300, 5000],
    [1e-9, 3e-9],
  ])
    assert.ok(labelled(lo!, hi!).length >= 3, `${lo}…${hi}: ${labelled(lo!, hi!)}`);
});

test('short log axes get evenly spaced round ticks inside their range', () => {
  assert.deepEqual(shortLogTicks(1.1, 1.9), [1.2, 1.4, 1.6, 1.8]);
  assert.deepEqual(shortLogTicks(0.3, 0.34), [0.3, 0.31, 0.32, 0.33, 0.34]);
  for (const [lo, hi] of [
    [1.001, 1.004],
    [7e-9, 9e-9],
  ]) {
    const t = shortLogTicks(lo!, hi!);
    assert.ok(t.length >= 3 && t.length <= 6 && t.every((v) => v >= lo! && v <= hi!), `${lo}…${hi}: ${t}`);
  }
});

const s = (ys: number[], xs = ys.map((_, i) => i)): Series => ({ label: 'loss', points: ys.map((y, i) => ({ x: xs[i]!, y })) });

test('integer x (steps, stages, epochs) ticks integers; any fractional x does not', () => {
  assert.equal(integerX([s([1, 2, 3]), s([4, 5])]), true);
  assert.equal(integerX([s([1, 2], [0, 0.5])]), false);
  assert.equal(integerX([]), false);
});

test('a log axis cut at 24 decades drops what lies below it and says so, so its range contains every line drawn', () => {
  const series = [s([0.15, 1e-4, 1e-32]), s([0.2, 0.1])];
  const min = logAxisMin(series)!;
  assert.ok(Math.abs(min / 1e-24 - 1) < 1e-12, `${min}`);
  const clipped = clipBelow(series, min);
  assert.deepEqual(
    clipped[0]!.points.map((p) => p.y),
    [0.15, 1e-4],
  );
  assert.equal(clipped[0]!.label, 'loss (1 below 1e-24 not drawn)');
  assert.equal(clipped[1], series[1]);
  for (const c of clipped) assert.ok(c.points.every((p) => p.y >= min));
  assert.deepEqual(clipBelow(series, undefined), series);
});

test('colour-scale limits stay short: three digits, an exponent below 10⁻³ or from 10⁵', () => {
  assert.deepEqual([2.85, -3.04, 1, 0, 2.68e-6, -0.00123, 123456, 1234, 99999].map(scaleLabel), [
    '2.85',
    '-3.04',
    '1.00',
    '0.00',
    '2.68e-6',
    '-0.00123',
    '1.23e5',
    '1230',
    '100000',
  ]);
});
