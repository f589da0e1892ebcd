// The VAE lab as a user drives it in the browser host: train a tiny VAE, run recall at two
// noise levels, watch the scatter animate and the metric curves appear, export; the numbers
// on the page checked against the core's stored results.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHost, type Host } from '../../core/host/server.ts';
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

test('train a tiny VAE, run recall, see the animated scatter and metric curves, export them', async () => {
  await page.getByRole('button', { name: 'VAE recall' }).click();
  await page.locator('input[name="hidden"]').fill('64');
  await page.locator('select[name="latent"]').selectOption('2');
  await page.locator('input[name="epochs"]').fill('2');
  await page.locator('input[name="trainSize"]').fill('3000');
  await page.getByRole('button', { name: 'Train VAE' }).click();
  const result = page.getByTestId('vae-result');
  await result.filter({ hasText: /^Trained \d+ steps · mlp 64-2/ }).waitFor({ timeout: 60000 });
  const r = host.core.session.labs.vae.result!;
  assert.match((await result.textContent())!, new RegExp(`test −ELBO ${r.testNegElbo!.toFixed(2)} nats`));
  await page.locator('figure[data-chart="Test negative ELBO per epoch"]').waitFor();
  await page.locator('[data-images="Samples from the prior"] canvas').waitFor();

  await page.locator('input[name="noise"]').fill('0, 0.6');
  await page.locator('input[name="samples"]').fill('300');
  await page.locator('input[name="iterations"]').fill('8');
  await page.getByRole('button', { name: 'Run recall' }).click();
  const scatter = page.locator('figure[data-scatter]');
  await scatter.waitFor({ timeout: 60000 });
  const runs = host.core.session.labs.vae.runs;
  assert.equal(runs.length, 2);

  // The scatter animates: play from t = 0 and the frame advances; the pixels change with it.
  const pixels = () => scatter.locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await page.getByRole('button', { name: 'first iteration' }).click();
  await page.getByTestId('scatter-iteration').filter({ hasText: 't = 0 / 8' }).waitFor();
  const first = await pixels();
  await page.getByRole('button', { name: 'play' }).click();
  await page.getByTestId('scatter-iteration').filter({ hasText: 't = 8 / 8' }).waitFor({ timeout: 10000 });
  assert.notEqual(await pixels(), first);

  // Metric curves, one series per run, carry exactly the stored numbers.
  const fig = page.locator('figure[data-chart="Mean distance to own concept"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 2 * 9);
  const row = csv.find((l) => l.startsWith('"σ = 0.6 · mean",3,'))!;
  assert.equal(Number(row.split(',')[2]), runs[1]!.points[3]!.meanDistOwn);

  const [svg] = await Promise.all([page.waitForEvent('download'), scatter.getByRole('button', { name: 'SVG' }).click()]);
  assert.equal((readFileSync((await svg.path())!, 'utf8').match(/<circle/g) ?? []).length, 300);
  assert.deepEqual(pageErrors, []);
});
