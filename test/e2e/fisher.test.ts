// The Fisher/NTK lab in the browser host: configure a network, compute its spectrum, run a
// width sweep and see measured points beside the theory lines, export the chart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { theoryFor } from '../../core/labs/fisher/jobs/network.ts';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('configure a network, compute its spectrum, run a width sweep and export it', async () => {
  await app.page.getByRole('button', { name: 'Fisher / NTK spectra' }).click();
  await app.page.locator('input[name="width"]').fill('48');
  await app.page.locator('input[name="inputDim"]').fill('48');
  await app.page.locator('input[name="samples"]').fill('16');
  await app.page.getByRole('button', { name: 'Compute spectrum' }).click();
  await app.page.locator('figure[data-chart="Spectrum of F (nonzero eigenvalues)"]').waitFor({ timeout: 30000 });
  const s = app.host.core.session.labs.fisher.spectrum!;
  assert.equal(s.network.width, 48);
  const row = app.page.locator('[data-testid="fisher-stats"] tr[data-stat="lambda_max"] td');
  await row
    .nth(1)
    .filter({ hasText: s.stats.lambdaMax.toPrecision(5) })
    .waitFor();
  assert.equal(await row.nth(2).textContent(), s.theory!.lambdaMax.toPrecision(5));

  await app.page.locator('input[name="values"]').fill('16, 32, 64');
  await app.page.locator('input[name="seeds"]').fill('2');
  await app.page.getByRole('button', { name: 'Run sweep' }).click();
  const fig = app.page.locator('figure[data-chart="λ_max vs width"]');
  await fig.waitFor({ timeout: 60000 });
  const sweep = app.host.core.session.labs.fisher.sweep!;
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const series = (name: string) => csv.filter((c) => c[0] === JSON.stringify(name)).map((c) => [Number(c[1]), Number(c[2])]);
  assert.deepEqual(
    series('measured (mean)'),
    sweep.points.map((p) => [p.value, p.mean.lambdaMax]),
  );
  // The theory line is the mean-field prediction for each width, computed here independently of the job.
  for (const [w, y] of series('mean-field theory')) {
    const t = theoryFor({ ...sweep.params.network, width: w! })!;
    assert.ok(Math.abs(y! - t.lambdaMax) < 1e-9 * t.lambdaMax);
  }
  const [svg] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'SVG' }).click()]);
  assert.match(readFileSync((await svg.path())!, 'utf8'), /^<svg/);
  assert.deepEqual(pageErrors, []);
});

test('signal propagation: the recursion beside sampled networks, the fixed point in words, the phase diagram; the input-space metric beside its theory', async () => {
  const page = app.page;
  await page.locator('input[name="signalDepth"]').fill('8');
  await page.locator('input[name="signalWidth"]').fill('300');
  await page.locator('input[name="signalSigmaW2"]').fill('2.5');
  await page.getByRole('button', { name: 'Propagate' }).click();
  const note = page.getByTestId('signal-fixed-point');
  await note.waitFor({ timeout: 60000 });
  const s = app.host.core.session.labs.fisher.signal!;
  assert.equal(s.params.sigmaW2, 2.5);
  assert.match((await note.textContent())!, new RegExp(`χ₁ = ${s.fixedPoint.chi1!.toPrecision(5).replace('.', '\\.')}.*chaotic`));
  await page.locator('figure[data-chart="Phase diagram: order and chaos"]').waitFor();
  const fig = page.locator('figure[data-chart="Length q_l per layer"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const theory = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('"theory (length map)"'))
    .map((l) => Number(l.split(',')[2]));
  assert.deepEqual(
    theory,
    s.layers.map((l) => l.qTheory),
  );

  await page.locator('input[name="width"]').fill('64');
  await page.locator('input[name="inputDim"]').fill('40');
  await page.locator('input[name="samples"]').fill('10');
  await page.getByRole('button', { name: 'Input-space metric' }).click();
  const table = page.getByTestId('input-metric-stats');
  await table.waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.fisher.inputMetric!;
  assert.equal(r.network.inputDim, 40);
  await table
    .locator('tr', { hasText: 'λ_max' })
    .filter({ hasText: r.stats.lambdaMax.toPrecision(5) })
    .waitFor();
  assert.deepEqual(pageErrors, []);
});

test('the conditional FIM vs depth: λ_max beside free probability, the histogram over the limiting law, training at c · 2/λ_max', async () => {
  const page = app.page;
  const card = page.locator('.card', { has: page.getByRole('heading', { name: /^Conditional FIM/ }) });
  await card.locator('input[name="isoActivation"], select[name="isoActivation"]').first().selectOption('tanh');
  await card.locator('input[name="isoWidth"]').fill('64');
  await card.locator('input[name="isoDepths"]').fill('2, 6');
  await card.locator('input[name="isoSigmaW2"]').fill('1.05');
  await card.getByRole('button', { name: 'Run' }).click();
  const hist = page.locator('figure[data-chart^="Eigenvalues of J Jᵀ beside the limiting law"]');
  await hist.waitFor({ timeout: 60000 });
  const iso = app.host.core.session.labs.fisher.isometry!;
  assert.ok(iso.runs.every((r) => r.theory && r.histogram && r.lr));
  await page.getByTestId('isometry-run').selectOption({ index: 3 });
  await page
    .locator('figure[data-chart="Gradient descent on this input at η = c · 2/λ_max(theory) (L = 6, orthogonal)"]')
    .waitFor();
  const fig = page.locator('figure[data-chart="Largest eigenvalue vs depth"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const rows = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n');
  const theory = rows.filter((l) => l.startsWith('"orthogonal: free probability"')).map((l) => Number(l.split(',')[2]));
  assert.deepEqual(
    theory,
    iso.runs.filter((r) => r.weights === 'orthogonal').map((r) => r.theory!.lambdaMax),
  );
  if (process.env.KAIRO_SHOT) await page.screenshot({ path: process.env.KAIRO_SHOT, fullPage: true });
  assert.deepEqual(pageErrors, []);
});
