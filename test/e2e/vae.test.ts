// The VAE lab as a user drives it in the browser host: train a tiny VAE, run recall at two
// noise levels, watch the scatter animate and the metric curves appear, export; the numbers
// on the page checked against the core's stored results.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('train a tiny VAE, run recall, see the animated scatter and metric curves, export them', async () => {
  await app.page.getByRole('button', { name: 'VAE recall' }).click();
  await app.page.locator('input[name="hidden"]').fill('64');
  await app.page.locator('select[name="latent"]').selectOption('2');
  await app.page.locator('input[name="epochs"]').fill('2');
  await app.page.locator('input[name="trainSize"]').fill('3000');
  await app.page.getByRole('button', { name: 'Train VAE' }).click();
  const result = app.page.getByTestId('vae-result');
  await result.filter({ hasText: /^Trained \d+ steps · mlp 64-2/ }).waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.vae.result!;
  assert.match((await result.textContent())!, new RegExp(`test −ELBO ${r.testNegElbo!.toFixed(2)} nats`));
  await app.page.locator('figure[data-chart="Test negative ELBO per epoch"]').waitFor();
  await app.page.locator('[data-images="Samples from the prior"] canvas').waitFor();

  await app.page.locator('input[name="noise"]').fill('0, 0.6');
  await app.page.locator('input[name="samples"]').fill('300');
  await app.page.locator('input[name="iterations"]').fill('8');
  await app.page.getByRole('button', { name: 'Run recall' }).click();
  const scatter = app.page.locator('figure[data-scatter]');
  await scatter.waitFor({ timeout: 60000 });
  const runs = app.host.core.session.labs.vae.runs;
  assert.equal(runs.length, 2);

  // The scatter animates: play from t = 0 and the frame advances; the pixels change with it.
  const pixels = () => scatter.locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await app.page.getByRole('button', { name: 'first iteration' }).click();
  await app.page.getByTestId('scatter-iteration').filter({ hasText: 't = 0 / 8' }).waitFor();
  const first = await pixels();
  await app.page.getByRole('button', { name: 'play' }).click();
  await app.page.getByTestId('scatter-iteration').filter({ hasText: 't = 8 / 8' }).waitFor({ timeout: 10000 });
  assert.notEqual(await pixels(), first);

  // Metric curves, one series per run, carry exactly the stored numbers.
  const fig = app.page.locator('figure[data-chart="Mean distance to own concept"]');
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 2 * 9);
  const row = csv.find((l) => l.startsWith('"σ = 0.6 · mean",3,'))!;
  assert.equal(Number(row.split(',')[2]), runs[1]!.points[3]!.meanDistOwn);

  const [svg] = await Promise.all([app.page.waitForEvent('download'), scatter.getByRole('button', { name: 'SVG' }).click()]);
  assert.equal((readFileSync((await svg.path())!, 'utf8').match(/<circle/g) ?? []).length, 300);
  assert.deepEqual(pageErrors, []);
});
