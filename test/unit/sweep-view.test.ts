// The Sweeps view's shaping of collected runs, on hand-made runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SweepResult, SweepRunEntry } from '../../core/contract.ts';
import { curves, fieldTitle, numericFields, sweepTable, toCsv, varyingParams, viewRows } from '../../renderer/src/lib/sweeps.ts';

const run = (index: number, width: number, seed: number, lambda: number, theory: number): SweepRunEntry => ({
  index,
  params: { activation: 'relu', width, seed },
  result: { lambda_max: lambda, P: width * 10, theory: { lambda_max: theory }, curve: [1, 2] },
  seconds: 0.5,
});
const runs = [run(0, 32, 1, 10, 11), run(1, 32, 2, 12, 11), run(2, 64, 1, 20, 22), run(3, 64, 2, 26, 22)];

test('numeric fields flatten to dotted names; arrays and strings are left out', () => {
  assert.deepEqual(numericFields(runs[0]!.result), { lambda_max: 10, P: 320, 'theory.lambda_max': 11 });
  assert.deepEqual(varyingParams(runs), ['width', 'seed']);
});

test('curves average over seeds with ±sd bands and draw the theory counterpart', () => {
  const c = curves(runs, 'width', 'lambda_max');
  assert.deepEqual(c[0], {
    label: 'lambda_max, mean over seeds',
    points: [
      { x: 32, y: 11 },
      { x: 64, y: 23 },
    ],
    color: 0,
  });
  const sd64 = Math.sqrt(((26 - 23) ** 2 + (20 - 23) ** 2) / 1);
  assert.deepEqual(c[1]!.points, [
    { x: 32, y: 11 + Math.SQRT2 },
    { x: 64, y: 23 + sd64 },
  ]);
  assert.equal(c[3]!.label, 'theory lambda_max');
  // Theory and the ± sd band never look alike: the band's edges are thin faint lines, theory dashed.
  assert.deepEqual(
    c.map((s) => s.style ?? 'line'),
    ['line', 'band', 'band', 'dashed'],
  );
  // Axis titles: the quantity in words and symbols, then the CLI's key.
  assert.equal(fieldTitle('m_lambda'), 'mean FIM eigenvalue m_λ (m_lambda)');
  assert.equal(fieldTitle('theory.lambda_max'), 'largest FIM eigenvalue λ_max, theory (theory.lambda_max)');
  assert.equal(fieldTitle('sigma_noise'), 'σ noise (sigma_noise)');
  assert.equal(fieldTitle('accuracy'), 'accuracy');
  assert.deepEqual(c[3]!.points, [
    { x: 32, y: 11 },
    { x: 64, y: 22 },
  ]);
});

test('the table sorts, filters and exports exactly its cells', () => {
  const s: SweepResult = {
    spec: { command: ['fisher', 'spectrum'] },
    source: null,
    count: 4,
    runs,
    missing: [],
    failed: [],
    partial: false,
  };
  const t = sweepTable(s);
  assert.deepEqual(t.columns, ['index', 'width', 'seed', 'lambda_max', 'P', 'theory.lambda_max', 'seconds']);
  assert.deepEqual(
    viewRows(t, 3, false, '').map((r) => r[0]),
    [3, 2, 1, 0],
  );
  assert.deepEqual(
    viewRows(t, 0, true, '64').map((r) => r[0]),
    [2, 3],
  );
  assert.equal(
    toCsv({
      columns: ['a', 'b'],
      rows: [
        [1, 'x,y'],
        [null, 'q"'],
      ],
    }),
    'a,b\n1,"x,y"\n,"q"""\n',
  );
});
