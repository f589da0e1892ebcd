// The runs table's shaping and the chart controls' arithmetic (renderer/src/lib/runs.ts and
// lib/series.ts), checked against hand-computed cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from '../../core/contract.ts';
import {
  curveNames,
  duration,
  metricColumns,
  metricText,
  overlaySeries,
  runsCsv,
  sortRuns,
} from '../../renderer/src/lib/runs.ts';
import { dragRange, nonFinitePoints, panRange, smoothPoints } from '../../renderer/src/lib/series.ts';

const run = (id: string, metrics: Record<string, number | null>, extra: Partial<RunRecord> = {}): RunRecord => ({
  id,
  lab: 'vae',
  kind: 'vae.train',
  label: 'Train VAE',
  name: `run ${id}`,
  note: '',
  startedAt: Date.UTC(2026, 11, 1, 12, 0, 0),
  finishedAt: Date.UTC(2026, 11, 1, 12, 0, 0) + 1500,
  outcome: 'done',
  error: null,
  params: { seed: 1 },
  seed: 1,
  metrics,
  curves: [],
  checkpoint: null,
  pinned: false,
  ...extra,
});

test('runs sort by a metric in either direction, with runs lacking it (or non-finite) last both ways', () => {
  const rs = [run('r1', { loss: 3 }), run('r2', { loss: null }), run('r3', {}), run('r4', { loss: 1 }), run('r5', { loss: 2 })];
  assert.deepEqual(
    sortRuns(rs, 'metric:loss', false).map((r) => r.id),
    ['r4', 'r5', 'r1', 'r2', 'r3'],
  );
  assert.deepEqual(
    sortRuns(rs, 'metric:loss', true).map((r) => r.id),
    ['r1', 'r5', 'r4', 'r2', 'r3'],
  );
  assert.deepEqual(
    sortRuns([run('a', {}, { name: 'b' }), run('b', {}, { name: 'a' })], 'name', false).map((r) => r.name),
    ['a', 'b'],
  );
  // A metric named like an Object.prototype member is only a column if a run has it.
  assert.deepEqual(
    sortRuns(rs, 'metric:constructor', false).map((r) => r.id),
    ['r1', 'r2', 'r3', 'r4', 'r5'],
  );
});

test('the CSV has one row per run, every metric column, "NaN" for non-finite and nothing for not measured, quoted where needed', () => {
  const csv = runsCsv([
    run('r1', { loss: 0.5, acc: 0.9 }, { note: 'has, comma', name: 'say "hi"' }),
    run('r2', { loss: null }, { outcome: 'diverged', error: 'diverged: loss NaN at step 3' }),
  ]);
  const lines = csv.trimEnd().split('\n');
  assert.equal(lines[0], 'id,name,lab,kind,outcome,started,seconds,seed,loss,acc,note,error,params');
  assert.equal(
    lines[1],
    'r1,"say ""hi""",vae,vae.train,done,2026-12-01T12:00:00.000Z,1.5,1,0.5,0.9,"has, comma",,"{""seed"":1}"',
  );
  assert.equal(
    lines[2],
    'r2,run r2,vae,vae.train,diverged,2026-12-01T12:00:00.000Z,1.5,1,NaN,,,diverged: loss NaN at step 3,"{""seed"":1}"',
  );
});

test('metric columns and curve names come in first-appearance order; the overlay has one series per run with the curve, NaN where null', () => {
  const a = run('r1', { b: 1, a: 2 }, { curves: [{ name: 'loss', xLabel: 'step', x: [0, 1, 2], y: [3, null, 1] }] });
  const b = run('r2', { c: 3, a: 1 }, { curves: [{ name: 'kl', xLabel: 'step', x: [0], y: [1] }] });
  assert.deepEqual(metricColumns([a, b]), ['b', 'a', 'c']);
  assert.deepEqual(curveNames([a, b]), ['loss', 'kl']);
  const o = overlaySeries([a, b], 'loss');
  assert.equal(o.xLabel, 'step');
  assert.equal(o.series.length, 1);
  assert.equal(o.series[0]!.label, 'run r1');
  assert.deepEqual(
    o.series[0]!.points.map((p) => p.y),
    [3, NaN, 1],
  );
  assert.deepEqual(nonFinitePoints(o.series), [{ series: 0, index: 1, x: 1, y: NaN }]);
  assert.equal(metricText(a, 'a'), '2');
  assert.equal(metricText(b, 'b'), '–');
  assert.equal(metricText(run('r', { x: null }), 'x'), 'NaN');
  assert.equal(metricText(run('r', { x: 1234567 }), 'x'), '1.235e+6');
  assert.equal(duration(run('r', {}, { finishedAt: Date.UTC(2026, 11, 1, 12, 4, 5) })), '4 min 05 s');
});

test("smoothing is TensorBoard's debiased EMA: constant curves stay put, and a step is followed at the hand-computed rate", () => {
  const flat = smoothPoints(
    [1, 2, 3].map((x) => ({ x, y: 5 })),
    0.9,
  );
  flat.forEach((p) => assert.ok(Math.abs(p.y - 5) < 1e-12));
  // y = 0, 1 with w = 0.5: ema₁ = 0, ema₂ = 0.5; debiased: 0/(0.5), 0.5/(0.75) = 2/3.
  const s = smoothPoints(
    [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 2, y: NaN },
    ],
    0.5,
  );
  assert.equal(s[0]!.y, 0);
  assert.ok(Math.abs(s[1]!.y - 2 / 3) < 1e-12);
  assert.ok(Number.isNaN(s[2]!.y), 'a non-finite value passes through, to be flagged');
  assert.deepEqual(smoothPoints([{ x: 0, y: 3 }], 0), [{ x: 0, y: 3 }]);
});

test('a drag zooms to its ordered range unless it is a click; a pan shifts linear axes by a difference and log axes by a factor', () => {
  assert.deepEqual(dragRange(5, 2, { min: 0, max: 10 }), { min: 2, max: 5 });
  assert.equal(dragRange(5, 5.05, { min: 0, max: 10 }), null);
  assert.deepEqual(panRange({ min: 0, max: 10 }, 2, false), { min: 2, max: 12 });
  const r = panRange({ min: 1, max: 100 }, 1, true);
  assert.ok(Math.abs(r.min - 10) < 1e-12 && Math.abs(r.max - 1000) < 1e-9);
});

test('a chart’s CSV lists every point of every series, with categories as x where the chart has them', async () => {
  const { seriesCsv } = await import('../../renderer/src/lib/series.ts');
  const series = [
    {
      label: 'loss, "train"',
      points: [
        { x: 1, y: 0.5 },
        { x: 2, y: NaN },
      ],
    },
    { label: 'theory', points: [{ x: 1, y: 0.25 }] },
  ];
  assert.equal(seriesCsv(series), 'series,x,y\n"loss, \\"train\\"",1,0.5\n"loss, \\"train\\"",2,NaN\n"theory",1,0.25\n');
  assert.equal(seriesCsv([series[1]!], ['relu']), 'series,x,y\n"theory","relu",0.25\n');
});

test('the parameters that differ between runs, a two-run diff, and their labels from the form fields', async () => {
  const { differingParams, flatParams, paramLabel, paramText, runDiff, bytesText } =
    await import('../../renderer/src/lib/run-params.ts');
  const a = run(
    'r1',
    {},
    { params: { source: { kind: 'mnist' }, hidden: [400], latent: 20, learningRate: 0.001, seed: 1 }, seed: 1 },
  );
  const b = run(
    'r2',
    {},
    { params: { source: { kind: 'mnist' }, hidden: [400, 200], latent: 20, learningRate: 0.003, seed: 2 }, seed: 2 },
  );
  const c = run(
    'r3',
    {},
    { params: { source: { kind: 'idx' }, hidden: [400], latent: 20, learningRate: 0.001, seed: 1 }, seed: 1 },
  );
  assert.deepEqual([...flatParams(a.params).keys()], ['source.kind', 'hidden', 'latent', 'learningRate', 'seed']);
  assert.deepEqual(differingParams([a, b]), ['hidden', 'learningRate']);
  assert.deepEqual(differingParams([a, c]), ['source.kind']);
  assert.deepEqual(differingParams([a, b, c]), ['source.kind', 'hidden', 'learningRate']);
  assert.deepEqual(differingParams([a]), []);
  assert.deepEqual(
    runDiff(a, b).map((d) => [d.path, d.a, d.b]),
    [
      ['hidden', '400', '400, 200'],
      ['learningRate', '0.001', '0.003'],
      ['seed', '1', '2'],
    ],
  );
  // Labels come from the job's own fields (vae.train's "Epochs", not the VAE sweep's "Epochs each"), with units where the field has one.
  assert.equal(paramLabel('vae.sweep', 'epochs'), 'Epochs each');
  const { VAE_TRAIN_FIELDS, AUGMENT_FIELDS } = await import('../../core/contract.ts');
  assert.equal(paramLabel('vae.train', 'epochs'), VAE_TRAIN_FIELDS.epochs.label);
  assert.equal(paramLabel('vae.train', 'no.such.key'), 'no.such.key');
  assert.equal(paramLabel('augment.compare', 'threshold'), `${AUGMENT_FIELDS.threshold.label} [nats]`);
  assert.equal(paramText(undefined), '–');
  assert.equal(paramText(1 / 3), '0.3333');
  assert.equal(paramText(null), 'none');
  assert.deepEqual([bytesText(999), bytesText(15_068), bytesText(2_600_000)], ['999 B', '15 kB', '2.6 MB']);
});

test('a refusal naming a schema path is shown with the field’s label; other messages pass unchanged', async () => {
  const { fieldMessage } = await import('../../renderer/src/lib/run-params.ts');
  const { RECALL_FIELDS } = await import('../../core/contract.ts');
  assert.equal(
    fieldMessage('vae.recall.noise: bit-flip levels are probabilities, in 0..1'),
    `${RECALL_FIELDS.noise.label}: bit-flip levels are probabilities, in 0..1`,
  );
  assert.equal(fieldMessage('there is no run "r9"'), 'there is no run "r9"');
  assert.equal(fieldMessage('vae.recall.nonsense: x'), 'vae.recall.nonsense: x');
});

test('button times: seconds up to the next 5 s, minutes to the half minute', async () => {
  const { aboutTime } = await import('../../renderer/src/lib/run-params.ts');
  assert.deepEqual([2.5, 13.6, 15, 89, 90, 133, 150, 600].map(aboutTime), [
    'about 5 s',
    'about 15 s',
    'about 15 s',
    'about 90 s',
    'about 1½ min',
    'about 2 min',
    'about 2½ min',
    'about 10 min',
  ]);
});

test('figure export settings: a stored entry read field by field, column sizes at 96 px per inch', async () => {
  const { parsePrefs, sizeFor, plotSizeFor, DEFAULT_FIGURE_PREFS } = await import('../../renderer/src/lib/figure-size.ts');
  assert.deepEqual(parsePrefs(null), DEFAULT_FIGURE_PREFS);
  assert.deepEqual(parsePrefs('{not json'), DEFAULT_FIGURE_PREFS);
  assert.deepEqual(parsePrefs('{"size":"single","scale":3,"font":"serif","fontPt":10}'), {
    size: 'single',
    scale: 3,
    font: 'serif',
    fontPt: 10,
  });
  // Nonsense falls back field by field.
  assert.deepEqual(parsePrefs('{"size":"huge","scale":7,"font":"comic","fontPt":99,"__proto__":{"x":1}}'), DEFAULT_FIGURE_PREFS);
  assert.deepEqual(sizeFor(DEFAULT_FIGURE_PREFS, 800, 300), [800, 300]);
  assert.deepEqual(sizeFor({ ...DEFAULT_FIGURE_PREFS, size: 'single' }, 800, 300), [3.5 * 96, Math.round(3.5 * 96 * 0.62)]);
  assert.deepEqual(sizeFor({ ...DEFAULT_FIGURE_PREFS, size: 'double' }, 800, 300), [7 * 96, Math.round(7 * 96 * 0.62)]);
  // A heat map 400 × 100 with 136 px of frame fills a single column (336 px) at its own aspect.
  assert.deepEqual(plotSizeFor(DEFAULT_FIGURE_PREFS, 400, 100, 136), [400, 100]);
  assert.deepEqual(plotSizeFor({ ...DEFAULT_FIGURE_PREFS, size: 'single' }, 400, 100, 136), [200, 50]);
  assert.deepEqual(plotSizeFor({ ...DEFAULT_FIGURE_PREFS, size: 'double' }, 400, 100, 136), [536, 134]);
});
