// The augmentation lab in the browser host: tick the policies, compare at two sizes, read the table
// and the accuracy-against-size chart's CSV against the stored result, see SPA's samples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('NA against SPA at two sizes: the table and the size chart show the stored means; SPA’s samples appear', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Augmentation' }).click();
  // A set with nothing ticked is flagged at the field.
  for (const p of ['none', 'conventional', 'self-paced']) await page.locator(`input[name="augPolicies-${p}"]`).uncheck();
  assert.match((await page.getByTestId('field-error').first().textContent()) ?? '', /tick at least 1/);
  for (const p of ['none', 'self-paced']) await page.locator(`input[name="augPolicies-${p}"]`).check();
  // The threshold fields belong to SPA; RandAugment's N shows only when it is ticked.
  assert.equal(await page.locator('input[name="augRandOps"]').count(), 0);
  assert.equal(await page.locator('input[name="augThreshold"]').count(), 1);
  // Picking the authors' protocol sets its fields; picking quick again restores Kairo's.
  await page.locator('select[name="augProtocol"]').selectOption('authors');
  assert.equal(await page.locator('select[name="augArch"]').inputValue(), 'bn-cnn');
  assert.equal(await page.locator('select[name="augOptimizer"]').inputValue(), 'sgd-nesterov');
  assert.equal(await page.locator('input[name="augEpochs"]').inputValue(), '200');
  assert.equal(await page.locator('input[name="augWeightDecay"]').count(), 1, 'weight decay shows with SGD');
  assert.ok(await page.locator('input[name="augAugment-mixup"]').isChecked());
  await page.locator('select[name="augProtocol"]').selectOption('quick');
  assert.equal(await page.locator('input[name="augEpochs"]').inputValue(), '20');
  assert.equal(await page.locator('input[name="augWeightDecay"]').count(), 0, 'and hides with Adam');
  assert.ok(!(await page.locator('input[name="augAugment-mixup"]').isChecked()));
  await page.locator('select[name="augArch"]').selectOption('mlp');
  await page.locator('input[name="augPerClass"]').fill('4, 8');
  await page.locator('input[name="augEpochs"]').fill('2');
  await page.locator('input[name="augSeeds"]').fill('2');
  await page.locator('input[name="augTestCount"]').fill('150');
  await page.locator('input[name="augProbe"]').fill('10');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const table = page.getByTestId('augment-table');
  await table.waitFor({ timeout: 120000 });
  const r = app.host.core.session.labs.augment.result!;
  assert.deepEqual(r.params.policies, ['none', 'self-paced']);
  assert.equal(await table.locator('tbody tr').count(), 4);
  const spa = r.cells.find((c) => c.policy === 'self-paced' && c.perClass === 8)!;
  const row = table.locator('tbody tr[data-policy="self-paced"][data-per-class="8"]');
  assert.equal(
    await row.locator('td').nth(3).textContent(),
    `${(100 * spa.accuracy.mean).toFixed(1)} ± ${(100 * spa.accuracy.sd).toFixed(1)}`,
  );
  const fig = page.locator('figure[data-chart="Final test accuracy against training-set size"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const head = `${JSON.stringify('SPA (self-paced)')},`;
  const ys = readFileSync((await dl.path())!, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(head))
    .map((l) => Number(l.slice(head.length).split(',')[1]));
  assert.deepEqual(
    ys.map((y) => y.toFixed(9)),
    r.cells.filter((c) => c.policy === 'self-paced').map((c) => (100 * c.accuracy.mean).toFixed(9)),
  );
  const grid = page.locator('canvas[aria-label="Most (top) and least (bottom) augmented by SPA"]');
  await grid.waitFor();
  assert.equal(Number(await grid.getAttribute('data-count')), r.samples!.most.length + r.samples!.least.length);
  const first = r.samples!.most[0]!;
  const cell = (row: string) => page.getByTestId('augment-samples').locator(`tr[data-row="${row}"] td`).first().textContent();
  assert.deepEqual(
    [await cell('most'), await cell('most-times'), await cell('most-loss')],
    [String(first.label), String(first.times), first.loss.toFixed(2)],
  );
  assert.deepEqual(pageErrors, []);
});
