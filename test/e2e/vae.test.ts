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
  await app.page.locator('input[name="latent"]').fill('2');
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

  // Hover: the nearest state's class and index (scan the plot until the pointer meets one), and a class legend.
  const plot = (await scatter.locator('canvas').first().boundingBox())!;
  const tip = scatter.getByTestId('scatter-tip');
  scan: for (let y = 10; y < plot.height; y += 10)
    for (let x = 10; x < plot.width; x += 10) {
      await app.page.mouse.move(plot.x + x, plot.y + y);
      if (await tip.count()) break scan;
    }
  assert.match((await tip.textContent())!, /class \d+ · state \d+/);
  await scatter.getByTestId('scatter-legend').filter({ hasText: 'class 0' }).waitFor();

  // Metric curves, one series per run, carry exactly the stored numbers.
  const fig = app.page.locator('figure[data-chart="Mean distance to own concept"]');
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n');
  assert.equal(csv.length, 1 + 2 * 9);
  const row = csv.find((l) => l.startsWith('"σ = 0.6 · mean",3,'))!;
  assert.equal(Number(row.split(',')[2]), runs[1]!.points[3]!.meanDistOwn);

  const [svg] = await Promise.all([app.page.waitForEvent('download'), scatter.getByRole('button', { name: 'SVG' }).click()]);
  assert.equal((readFileSync((await svg.path())!, 'utf8').match(/<circle/g) ?? []).length, 300);
  assert.deepEqual(pageErrors, []);
});

test('the paper setting in one click: hierarchical data in the browser, a trained VAE, recall with per-level curves and minima', async () => {
  // Retraining over the recall runs of the first test asks first; this test means it.
  const accept = (d: import('playwright-core').Dialog) => {
    assert.match(d.message(), /^Retraining replaces the current model and its \d+ recall runs? shown here/);
    void d.accept();
  };
  app.page.on('dialog', accept);
  await app.page.getByRole('button', { name: 'VAE recall' }).click();
  await app.page.getByRole('button', { name: /^Paper setting/ }).click();
  const table = app.page.getByTestId('recall-minima');
  await table.locator('tbody tr').nth(3).waitFor({ timeout: 120000 });
  const lab = app.host.core.session.labs.vae;
  assert.equal(lab.result!.params.source.kind, 'hierarchical');
  assert.deepEqual(lab.result!.hierarchy, { roots: 2, conceptsPerRoot: 4 });
  const runs = lab.runs.filter((r) => r.params.noiseKind === 'bitflip');
  assert.deepEqual(
    runs.map((r) => r.noise),
    [0, 0.1, 0.2, 0.4],
  );
  // The table shows each run's stored minimum of the normalised concept distance.
  const row = table.locator('tbody tr', { hasText: 'flip p = 0.1 · mean' });
  const m = runs[1]!.minima.concept!;
  assert.match((await row.textContent())!, new RegExp(`${m.min.toFixed(3)} at t = ${m.step}`));
  // The normalised root-distance curve carries d_root(t)/d_root(0) of the stored points.
  const fig = app.page.locator('figure[data-chart="Distance to own root centre, normalised"]');
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n');
  const line = csv.find((l) => l.startsWith('"flip p = 0.4 · mean",2,'))!;
  const p = runs[3]!.points;
  assert.ok(Math.abs(Number(line.split(',')[2]) - p[2]!.distRoot! / p[0]!.distRoot!) < 1e-9, line);
  // The scatter marks the two root centres and the global centre.
  const scatter = app.page.locator('figure[data-scatter]');
  const [svg] = await Promise.all([app.page.waitForEvent('download'), scatter.getByRole('button', { name: 'SVG' }).click()]);
  const text = readFileSync((await svg.path())!, 'utf8');
  assert.equal((text.match(/<rect [^>]*stroke-width="2\.5"/g) ?? []).length, 2);
  assert.equal((text.match(/<ellipse /g) ?? []).length, 1);
  // A figure for a paper: framed, titled, its axes named for what they are, a legend; no embedded picture.
  assert.doesNotMatch(text, /<image/);
  assert.match(text, />PC 1 of the training codes<\/text>/);
  assert.match(text, />class 0<\/text>/);
  assert.match(text, />□ root centre<\/text>/);
  // The Datasets lab browses the same generated patterns.
  await app.page.getByRole('button', { name: 'Datasets' }).click();
  const facts = app.page.getByTestId('dataset-facts').filter({ hasText: 'Hierarchical patterns' });
  await facts.waitFor();
  assert.match((await facts.textContent())!.replace(/\s+/g, ' '), /: 800 train \/ 800 test · 10×10 · 8 classes/);
  assert.deepEqual(pageErrors, []);
});

test('a training run that goes NaN shows a "diverged" outcome with its step, and keeps the model that was there', async () => {
  await app.page.getByRole('button', { name: 'VAE recall' }).click();
  const before = app.host.core.session.labs.vae.result;
  await app.page.locator('input[name="hidden"]').fill('64');
  await app.page.locator('input[name="latent"]').fill('2');
  await app.page.locator('select[name="decoder"]').selectOption('gaussian');
  await app.page.locator('input[name="learningRate"]').fill('1');
  await app.page.locator('input[name="epochs"]').fill('1');
  await app.page.locator('input[name="trainSize"]').fill('2000');
  await app.page.getByRole('button', { name: 'Train VAE' }).click();
  const job = app.page.locator('.job[data-job-state="diverged"]');
  await job.waitFor({ timeout: 60000 });
  assert.match((await job.textContent())!, /diverged: the training loss (became|grew to) \S+ at step \d+/);
  assert.deepEqual(app.host.core.session.labs.vae.result, before);
  assert.deepEqual(pageErrors, []);
});
