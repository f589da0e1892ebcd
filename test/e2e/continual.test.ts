// The continual-learning lab in the browser host: run a chain and read its table against the stored
// result, run the similarity sweep and read the critical ρ, export the chain's chart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('a chain of three tasks: the table shows Monte Carlo beside theory; the chart exports its data', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Continual learning' }).click();
  await page.locator('input[name="dim"]').fill('6');
  await page.locator('input[name="draws"]').fill('3');
  await page.locator('input[name="testPoints"]').fill('200');
  await page.locator('input[name="sizes"]').fill('40, 40, 10');
  await page.locator('input[name="similarity"]').fill('0.8');
  await page.getByRole('button', { name: 'Run the chain' }).click();
  const table = page.getByTestId('continual-chain');
  await table.waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.continual.chain!;
  assert.deepEqual(r.params.sizes, [40, 40, 10]);
  assert.equal(await table.locator('tbody tr').count(), 3);
  const fmt = (v: number) => (v < 1e-3 ? v.toExponential(3) : v.toPrecision(4));
  const cell = table.locator('tbody tr').nth(0).locator('td').nth(2);
  assert.equal(await cell.textContent(), `${fmt(r.mean[0]![1]!)} (theory ${fmt(r.theory![0]![1]!)})`);
  const fig = page.locator('figure[data-chart="Error of each task after each stage"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const head = `${JSON.stringify('task 1, theory')},`;
  const theory1 = readFileSync((await dl.path())!, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(head))
    .map((l) => Number(l.slice(head.length).split(',')[1]));
  assert.deepEqual(theory1, r.theory![0]);
  assert.deepEqual(pageErrors, []);
});

test('the similarity sweep marks where forward and backward transfer turn positive', async () => {
  const page = app.page;
  await page.locator('input[name="noise"]').fill('0');
  await page.locator('select[name="sweepAxis"]').selectOption('similarity');
  await page.locator('input[name="sweepN1"]').fill('40');
  await page.locator('input[name="sweepN2"]').fill('40');
  await page.locator('input[name="sweepRhos"]').fill('0, 0.5, 0.9, 1');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const note = page.getByTestId('continual-critical');
  await note.waitFor({ timeout: 60000 });
  const c = app.host.core.session.labs.continual.sweep!.critical!;
  assert.equal(
    await note.textContent(),
    `Theory: forward transfer turns positive at ρ = ${c.forward!.toFixed(3)}, backward transfer at ρ = ${c.backward!.toFixed(3)}.`,
  );
  await page.locator('figure[data-chart="Transfer vs similarity (N₁ = 40, N₂ = 40)"]').waitFor();
  assert.deepEqual(pageErrors, []);
});

test('a correction: partial replay shows Monte Carlo only and says why; a step sweep draws forgetting against c', async () => {
  const page = app.page;
  await page.locator('select[name="correction"]').selectOption('replay');
  await page.locator('input[name="replay"]').fill('5');
  await page.getByRole('button', { name: 'Run the chain' }).click();
  const note = page.getByTestId('continual-theory-note');
  await note.waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.continual.chain!;
  assert.equal(r.params.correction, 'replay');
  assert.equal(r.params.replay, 5);
  assert.equal(r.theory, null);
  assert.equal(await note.textContent(), `No theory: ${r.theoryNote}.`);
  // Two earlier stages of 40 and 40 samples, 5 kept of each.
  assert.match(
    (await page.getByTestId('continual-memory').textContent())!,
    /kept after the last stage: 10 labelled samples, 0 inputs/,
  );
  assert.doesNotMatch((await page.getByTestId('continual-chain').textContent())!, /theory/);
  await page.locator('select[name="sweepAxis"]').selectOption('step');
  await page.locator('input[name="sweepSteps"]').fill('0.1, 0.5, 1');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const fig = page.locator('figure[data-chart^="Forgetting and transfer vs step c"]');
  await fig.waitFor({ timeout: 60000 });
  const s = app.host.core.session.labs.continual.sweep!;
  assert.equal(s.params.correction, 'none');
  assert.deepEqual(
    s.points.map((q) => q.value),
    [0.1, 0.5, 1],
  );
  assert.ok(
    s.points.every((q) => q.theory),
    'the balanced step has a formula at every c',
  );
  assert.deepEqual(pageErrors, []);
});

test('the comparison of corrections: the verdict and the table read what the core stored, one chart per noise level', async () => {
  const page = app.page;
  await page.locator('input[name="noise"]').fill('0.05');
  await page.locator('input[name="compareN1"]').fill('60');
  await page.locator('input[name="compareRatios"]').fill('0.1, 0.5');
  await page.locator('input[name="compareReplays"]').fill('6, 60');
  await page.locator('input[name="compareAnchorWeights"]').fill('1');
  await page.locator('input[name="compareSteps"]').fill('0.2');
  await page.getByRole('button', { name: 'Compare corrections' }).click();
  const table = page.getByTestId('continual-compare');
  await table.waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.continual.compare!;
  assert.deepEqual(
    r.points.map((q) => [q.noise, q.ratio]),
    [
      [0.05, 0.1],
      [0.05, 0.5],
      [0, 0.1],
      [0, 0.5],
    ],
  );
  assert.equal(await table.locator('tbody tr').count(), 4);
  const first = r.points[0]!;
  const k = first.rows.findIndex((x) => x.correction === first.best);
  const cell = await table
    .locator('tbody tr')
    .nth(0)
    .locator('td')
    .nth(2 + k)
    .textContent();
  assert.ok(cell!.startsWith(`★ ${(first.rows[k]!.mean.e12 / first.rows[k]!.mean.e11).toFixed(3)}`), cell!);
  assert.equal(await page.getByTestId('continual-verdict').locator('li').count(), 2);
  await page.locator('figure[data-chart^="Task 1 after / before stage 2, best setting of each correction (σ = 0,"]').waitFor();
  assert.deepEqual(pageErrors, []);
});
