// The Fisher/NTK lab in the browser host: configure a network, compute its spectrum, run a
// width sweep and see measured points beside the theory lines, export the chart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { theoryFor } from '../../core/labs/fisher/jobs.ts';
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
