// A host that stops is reported at once, and the page reconnects by itself when it starts again on
// the same port with the same token (what `kairo serve` does by default); the stable token lives in
// the config directory, owner-only.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { hostToken, startStableHost } from '../../core/host/stable.ts';
import { startHost } from '../../core/host/server.ts';
import { tempDir } from '../helpers.ts';

test('the stable host keeps its token and port across starts, or takes the next free port', async () => {
  process.env.KAIRO_HOME = tempDir();
  const t = hostToken();
  assert.equal(hostToken(), t);
  assert.equal(statSync(join(process.env.KAIRO_HOME, 'host-token')).mode & 0o777, 0o600);
  const first = 47000 + Math.floor(Math.random() * 1000);
  const a = await startStableHost({ rendererDir: 'dist/renderer', workspace: tmpdir(), first });
  const b = await startStableHost({ rendererDir: 'dist/renderer', workspace: tmpdir(), first });
  try {
    assert.equal(a.port, first);
    assert.equal(b.port, first + 1);
    assert.equal(a.token, t);
  } finally {
    await b.close();
    await a.close();
  }
  const again = await startStableHost({ rendererDir: 'dist/renderer', workspace: tmpdir(), first });
  assert.equal(again.port, first);
  await again.close();
});

test('a stopped host shows at once; the page reconnects when it is back, without the old host’s jobs', async () => {
  process.env.KAIRO_HOME = tempDir();
  const port = 48000 + Math.floor(Math.random() * 1000);
  const token = hostToken();
  let host = await startHost({ rendererDir: 'dist/renderer', workspace: tmpdir(), port, token });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(host.url);
    await page.getByTestId('page-range').waitFor();
    // A finished job in the panel, which the restarted host will not know.
    await page.getByLabel('Epochs').fill('1');
    await page.getByRole('button', { name: 'Train baseline' }).click();
    await page.locator('[data-job-state="done"]').first().waitFor({ timeout: 60000 });
    await host.close();
    const lost = page.getByTestId('connection-lost');
    await lost.waitFor({ timeout: 2000 });
    host = await startHost({ rendererDir: 'dist/renderer', workspace: tmpdir(), port, token });
    await lost.waitFor({ state: 'detached', timeout: 15000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-job-state]').length === 0);
    // The page works again: a change reaches the new host.
    await page.getByRole('group', { name: 'split' }).getByRole('button', { name: 'Test' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent?.endsWith('of 10,000'));
    assert.equal(host.core.session.labs.data.split, 'test');
  } finally {
    await browser.close();
    await host.close();
  }
});
