// Jobs belong to the app, not the page: leaving a lab while it trains and coming back shows the
// running job (its Train button disabled, so no duplicate can be queued), and the result lands
// in the lab even though it finished while another lab was open.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openApp } from './browser.ts';

const app = openApp();

test('a job started in a lab is still that lab’s job after switching labs, and its result lands there', async () => {
  const page = app.page;
  await page.getByTestId('page-range').waitFor();
  await page.getByLabel('Epochs').fill('3');
  await page.getByRole('button', { name: 'Train baseline' }).click();
  await page.locator('[data-job-state="running"]').first().waitFor();

  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Fisher / NTK spectra' }).click();
  await page.getByRole('heading', { name: 'Network', exact: true }).waitFor();
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Datasets' }).click();

  const train = page.getByRole('button', { name: 'Train baseline' });
  await train.waitFor();
  assert.equal(await train.isDisabled(), true, 'Train is enabled while the baseline still trains');
  const jobsBefore = await page.locator('[data-job-state]').count();
  await train.click({ force: true }).catch(() => undefined);
  assert.equal(await page.locator('[data-job-state]').count(), jobsBefore, 'a second job was queued');

  // It ends while another lab is open; back in the Datasets lab its result is shown.
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'VAE recall' }).click();
  await page.locator('[data-job-state="done"]').first().waitFor({ timeout: 60000 });
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Datasets' }).click();
  await page
    .getByTestId('baseline-result')
    .filter({ hasText: /^Trained \d+ steps · test accuracy/ })
    .waitFor();
  assert.equal(await train.isDisabled(), false);
  assert.deepEqual(app.pageErrors, []);
});

test('a form field generated from its spec says what it is, its allowed range and its CLI flag', async () => {
  const label = app.page.locator('label', { has: app.page.locator('input[name="epochs"]') });
  // The baseline has no CLI command: no flag is named.
  assert.equal(await label.getAttribute('title'), 'passes over the training images · ≥ 1, ≤ 1000');
  await app.page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Fisher / NTK spectra' }).click();
  const sigma = app.page.locator('label', { has: app.page.locator('input[name="sigmaW2"]') });
  assert.equal(
    await sigma.getAttribute('title'),
    'weight variance × fan-in: W_ij ~ N(0, σ_w²/M_(l−1)) · > 0, ≤ 100 · --sigma-w2',
  );
});

test('the capacity experiment runs from its generated form, list fields included', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Hopfield–Boltzmann' }).click();
  await page.locator('input[name="betas"]').fill('1, 4');
  await page.locator('input[name="patternCounts"]').fill('10');
  await page.locator('input[name="levels"]').fill('0.5');
  await page.locator('input[name="trials"]').fill('2');
  await page.locator('input[name="capSteps"]').fill('2');
  await page.getByRole('button', { name: 'Run capacity experiment' }).click();
  await page.locator('figure[data-chart="Retrieval success vs stored patterns"]').waitFor({ timeout: 60000 });
  const cap = app.host.core.session.labs.hopfield.capacity!;
  assert.deepEqual(
    [cap.params.betas, cap.params.patternCounts, cap.params.levels, cap.params.trials, cap.params.steps],
    [[1, 4], [10], [0.5], 2, 2],
  );
  assert.equal(cap.points.length, 2);
});

test('a result that lands while another lab is open puts a badge on its lab until visited', async () => {
  const page = app.page;
  const nav = page.getByRole('navigation', { name: 'labs' });
  await nav.getByRole('button', { name: 'Datasets' }).click();
  await page.getByLabel('Epochs').fill('1');
  await page.getByRole('button', { name: 'Train baseline' }).click();
  await nav.getByRole('button', { name: /^Fisher/ }).click();
  const badge = nav.getByRole('button', { name: /^Datasets/ }).getByTestId('lab-badge');
  await badge.waitFor({ timeout: 60000 });
  assert.equal(await badge.textContent(), '1');
  assert.equal(await nav.getByTestId('lab-badge').count(), 1);
  await nav.getByRole('button', { name: /^Datasets/ }).click();
  assert.equal(await nav.getByTestId('lab-badge').count(), 0);
});

test('each lab keeps its own scroll offset: another lab opens at its top, and coming back restores it', async () => {
  const page = app.page;
  const nav = (name: string) => page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name }).click();
  const main = page.getByTestId('lab-main');
  await nav('Fisher / NTK spectra');
  await page.getByRole('heading', { name: 'Network', exact: true }).waitFor();
  const top = await main.evaluate((m) => {
    m.scrollTo({ top: 400 });
    return m.scrollTop;
  });
  assert.ok(top > 0, 'the Fisher lab does not scroll here');
  await nav('Continual learning');
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-main"]')!.scrollTop === 0);
  await nav('Fisher / NTK spectra');
  await page.waitForFunction((t) => document.querySelector('[data-testid="lab-main"]')!.scrollTop === t, top);
  assert.deepEqual(app.pageErrors, []);
});
