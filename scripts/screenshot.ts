// Regenerates docs/screenshot.png for the README: `npx tsx scripts/screenshot.ts`
// (needs the renderer built and Chromium at /usr/bin/chromium or CHROMIUM_PATH).
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.KAIRO_HOME = mkdtempSync(join(tmpdir(), 'kairo-shot-'));
const { startHost } = await import('../core/host/server.ts');
const host = await startHost();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
await page.goto(host.url);
// The headline lab in the paper setting: hierarchical patterns, a trained VAE, recall under bit flips.
await page.getByRole('button', { name: 'VAE recall' }).click();
await page.getByRole('button', { name: /^Paper setting/ }).click();
await page.getByTestId('recall-minima').locator('tbody tr').nth(3).waitFor({ timeout: 180_000 });
await page.getByLabel('recall run').selectOption({ label: 'flip p = 0.1 · mean' });
await page.locator('figure[data-scatter]').waitFor();
await page.getByRole('button', { name: 'first iteration' }).click();
await page.locator('input[aria-label="iteration"]').fill('3');
await page.locator('figure[data-scatter]').scrollIntoViewIfNeeded();
await page.evaluate(() => document.querySelector('main')!.scrollBy(0, -40));
await page.waitForTimeout(500);
await page.screenshot({ path: 'docs/screenshot.png' });
await browser.close();
await host.close();
process.exit(0);
