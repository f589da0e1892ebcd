// The random-neural-field lab in the browser host: explore an initialiser, build and train a
// field model, see the NTK overlay and a robustness curve.
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

async function csvOf(title: string): Promise<string[][]> {
  const fig = page.locator(`figure[data-chart="${title}"]`);
  const [dl] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name: 'CSV' }).click()]);
  return readFileSync((await dl.path())!, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
}

test('explore a field, train it in the NTK regime beside the prediction, and measure robustness', async () => {
  await page.getByRole('button', { name: 'Random neural fields' }).click();
  await page.locator('figure[data-chart="Weight correlation vs distance"]').waitFor({ timeout: 30000 });
  await page.getByTestId('field-variance').waitFor();
  // The slider changes the kernel: the formula's correlation at a lag follows s_σ.
  await page.locator('input[name="sSigma"]').fill('0.05');
  await page.waitForFunction(() => /s_σ = 0\.050/.test(document.body.textContent ?? ''));
  await page.waitForTimeout(1500);
  const corr = await csvOf('Weight correlation vs distance');
  const at20 = corr.find((c) => c[0] === '"kernel formula"' && c[1] === '20')!;
  assert.ok(Math.abs(Number(at20[2]) - Math.exp(-((20 / 784) ** 2) / (2 * 0.05 ** 2))) < 1e-9);

  await page.locator('input[name="width"]').fill('128');
  await page.locator('input[name="trainSize"]').fill('40');
  await page.locator('input[name="testSize"]').fill('200');
  await page.locator('input[name="steps"]').fill('30');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('field-result').waitFor({ timeout: 60000 });
  const r = host.core.session.labs.field.result!;
  assert.equal(r.params.width, 128);
  const loss = await csvOf('Training loss beside the NTK prediction');
  const ntk = loss.filter((c) => c[0] === '"NTK prediction (kernel at init)"').map((c) => Number(c[2]));
  assert.deepEqual(ntk, r.ntkLoss);
  assert.equal(loss.filter((c) => c[0] === '"measured training loss"').length, 31);

  await page.locator('input[name="seeds"]').fill('1');
  await page.locator('input[name="noise"]').fill('0, 0.3');
  await page.locator('input[name="shift"]').fill('');
  await page.locator('input[name="elastic"]').fill('');
  await page.locator('input[name="fgsm"]').fill('0, 0.05');
  await page.getByRole('button', { name: 'Run robustness' }).click();
  await page.locator('figure[data-chart="Test accuracy under FGSM ε"]').waitFor({ timeout: 120000 });
  const curves = host.core.session.labs.field.robustness!.curves;
  assert.deepEqual(curves.map((c) => `${c.model}.${c.perturbation}`).sort(), ['field.fgsm', 'field.noise', 'vanilla.fgsm', 'vanilla.noise']);
  assert.deepEqual(pageErrors, []);
});
