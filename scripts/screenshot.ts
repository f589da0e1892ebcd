// Regenerates docs/screenshot.png for the README: `npx tsx scripts/screenshot.ts`
// (needs the renderer built and Chromium at /usr/bin/chromium or CHROMIUM_PATH).
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.KAIRO_HOME = mkdtempSync(join(tmpdir(), 'kairo-shot-'));
const { startHost } = await import('../core/host/server.ts');
const host = await startHost();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
await page.goto(host.url);
// The headline lab: a small VAE, then repeated inference from noisy test images.
await page.getByRole('button', { name: 'VAE recall' }).click();
await page.locator('select[name="latent"]').selectOption('8');
await page.locator('input[name="epochs"]').fill('3');
await page.locator('input[name="trainSize"]').fill('20000');
await page.getByRole('button', { name: 'Train VAE' }).click();
await page.getByTestId('vae-result').waitFor({ timeout: 180_000 });
await page.getByRole('button', { name: 'Run recall' }).click();
await page.locator('figure[data-scatter]').waitFor({ timeout: 120_000 });
await page.getByLabel('recall run').selectOption({ label: 'σ = 0.3 · mean' });
await page.locator('figure[data-scatter]').waitFor();
await page.getByRole('button', { name: 'first iteration' }).click();
await page.locator('input[aria-label="iteration"]').fill('6');
await page.locator('figure[data-scatter]').scrollIntoViewIfNeeded();
await page.evaluate(() => document.querySelector('main')!.scrollBy(0, -40));
await page.waitForTimeout(500);
await page.screenshot({ path: 'docs/screenshot.png' });
await browser.close();
await host.close();
process.exit(0);
