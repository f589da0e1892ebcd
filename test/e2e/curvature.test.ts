// The curvature lab in the browser host: the quick look's Fisher λ_max beside the Fisher lab's
// and the theory, the density exported as CSV equal to the stored one, a PyTorch MLP of the
// user's own chosen through the path dialog, sharpness tracked during gradient descent, and a
// model trained in the session.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CURVATURE_SESSION_MODEL_LABELS } from '../../core/contract.ts';
import { defaultFieldTrain } from '../../core/labs/field/state.ts';
import { encodeSafetensors } from '../../core/session/safetensors.ts';
import { runJobDone, tempDir } from '../helpers.ts';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

test('the quick look: Lanczos λ_max beside the Fisher lab and the theory, and the density as CSV', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Curvature' }).click();
  await page.getByRole('button', { name: /^Quick look/ }).click();
  const table = page.getByTestId('curvature-fisher-lab');
  await table.waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.curvature.result!;
  const cells = table.locator('tbody tr td:nth-child(2)');
  assert.equal(await cells.nth(0).textContent(), r.top[0]!.toPrecision(5));
  assert.equal(await cells.nth(1).textContent(), r.fisherLab!.lambdaMax.toPrecision(5));
  assert.equal(await cells.nth(2).textContent(), r.fisherLab!.theoryLambdaMax!.toPrecision(5));
  assert.equal(await page.getByTestId('curvature-layers').locator('tbody tr').count(), 3);
  const fig = page.locator('figure[data-chart="Spectral density of the Fisher (true)"]');
  await fig.waitFor();
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  // Rows are "label",x,y; the label itself has commas, so read from the right.
  const rows = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.match(/^(".*"),([^,]*),([^,]*)$/)!);
  const density = rows.filter((c) => c[1]!.startsWith('"density')).map((c) => Number(c[3]));
  assert.deepEqual(density, r.density!.y);
  // The same density against log λ: the bulk's decades.
  await page.getByTestId('curvature-log-axis').check();
  await page.locator('figure[data-chart="Spectral density of the Fisher (true), log λ axis"]').waitFor();
  await page.getByTestId('curvature-log-axis').uncheck();
  assert.deepEqual(pageErrors, []);
});

test('a PyTorch MLP of your own, chosen through the path dialog, on MNIST', async () => {
  const page = app.page;
  const dir = tempDir();
  const rand = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.05);
  const chunks = encodeSafetensors(
    {
      '1.weight': { dtype: 'F32', shape: [16, 784], data: rand(16 * 784) },
      '1.bias': { dtype: 'F32', shape: [16], data: rand(16) },
      '3.weight': { dtype: 'F32', shape: [10, 16], data: rand(160) },
      '3.bias': { dtype: 'F32', shape: [10], data: rand(10) },
    },
    {},
  );
  const weights = join(dir, 'mine.safetensors');
  writeFileSync(weights, Buffer.concat(chunks));
  const layers = join(dir, 'mine.json');
  writeFileSync(layers, JSON.stringify({ layers: [['Flatten'], ['Linear', 784, 16], ['Tanh'], ['Linear', 16, 10]] }));
  await page.getByTestId('curvature-model').selectOption('import');
  for (const [button, path] of [
    ['Weights…', weights],
    ['Layers…', layers],
  ] as const) {
    await page.getByRole('button', { name: button }).click();
    await page.locator('input[name="path"]').fill(path);
    await page.getByRole('button', { name: 'OK', exact: true }).click();
  }
  await page.getByTestId('curvature-weights').filter({ hasText: 'mine.safetensors' }).waitFor();
  await page.locator('input[name="importSamples"]').fill('64');
  await page.locator('select[name="matrix"]').selectOption('hessian');
  await page.locator('input[name="top"]').fill('2');
  await page.locator('input[name="density"]').uncheck();
  await page.getByRole('button', { name: 'Compute', exact: true }).click();
  await page.getByTestId('curvature-result').filter({ hasText: 'mine.safetensors' }).waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.curvature.result!;
  assert.equal(r.parameters, 784 * 16 + 16 + 170);
  assert.equal(r.samples, 64);
  assert.equal(r.top.length, 2);
  assert.equal(await page.getByTestId('curvature-layers').locator('tbody tr').count(), 2);
  assert.equal(await page.getByTestId('curvature-fisher-lab').count(), 0);
  assert.deepEqual(pageErrors, []);
});

test('sharpness during gradient descent, drawn beside 2/η', async () => {
  const page = app.page;
  await page.locator('input[name="trackWidth"]').fill('8');
  await page.locator('input[name="trackSamples"]').fill('40');
  await page.locator('input[name="trackSteps"]').fill('20');
  await page.locator('input[name="trackEvery"]').fill('10');
  await page.locator('input[name="trackLr"]').fill('0.02');
  await page.getByRole('button', { name: 'Train and track' }).click();
  const summary = page.getByTestId('curvature-track-summary');
  await summary.waitFor({ timeout: 60000 });
  const t = app.host.core.session.labs.curvature.track!;
  assert.deepEqual(t.steps, [0, 10, 20]);
  assert.match((await page.getByTestId('curvature-track-sharpness').textContent())!, /against 2\/η = 100\.00/);
  await page.locator('figure[data-chart="Sharpness λ_max and the stability edge 2/η"]').waitFor();
  assert.deepEqual(pageErrors, []);
});

test("a model trained in the session: the picker offers the field lab's network, and its curvature is computed", async () => {
  const page = app.page;
  await page.getByTestId('curvature-model').selectOption('session');
  await page.getByTestId('curvature-session-hint').filter({ hasText: 'No model is trained in this session yet' }).waitFor();
  const field = {
    ...defaultFieldTrain(),
    kind: 'vanilla' as const,
    width: 16,
    trainSize: 40,
    testSize: 40,
    steps: 3,
    trackEvery: 3,
  };
  await runJobDone(app.host.core, 'field.train', field);
  const pick = page.locator('select[name="sessionLab"]');
  await pick.waitFor();
  assert.deepEqual(await pick.locator('option').allTextContents(), [CURVATURE_SESSION_MODEL_LABELS.field]);
  await page.locator('input[name="sessionSamples"]').fill('40');
  await page.locator('input[name="top"]').fill('2');
  await page.getByRole('button', { name: 'Compute', exact: true }).click();
  await page.getByTestId('curvature-result').filter({ hasText: "field lab's vanilla network" }).waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.curvature.result!;
  assert.equal(r.params.model, 'session');
  assert.equal(r.samples, 40);
  assert.equal(r.parameters, 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10);
  // The field lab drew the sharpness its training recorded, beside 2/η.
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Random neural fields' }).click();
  const sharp = page.getByTestId('field-sharpness');
  await sharp.waitFor();
  const s = app.host.core.session.labs.field.result!.sharpness!;
  assert.deepEqual(s.steps, [0, 3]);
  assert.match((await sharp.textContent())!, new RegExp(`against 2/η = ${s.twoOverLr.toPrecision(5).replace('.', '\\.')}`));
  assert.deepEqual(pageErrors, []);
});
