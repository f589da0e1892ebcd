// The Sweeps lab in the browser: open a folder a sweep wrote (as a cluster would have), see its
// runs in a table and a result charted against a parameter; the chart's CSV holds the runs' numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LAB_COMMANDS } from '../../core/cli/commands.ts';
import { runOne } from '../../core/labs/sweep/runner.ts';
import { validateSpec } from '../../core/labs/sweep/spec.ts';
import { cliOnFreshCore, tempDir } from '../helpers.ts';
import { openApp, runQuickLook } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('open a collected sweep folder, table its runs, chart λ_max against width', async () => {
  const dir = join(tempDir(), 'sweep');
  const spec = validateSpec(
    { command: ['fisher', 'theory'], fixed: { samples: 50 }, grid: { width: [100, 1000, 10000], depth: [2, 3] } },
    LAB_COMMANDS,
  );
  for (let i = 0; i < 6; i++) await runOne(dir, spec, i, LAB_COMMANDS.get('fisher')!, LAB_COMMANDS, await cliOnFreshCore());

  await app.page.getByRole('button', { name: 'Sweeps' }).click();
  await app.page.getByRole('button', { name: 'Open a collected folder…' }).click();
  await app.page.locator('input[name="path"]').fill(dir);
  await app.page.getByRole('button', { name: 'OK', exact: true }).click();
  await app.page.getByTestId('sweep-summary').filter({ hasText: 'fisher theory · 6 of 6 runs' }).waitFor();
  const rows = app.page.getByTestId('sweep-runs').locator('tbody tr');
  assert.equal(await rows.count(), 6);
  await app.page.locator('select[name="sweepX"]').selectOption('width');
  await app.page.locator('select[name="sweepY"]').selectOption('lambda_max');
  // Axis titles name the quantity, then the CLI's key.
  const fig = app.page.locator('figure[data-chart="largest FIM eigenvalue λ_max (lambda_max) against width M (width)"]');
  await fig.waitFor();
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n');
  const stored = app.host.core.session.labs.sweep.result!.runs;
  const want = stored.find((r) => r.params.width === 1000 && r.params.depth === 3)!.result as { lambda_max: number };
  const line = csv.find((l) => l.startsWith('"lambda_max (depth=3)",1000,'))!;
  assert.ok(line, csv.join('\n'));
  assert.equal(Number(line.split(',')[2]), want.lambda_max);
  // Sorting by a column reorders the table.
  await app.page
    .getByTestId('sweep-runs')
    .getByRole('button', { name: /^lambda_max/ })
    .click();
  await app.page
    .getByTestId('sweep-runs')
    .getByRole('button', { name: /^lambda_max/ })
    .click();
  const first = await rows.first().locator('td').first().textContent();
  const maxRun = stored.reduce((a, b) =>
    (a.result as { lambda_max: number }).lambda_max > (b.result as { lambda_max: number }).lambda_max ? a : b,
  );
  assert.equal(Number(first), maxRun.index);
  assert.deepEqual(pageErrors, []);
});

test('the Sweeps quick look runs its sweep here and says what it measured, as its line does', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Sweeps' }).click();
  assert.match(await runQuickLook(page), /λ_max\/M = [\d.]+ at M = 32 and [\d.]+ at M = 256 · .*— as the line says/);
  const result = app.host.core.session.labs.sweep.result!;
  assert.deepEqual(
    result.runs.map((r) => r.params.width).sort((a, b) => Number(a) - Number(b)),
    [32, 64, 128, 256],
  );
  assert.deepEqual(app.pageErrors, []);
});
