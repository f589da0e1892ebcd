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
await page.waitForSelector('canvas[data-count="100"]');
await page.getByRole('button', { name: 'Train baseline' }).click();
await page.getByTestId('baseline-result').waitFor({ timeout: 60_000 });
await page.waitForTimeout(300);
await page.screenshot({ path: 'docs/screenshot.png' });
await browser.close();
await host.close();
process.exit(0);
