// Nothing lost: unsaved work survives a host that stops without saving (offered back at the next
// start), Open asks before dropping unsaved changes, Save As asks before replacing a file, and an
// error stays in view however far the page is scrolled.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { startHost } from '../../core/host/server.ts';
import { openApp } from './browser.ts';

const app = openApp();

test('Open asks before dropping unsaved changes; Save As asks before replacing a file', async () => {
  const page = app.page;
  await page.getByTestId('page-range').waitFor();
  await page.getByRole('group', { name: 'split' }).getByRole('button', { name: 'Test' }).click();
  await page.getByTestId('session-status').filter({ hasText: '•' }).waitFor();
  const asked: string[] = [];
  page.once('dialog', (d) => (asked.push(d.message()), void d.dismiss()));
  await page.getByRole('button', { name: 'Open…' }).click();
  await page.waitForTimeout(300);
  assert.deepEqual(asked, ['Discard the unsaved changes of this session?']);
  assert.equal(await page.getByRole('dialog').count(), 0, 'the path dialog opened although the user said no');

  const file = join(app.home, 'existing.kairo');
  writeFileSync(file, 'not replaced yet');
  page.once('dialog', (d) => (asked.push(d.message()), void d.dismiss()));
  await page.getByRole('button', { name: 'Save as…' }).click();
  await page.getByRole('dialog').getByRole('textbox').fill(file);
  await page.getByRole('dialog').getByRole('button', { name: 'OK', exact: true }).click();
  await page.waitForTimeout(300);
  assert.equal(asked[1], `${file} already exists. Replace it?`);
  assert.equal(readFileSync(file, 'utf8'), 'not replaced yet');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Save as…' }).click();
  await page.getByRole('dialog').getByRole('textbox').fill(file);
  await page.getByRole('dialog').getByRole('button', { name: 'OK', exact: true }).click();
  await page.getByTestId('session-status').filter({ hasText: file }).waitFor();
});

test('an error banner stays in view when the page is scrolled', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'VAE recall' }).click();
  await page.locator('main').evaluate((m) => m.scrollTo(0, m.scrollHeight));
  await page.locator('input[name="epochs"]').fill('0');
  // At the field, as it is typed: marked, with the allowed range in words.
  const field = page.locator('label', { has: page.locator('input[name="epochs"]') });
  assert.equal(await field.getByTestId('field-error').textContent(), 'must be ≥ 1 and ≤ 1000');
  assert.equal(await page.locator('input[name="epochs"]').getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Train VAE' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const box = (await alert.boundingBox())!;
  assert.ok(box.y >= 0 && box.y < 60, `the banner is at y = ${box.y}`);
  assert.match((await alert.textContent())!, /epochs: Number must be greater than or equal to 1/);
  await alert.getByRole('button', { name: 'Dismiss' }).click();
});

test('unsaved work left by a host that stopped is offered at the next start and recovered', async () => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Datasets' }).click();
  await page.getByRole('group', { name: 'split' }).getByRole('button', { name: 'Train' }).click();
  await page.getByLabel('class filter').selectOption('7');
  await page.getByTestId('session-status').filter({ hasText: '•' }).waitFor();
  // The copy of this state: the one written after the change, naming the file the session belongs to.
  const note = join(app.home, 'recovery.json');
  const written = () => existsSync(note) && readFileSync(note, 'utf8').includes('existing.kairo');
  for (let i = 0; i < 50 && !written(); i++) await page.waitForTimeout(100);
  assert.ok(written() && existsSync(join(app.home, 'recovery.kairo')), 'no recovery copy was written');
  // A second host on the same configuration directory, as after a crash: the first never saved.
  const host2 = await startHost({ rendererDir: 'dist/renderer', workspace: tmpdir() });
  try {
    const page2 = await page.context().newPage();
    await page2.goto(host2.url);
    const note = page2.getByTestId('recovery-note');
    await note.waitFor();
    assert.match(
      (await note.textContent())!,
      new RegExp(`Unsaved work of ${app.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/existing\\.kairo was kept`),
    );
    await page2.getByRole('button', { name: 'Recover' }).click();
    await page2.getByTestId('session-status').filter({ hasText: '•' }).waitFor();
    assert.equal(host2.core.session.labs.data.classFilter, 7);
    assert.equal(host2.core.session.view().path, join(app.home, 'existing.kairo'));
    assert.equal(await page2.getByTestId('recovery-note').count(), 0);
    await page2.close();
  } finally {
    await host2.close();
  }
});
