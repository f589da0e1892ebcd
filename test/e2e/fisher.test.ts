// The Fisher/NTK lab in the browser host: configure a network, compute its spectrum, run a
// width sweep and see measured points beside the theory lines, export the chart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHost, type Host } from '../../core/host/server.ts';
import { theoryFor } from '../../core/services/fisher/jobs.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
let host: Host;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  host = await startHost({ rendererDir: 'dist/renderer' });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(host.url);
});

after(async () => {
  await browser?.close();
  await host?.close();
});

test('configure a network, compute its spectrum, run a width sweep and export it', async () => {
  await page.getByRole('button', { name: 'Fisher / NTK spectra' }).click();
  await page.locator('input[name="width"]').fill('48');
  await page.locator('input[name="inputDim"]').fill('48');
  await page.locator('input[name="samples"]').fill('16');
  await page.getByRole('button', { name: 'Compute spectrum' }).click();
  await page.locator('figure[data-chart="Spectrum of F (nonzero eigenvalues)"]').waitFor({ timeout: 30000 });
  const s = host.core.session.labs.fisher.spectrum!;
  assert.equal(s.network.width, 48);
  const row = page.locator('[data-testid="fisher-stats"] tr[data-stat="lambda_max"] td');
  await row.nth(1).filter({ hasText: s.stats.lambda_max.toPrecision(5) }).waitFor();
  assert.equal(await row.nth(2).textContent(), s.theory!.lambda_max.toPrecision(5));

  await page.locator('input[name="values"]').fill('16, 32, 64');
  await page.locator('input[name="seeds"]').fill('2');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const fig = page.locator('figure[data-chart="λ_max vs width"]');
  await fig.waitFor({ timeout: 60000 });
  const sweep = host.core.session.labs.fisher.sweep!;
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const series = (name: string) => csv.filter((c) => c[0] === JSON.stringify(name)).map((c) => [Number(c[1]), Number(c[2])]);
  assert.deepEqual(series('measured (mean)'), sweep.points.map((p) => [p.value, p.mean.lambda_max]));
  // The theory line is the mean-field prediction for each width, computed here independently of the job.
  for (const [w, y] of series('mean-field theory')) {
    const t = theoryFor({ ...sweep.params.network, width: w! })!;
    assert.ok(Math.abs(y! - t.lambda_max) < 1e-9 * t.lambda_max);
  }
  const [svg] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'SVG' }).click()]);
  assert.match(readFileSync((await svg.path())!, 'utf8'), /^<svg/);
  assert.deepEqual(pageErrors, []);
});
