// The random-neural-field lab in the browser host: explore an initialiser, build and train a
// field model, see the NTK overlay and a robustness curve.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

async function csvOf(title: string): Promise<string[][]> {
  const fig = app.page.locator(`figure[data-chart="${title}"]`);
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  return readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

test('explore a field, train it in the NTK regime beside the prediction, and measure robustness', async () => {
  await app.page.getByRole('button', { name: 'Random neural fields' }).click();
  await app.page.locator('figure[data-chart="Weight correlation vs distance"]').waitFor({ timeout: 30000 });
  await app.page.getByTestId('field-variance').waitFor();
  // The slider changes the kernel: the formula's correlation at a lag follows s_σ.
  await app.page.locator('input[name="sSigma"]').fill('0.05');
  await app.page.waitForFunction(() => /s_σ = 0\.050/.test(document.body.textContent ?? ''));
  await app.page.waitForTimeout(1500);
  const corr = await csvOf('Weight correlation vs distance');
  const at20 = corr.find((c) => c[0] === '"kernel formula"' && c[1] === '20')!;
  assert.ok(Math.abs(Number(at20[2]) - Math.exp(-((20 / 784) ** 2) / (2 * 0.05 ** 2))) < 1e-9);

  await app.page.locator('input[name="width"]').fill('128');
  await app.page.locator('input[name="trainSize"]').fill('40');
  await app.page.locator('input[name="testSize"]').fill('200');
  await app.page.locator('input[name="steps"]').fill('30');
  await app.page.getByRole('button', { name: 'Train', exact: true }).click();
  await app.page.getByTestId('field-result').waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.field.result!;
  assert.equal(r.params.width, 128);
  const loss = await csvOf('Training loss beside the NTK prediction');
  const ntk = loss.filter((c) => c[0] === '"NTK prediction (kernel at init)"').map((c) => Number(c[2]));
  assert.deepEqual(ntk, r.ntkLoss);
  assert.equal(loss.filter((c) => c[0] === '"measured training loss"').length, 31);

  await app.page.locator('input[name="seeds"]').fill('1');
  await app.page.locator('input[name="noise"]').fill('0, 0.3');
  await app.page.locator('input[name="shift"]').fill('');
  await app.page.locator('input[name="elastic"]').fill('');
  await app.page.locator('input[name="fgsm"]').fill('0, 0.05');
  await app.page.getByRole('button', { name: 'Run robustness' }).click();
  await app.page.locator('figure[data-chart="Test accuracy under FGSM ε"]').waitFor({ timeout: 120000 });
  const curves = app.host.core.session.labs.field.robustness!.curves;
  assert.deepEqual(curves.map((c) => `${c.model}.${c.perturbation}`).sort(), [
    'field.fgsm',
    'field.noise',
    'vanilla.fgsm',
    'vanilla.noise',
  ]);
  assert.deepEqual(pageErrors, []);
});
