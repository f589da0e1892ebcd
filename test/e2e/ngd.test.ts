// The natural-gradient lab in the browser host: train every method from one initialisation, read the
// summary against the stored result, export a loss chart, keep the first comparison when a second
// one runs, and compute one unit's Fisher.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NGD_METHOD_LABELS } from '../../core/contract.ts';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('train and compare every method, read the summary and export the train-loss chart', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Natural gradient' }).click();
  await page.locator('input[name="width"]').fill('64');
  await page.locator('input[name="inputDim"]').fill('16');
  await page.locator('input[name="samples"]').fill('12');
  await page.locator('input[name="testSamples"]').fill('8');
  await page.locator('input[name="steps"]').fill('3');
  // The theory's α is shown beside each method as the form changes: block-diagonal is L = 3.
  await page.getByTestId('ngd-methods').locator('label', { hasText: 'block-diagonal' }).filter({ hasText: 'α = 3' }).waitFor();
  await page.getByRole('button', { name: 'Train and compare' }).click();
  const fig = page.locator('figure[data-chart="Train loss, each at its best η"]');
  await fig.waitFor({ timeout: 60000 });
  const c = app.host.core.session.labs.ngd.compare!;
  assert.equal(c.params.network.width, 64);
  assert.equal(c.runs.length, 6);
  // The summary's rows are the stored runs, in order, with their α and measured first-step ratio.
  const rows = page.getByTestId('ngd-summary').locator('tbody tr');
  assert.equal(await rows.count(), 6);
  const kfac = c.runs.find((r) => r.method === 'kfac')!;
  const kr = rows.nth(c.runs.indexOf(kfac)).locator('td');
  assert.equal(await kr.nth(2).textContent(), String(kfac.theory.alpha));
  const ratio = kfac.losses[1]! / kfac.losses[0]!;
  assert.equal(await kr.nth(4).textContent(), ratio < 1e-3 ? ratio.toExponential(3) : ratio.toPrecision(4));
  // CSV: the measured exact-NGD series is the stored loss curve.
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const exact = c.runs.find((r) => r.method === 'exact')!;
  const ys = csv
    .map((l) => l.split(','))
    .filter((r) => r[0] === JSON.stringify(NGD_METHOD_LABELS.exact))
    .map((r) => Number(r[2]));
  assert.deepEqual(ys, exact.losses);
  await page.locator('figure[data-chart="Isotropy: eigenvalues of J(G̃ + ρI)⁻¹Jᵀ at initialisation ÷ α"]').waitFor();

  // A second comparison keeps the first one, which can be shown again.
  await page.locator('input[name="depth"]').fill('2');
  await page.getByRole('button', { name: 'Train and compare' }).click();
  await page.getByTestId('ngd-history').waitFor({ timeout: 60000 });
  assert.equal(app.host.core.session.labs.ngd.history.length, 1);
  await page.getByTestId('ngd-history').selectOption({ index: 1 });
  await rows.first().waitFor();
  assert.equal(await page.getByTestId('ngd-compare').getByText('P = ').count(), 1);
  assert.deepEqual(pageErrors, []);
});

test('the unit-wise Fisher of one unit: closed-form eigenvalues beside Monte Carlo', async () => {
  const page = app.page;
  await page.locator('input[name="unitInputs"]').fill('4');
  await page.locator('input[name="unitSamples"]').fill('20000');
  await page.getByRole('button', { name: 'Compute' }).click();
  const table = page.getByTestId('unit-eigenvalues');
  await table.waitFor({ timeout: 30000 });
  const u = app.host.core.session.labs.ngd.unit!;
  assert.equal(await table.locator('tbody tr').count(), 5);
  assert.equal(u.closedForm.length, 5);
  await page.locator('figure[data-heatmap="G⁻¹, explicit"]').waitFor();
  assert.deepEqual(pageErrors, []);
});
