// What every end-to-end test file does first: a fresh KAIRO_HOME, the web host serving the
// built renderer with the real core, and one Chromium page on it; all closed when the file ends.
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHost, type Host } from '../../core/host/server.ts';
import { tempDir } from '../helpers.ts';

export interface App {
  home: string;
  host: Host;
  page: Page;
  /** Uncaught errors in the page; every test should end with none. */
  pageErrors: string[];
}

export function openApp(viewport = { width: 1280, height: 900 }): App {
  const home = tempDir();
  process.env.KAIRO_HOME = home;
  const app = { home, pageErrors: [] as string[] } as App;
  let browser: Browser | undefined;
  before(async () => {
    app.host = await startHost({ rendererDir: 'dist/renderer', workspace: tmpdir() });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    const ctx = await browser.newContext({ viewport, acceptDownloads: true });
    app.page = await ctx.newPage();
    app.page.on('pageerror', (e) => app.pageErrors.push(e.message));
    await app.page.goto(app.host.url);
  });
  after(async () => {
    await browser?.close();
    await app.host?.close();
  });
  return app;
}

/** Clicks the open lab's quick look and returns the line saying what its run measured, once it shows. */
export async function runQuickLook(page: Page, timeout = 60000): Promise<string> {
  await page
    .getByTestId('quick-look')
    .getByRole('button', { name: /^Quick look/ })
    .click();
  const measured = page.getByTestId('quick-look-measured');
  await measured.waitFor({ timeout });
  return (await measured.textContent())!;
}
