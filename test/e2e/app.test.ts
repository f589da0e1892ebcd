// Playwright drives the real built renderer in Debian's Chromium against the real core
// through the WebSocket host: what a user does, checked against what the core computes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FASHION_MNIST_SOURCE } from '../../core/contract.ts';
import { getDataset } from '../../core/data/datasets.ts';
import { encodeIdx } from '../../core/data/idx.ts';
import { gzipSync } from 'node:zlib';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

const facts = () => app.page.getByTestId('dataset-facts');
const range = () => app.page.getByTestId('page-range');

test('the dataset browser shows the real MNIST digits and class balance', async () => {
  await app.page.waitForSelector('canvas[data-count="100"]');
  await assert.doesNotReject(facts().filter({ hasText: 'MNIST: 60,000 train / 10,000 test · 28×28 · 10 classes' }).waitFor());
  assert.equal(await range().textContent(), '1–100 of 60,000');
  assert.match((await app.page.getByTestId('backend').textContent())!, /backend: wasm \(SIMD(, FMA)?\)/);
  // The first cell of the grid holds exactly the first training image's bytes.
  const pixels = await app.page.evaluate(() => {
    const c = document.querySelector('canvas[data-count]') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(1, 1, 28, 28).data;
    return Array.from({ length: 784 }, (_, i) => d[i * 4]!);
  });
  assert.deepEqual(pixels, [...getDataset({ kind: 'mnist' }).train.images.subarray(0, 784)]);
});

test('split, class filter and paging follow the data', async () => {
  await app.page.getByRole('button', { name: 'Test', exact: true }).click();
  await app.page.getByLabel('class filter').selectOption('3');
  await app.page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent === '1–100 of 1,010');
  await app.page.getByRole('button', { name: 'next page' }).click();
  await app.page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent === '101–200 of 1,010');
});

test('a chart exports PNG, SVG and CSV with the data shown', async () => {
  const fig = app.page.locator('figure[data-chart="Class histogram"]');
  const grab = async (name: string) => {
    const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name }).click()]);
    return readFileSync((await dl.path())!);
  };
  const csv = (await grab('CSV')).toString();
  const counts = getDataset({ kind: 'mnist' }).test!.classCounts;
  assert.equal(csv, ['series,x,y', ...counts.map((c, i) => `"test images per class","${i}",${c}`)].join('\n') + '\n');
  const png = await grab('PNG');
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const svg = (await grab('SVG')).toString();
  assert.match(svg, /^<svg/);
  assert.ok((svg.match(/<path/g) ?? []).length >= 10, 'the SVG holds the bars');
});

test('a training job streams progress with ETA and is cancelled from the UI', async () => {
  await app.page.evaluate(() => {
    const w = window as unknown as { seen: string[] };
    w.seen = [];
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-job-state] .meta')) w.seen.push(el.textContent ?? '');
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await app.page.getByLabel('Epochs').fill('100');
  await app.page.getByRole('button', { name: 'Train baseline' }).click();
  const job = app.page.locator('[data-job-state]').first();
  await job
    .locator('.meta')
    .filter({ hasText: /samples\/s/ })
    .waitFor();
  await job.getByRole('button', { name: 'Cancel' }).click();
  await app.page.locator('[data-job-state="cancelled"]').waitFor({ timeout: 2000 });
  const seen = await app.page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  const steps = seen.map((s) => Number(/step (\d+)\//.exec(s)?.[1])).filter((n) => n > 0);
  assert.ok(steps.length >= 2 && steps.at(-1)! > steps[0]!, `progress ${steps.join(',')}`);
  assert.ok(seen.some((s) => /ETA \d+ (s|min)/.test(s)));
  await app.page
    .getByTestId('baseline-result')
    .filter({ hasText: /^Cancelled after \d+ steps · test accuracy/ })
    .waitFor();
});

test('a finished job stores its result, and the session saves and reopens exactly', async () => {
  await app.page.getByLabel('Epochs').fill('1');
  await app.page.getByLabel('Train size (0 = all)').fill('3000');
  await app.page.getByRole('button', { name: 'Train baseline' }).click();
  await app.page
    .getByTestId('baseline-result')
    .filter({ hasText: /^Trained 24 steps · test accuracy/ })
    .waitFor({ timeout: 30000 });
  await app.page.locator('figure[data-chart="Baseline training"]').waitFor();
  const result = await app.page.getByTestId('baseline-result').textContent();

  const file = join(app.home, 'e2e.kairo');
  await app.page.getByRole('button', { name: 'Save as…' }).click();
  await app.page.getByRole('dialog').getByRole('textbox').fill(file);
  await app.page.getByRole('dialog').getByRole('button', { name: 'OK', exact: true }).click();
  await app.page.getByTestId('session-status').filter({ hasText: file }).waitFor();
  assert.doesNotMatch((await app.page.getByTestId('session-status').textContent())!, /•/);

  await app.page.getByRole('button', { name: 'New', exact: true }).click();
  await app.page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent === '1–100 of 60,000');
  assert.equal(await app.page.getByTestId('baseline-result').count(), 0);

  // A damaged file is refused with one line and the open session stays as it was.
  const bad = join(app.home, 'bad.kairo');
  writeFileSync(bad, Buffer.alloc(64, 0xff));
  await app.page.keyboard.press('Control+o');
  await app.page.getByRole('dialog').getByRole('textbox').fill(bad);
  await app.page.getByRole('dialog').getByRole('button', { name: 'OK', exact: true }).click();
  await app.page
    .getByRole('alert')
    .filter({ hasText: /bad\.kairo: not a Kairo session/ })
    .waitFor();
  assert.equal(await range().textContent(), '1–100 of 60,000');
  await app.page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();

  await app.page.getByRole('button', { name: 'Open…' }).click();
  await app.page.getByRole('dialog').getByRole('button', { name: file, exact: true }).click(); // from the recent list
  await app.page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent === '101–200 of 1,010');
  assert.equal(await app.page.getByTestId('baseline-result').textContent(), result);
  assert.equal(await app.page.getByLabel('Train size (0 = all)').inputValue(), '3000');
  assert.deepEqual(pageErrors, []);
});

test('a user-chosen IDX pair loads through the form; a broken one is refused and changes nothing', async () => {
  const imgs = join(app.home, 'tiny-images.gz');
  const labs = join(app.home, 'tiny-labels');
  writeFileSync(
    imgs,
    gzipSync(
      encodeIdx(
        [12, 8, 8],
        Uint8Array.from({ length: 12 * 64 }, (_, i) => (i * 7) % 256),
      ),
    ),
  );
  writeFileSync(
    labs,
    encodeIdx(
      [12],
      Uint8Array.from({ length: 12 }, (_, i) => i % 3),
    ),
  );
  writeFileSync(join(app.home, 'short-labels'), encodeIdx([11], new Uint8Array(11)));
  const form = app.page.getByRole('form', { name: 'load IDX dataset' });
  const open = async () => {
    await app.page.getByLabel('dataset source').selectOption('idx');
    await form.waitFor();
  };
  await open();
  await form.getByLabel('Name').fill('Broken');
  await form.locator('input[name="trainImages"]').fill(imgs);
  await form.locator('input[name="trainLabels"]').fill(join(app.home, 'short-labels'));
  await form.getByRole('button', { name: 'Load' }).click();
  await app.page
    .getByRole('alert')
    .filter({ hasText: 'tiny-images.gz holds 12 images but short-labels holds 11 labels' })
    .waitFor();
  assert.match((await facts().textContent())!, /^MNIST/);
  await app.page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();

  // The packaged Fashion-MNIST: one pick where Debian installed it; otherwise the command that installs it.
  await app.page.getByLabel('dataset source').selectOption('fashion');
  if (existsSync(FASHION_MNIST_SOURCE.trainImages)) {
    await facts()
      .filter({ hasText: /Fashion-MNIST: 60.?000 train/ })
      .waitFor();
  } else {
    await app.page.getByRole('alert').filter({ hasText: 'sudo apt-get install dataset-fashion-mnist' }).waitFor();
    await app.page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  }
  await form.getByLabel('Name').fill('Tiny');
  await form.locator('input[name="trainLabels"]').fill(labs);
  await form.getByRole('button', { name: 'Load' }).click();
  await facts().filter({ hasText: 'Tiny: 12 train · 8×8 · 3 classes' }).waitFor();
  await app.page.waitForSelector('canvas[data-count="12"]');
  assert.equal(await range().textContent(), '1–12 of 12');
  assert.ok(await app.page.getByRole('button', { name: 'Test', exact: true }).isDisabled());
  assert.deepEqual(pageErrors, []);
});
