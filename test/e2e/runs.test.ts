// Runs as first-class objects (issue 17) in the browser host: every job that ends is a row in its
// lab's runs table; rows are renamed, sorted, exported and deleted (after asking); a run that went NaN
// is flagged in its row and on its overlaid curve; the chart controls zoom, reset and toggle log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultRecall, defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { VAE_PAPER_PRESET, VAE_QUICK_LOOK } from '../../core/labs/vae/contract.ts';
import { HOPFIELD_QUICK_LOOK } from '../../core/labs/hopfield/contract.ts';
import { openApp, runQuickLook } from './browser.ts';

const app = openApp();
const { pageErrors } = app;
const until = async (f: () => boolean, what: string, ms = 60000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('two spectra leave two runs: renamed, sorted by λ_max, exported as CSV, one deleted after asking', async () => {
  const page = app.page;
  const core = app.host.core;
  await page.getByRole('button', { name: 'Fisher / NTK spectra' }).click();
  await page.locator('input[name="inputDim"]').fill('16');
  await page.locator('input[name="samples"]').fill('8');
  for (const w of ['16', '40']) {
    await page.locator('input[name="width"]').fill(w);
    const before = core.session.labs.runs.runs.length;
    await page.getByRole('button', { name: 'Compute spectrum' }).click();
    await until(() => core.session.labs.runs.runs.length === before + 1, 'a run');
  }
  const table = page.locator('[data-testid="runs-table"][data-lab="fisher"]');
  await table.locator('tbody tr').nth(1).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 2);

  const name = table.locator('tr[data-run="r1"] input[aria-label="run name"]');
  await name.fill('narrow');
  await name.press('Tab');
  await until(() => core.session.labs.runs.runs[0]!.name === 'narrow', 'the rename');
  const note = table.locator('tr[data-run="r2"] input[aria-label="run note"]');
  await note.fill('wider one');
  await note.press('Tab');
  await until(() => core.session.labs.runs.runs[1]!.note === 'wider one', 'the note');

  // Ascending by λ_max: the order the core's metrics give.
  await table.getByRole('button', { name: /^λ_max/ }).click();
  const byLmax = [...core.session.labs.runs.runs].sort((a, b) => a.metrics['λ_max']! - b.metrics['λ_max']!).map((r) => r.id);
  assert.deepEqual(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))), byLmax);

  const [dl] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Runs CSV' }).click()]);
  const lines = readFileSync((await dl.path())!, 'utf8')
    .trim()
    .split('\n');
  const head = lines[0]!.split(',');
  assert.equal(lines.length, 3);
  const col = head.indexOf('λ_max');
  for (const line of lines.slice(1)) {
    const id = line.split(',')[0]!;
    const run = core.session.labs.runs.runs.find((r) => r.id === id)!;
    assert.equal(Number(line.split(',')[col]), run.metrics['λ_max']);
  }

  // Deleting asks; declining keeps the run.
  page.once('dialog', (d) => void d.dismiss());
  await table.getByRole('button', { name: 'delete run r1' }).click();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(core.session.labs.runs.runs.length, 2);
  page.once('dialog', (d) => void d.accept());
  await table.getByRole('button', { name: 'delete run r1' }).click();
  await until(() => core.session.labs.runs.runs.length === 1, 'the deletion');
  // The page hears of the deletion a moment after the core makes it.
  await table.locator('tr[data-run="r1"]').waitFor({ state: 'detached' });
  assert.equal(await table.locator('tbody tr').count(), 1);
  assert.deepEqual(pageErrors, []);
});

test('chart controls: the log toggle flips the axis, a dragged box zooms and reset restores', async () => {
  const page = app.page;
  const core = app.host.core;
  const card = page.locator('.card', { has: page.getByRole('heading', { name: /^Learning rate/ }) });
  await card.locator('input[name="factors"]').fill('0.5, 30');
  await card.locator('input[name="steps"]').fill('100');
  const before = core.session.labs.runs.runs.length;
  await card.getByRole('button', { name: 'Run' }).click();
  await until(() => core.session.labs.runs.runs.length === before + 1, 'the lr run');
  const fig = page.locator('figure[data-chart="Training loss at multiples of 2/λ_max"]');
  const log = fig.locator('[data-testid="log-toggle"]');
  assert.equal(await log.getAttribute('aria-pressed'), 'true');
  await log.click();
  assert.equal(await log.getAttribute('aria-pressed'), 'false');
  const box = (await fig.locator('canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.7, { steps: 4 });
  await page.mouse.up();
  await fig.locator('[data-testid="zoom-reset"]').click();
  await fig.locator('[data-testid="zoom-reset"]').waitFor({ state: 'detached' });
  assert.deepEqual(pageErrors, []);
});

test('a recall whose states went NaN is a red "diverged" row, and its overlaid curve marks the NaN steps', async () => {
  const page = app.page;
  const core = app.host.core;
  const run = async (kind: string, params: unknown) =>
    core.jobs.wait((await core.call('jobs.start', { kind, params } as never)).id);
  assert.equal(
    (await run('vae.train', { ...defaultVaeTrain(), hidden: [32], latent: 2, epochs: 1, trainSize: 1000 })).state,
    'done',
  );
  // A damaged model, as in test/unit/diverged.test.ts: one decoder weight NaN.
  const W = core.session.tensor('vae.model.dec.out.b')!;
  (W.data as Float32Array)[0] = NaN;
  const end = await run('vae.recall', { ...defaultRecall(), noise: [0], samples: 50, iterations: 3, strips: 0 });
  assert.equal(end.state, 'diverged');
  const rec = core.session.labs.runs.runs.at(-1)!;
  await page.getByRole('button', { name: 'VAE recall' }).click();
  const table = page.locator('[data-testid="runs-table"][data-lab="vae"]');
  const row = table.locator(`tr[data-run="${rec.id}"]`);
  await row.locator('td.outcome.diverged').waitFor();
  await row.locator('input[type="checkbox"]').check();
  await table.locator('[data-testid="overlay-curve"]').selectOption('distance to concept, Gaussian σ = 0');
  const note = table.locator('[data-testid="nonfinite-note"]');
  await note.waitFor();
  assert.match((await note.textContent())!, /⚠ 3 non-finite values/);
  assert.deepEqual(pageErrors, []);
});

test('two VAE runs: their differing parameters as columns and a diff; the older reopened and recalled from; the budget drops the oldest unpinned model', async () => {
  const page = app.page;
  const core = app.host.core;
  const train = async (latent: number) => {
    const job = await core.call('jobs.start', {
      kind: 'vae.train',
      params: { ...defaultVaeTrain(), hidden: [32], latent, epochs: 1, trainSize: 1000 },
    });
    assert.equal((await core.jobs.wait(job.id)).state, 'done');
    return core.session.labs.runs.runs.at(-1)!;
  };
  const earliest = await train(2);
  const older = await train(2);
  const newer = await train(3);
  assert.ok(older.checkpoint && newer.checkpoint);
  await page.getByRole('button', { name: 'VAE recall' }).click();
  const table = page.locator('[data-testid="runs-table"][data-lab="vae"]');
  await table.locator(`tr[data-run="${newer.id}"]`).waitFor();
  // The latent size differs between the lab's runs: a column named by its form label.
  await table.locator('th.param', { hasText: 'Latent d' }).waitFor();
  assert.equal((await table.locator(`tr[data-run="${older.id}"] td.param`).allTextContents()).includes('2'), true);
  // Exactly two ticked (the earlier test ticked its diverged recall).
  for (const box of await table.locator('input[aria-label^="overlay "]').all()) await box.uncheck();
  for (const r of [older, newer]) await table.locator(`tr[data-run="${r.id}"] input[aria-label^="overlay "]`).check();
  const diff = table.locator('[data-testid="run-diff"]');
  await diff.locator('tr[data-param="latent"]').waitFor();
  assert.deepEqual(await diff.locator('tr[data-param="latent"] td').allTextContents(), ['2', '3']);

  page.once('dialog', (d) => void d.accept());
  await table.locator(`tr[data-run="${older.id}"] [data-testid="open-run"]`).click();
  await until(() => core.session.labs.vae.result?.params.latent === 2, 'the older model reopened');
  assert.deepEqual(core.session.labs.vae.result, older.checkpoint!.result);
  const recall = await core.call('jobs.start', {
    kind: 'vae.recall',
    params: { ...defaultRecall(), noise: [0.1], samples: 40, iterations: 2, strips: 0 },
  });
  assert.equal((await core.jobs.wait(recall.id)).state, 'done');
  assert.equal(core.session.labs.vae.runs.length, 1, 'the recall ran on the reopened model');

  // Pin the older run, keep one unpinned model per lab: the newest VAE run keeps its model, the pinned one too, the earliest loses its.
  await table.locator(`tr[data-run="${older.id}"] input[aria-label="pin ${older.name}"]`).check();
  await until(() => core.session.labs.runs.runs.find((r) => r.id === older.id)!.pinned, 'the pin');
  page.once('dialog', (d) => void d.accept());
  const keep = table.locator('[data-testid="keep-checkpoints"]');
  await keep.fill('1');
  await keep.press('Tab');
  await until(() => core.session.labs.runs.keep === 1, 'the budget');
  const kept = core.session.labs.runs.runs.filter((r) => r.lab === 'vae' && r.checkpoint).map((r) => r.id);
  assert.deepEqual(kept.sort(), [older.id, newer.id].sort());
  assert.equal(core.session.labs.runs.runs.find((r) => r.id === earliest.id)!.checkpoint, null, 'the earliest lost its model');
  assert.equal(await table.locator('[data-testid="open-run"]').count(), 2);
  assert.deepEqual(pageErrors, []);
});

test('the Runs page lists every lab’s runs with their job, and overlays a curve', async () => {
  const page = app.page;
  await page.getByRole('button', { name: 'Runs', exact: true }).click();
  const table = page.locator('[data-testid="runs-table"][data-lab="all"]');
  await table.locator('tbody tr').nth(1).waitFor();
  assert.equal(await table.locator('tbody tr').count(), app.host.core.session.labs.runs.runs.length);
  await table.locator('tr', { hasText: app.host.core.session.labs.runs.runs[0]!.label }).first().waitFor();
  await page.locator('figure[data-chart$=": runs overlaid"]').waitFor();
  if (process.env.KAIRO_SHOT) await page.screenshot({ path: process.env.KAIRO_SHOT, fullPage: true });
  assert.deepEqual(pageErrors, []);
});

test('a lab’s quick look fills its form with the small setting and runs it, leaving a run', async () => {
  const page = app.page;
  const core = app.host.core;
  await page.getByRole('button', { name: 'Hopfield–Boltzmann' }).click();
  const before = core.session.labs.runs.runs.length;
  await page
    .getByTestId('quick-look')
    .getByRole('button', { name: /^Quick look/ })
    .click();
  await until(() => core.session.labs.runs.runs.length === before + 1, 'the quick look run');
  const run = core.session.labs.runs.runs.at(-1)!;
  assert.equal(run.kind, 'hopfield.train');
  assert.deepEqual(run.params, HOPFIELD_QUICK_LOOK.params);
  assert.deepEqual(core.session.labs.hopfield.draft, HOPFIELD_QUICK_LOOK.params);
  // Beneath the line, the numbers this run measured: the same fragments, so "as the line says".
  const measured = page.getByTestId('quick-look-measured');
  await measured.waitFor();
  const quotes = (await (await import('../../core/labs/hopfield/quick-look.ts')).quickLook.quotes(core.session.labs)).join(' · ');
  const line = (await measured.textContent())!.replace(/\s+/g, ' ').trim();
  assert.ok(line.startsWith(`This run measured: ${quotes} — as the line says (took `), line);
  // How long it took here, beside the button's bench time.
  assert.match(line, /\(took \d+ s here; the button's time is npm run bench:quick-looks on 2 cores\)$/);
  assert.deepEqual(pageErrors, []);
});

test('quick looks bring their own data and say what this run measured; a preset left midway finishes its recall', async () => {
  const page = app.page;
  const core = app.host.core;
  // Another lab's setting changed the Datasets lab's choice (as the VAE settings do, and say so).
  const hier = { ...VAE_PAPER_PRESET.data };
  await core.call('session.update', { lab: 'data', state: { ...core.session.labs.data, source: hier } });
  // The VAE quick look (training, then recall): leave for the Datasets lab while it trains.
  await page.getByRole('button', { name: 'VAE recall' }).click();
  const vaeRunsBefore = core.session.labs.runs.runs.filter((r) => r.kind === 'vae.recall').length;
  page.once('dialog', (d) => void d.accept()); // retraining asks before dropping the earlier test's recall
  await page
    .getByTestId('quick-look')
    .getByRole('button', { name: /^Quick look/ })
    .click();
  await until(() => Object.values(core.jobs.list()).some((j) => j.kind === 'vae.train' && j.state === 'running'), 'the training');
  await page.getByRole('button', { name: 'Datasets', exact: true }).click();
  await until(
    () => core.session.labs.runs.runs.filter((r) => r.kind === 'vae.recall').length === vaeRunsBefore + 1,
    'the recall the preset started after its training',
    120000,
  );
  assert.deepEqual(
    core.session.labs.vae.runs.map((r) => r.noise),
    [...VAE_QUICK_LOOK.recall.noise],
  );
  assert.deepEqual(core.session.labs.data.source, hier, 'the quick look left the Datasets lab’s choice alone');

  // The Datasets quick look on MNIST, not on the patterns the lab holds; its line and this run agree.
  const line = await runQuickLook(page);
  assert.deepEqual(core.session.labs.data.baseline!.params.source, { kind: 'mnist' });
  assert.match(line, /This run measured: .*test accuracy — as the line says/);
  assert.deepEqual(core.session.labs.data.source, hier);

  // Back in the VAE lab: what its quick look measured, from the run that ended while it was away.
  await page.getByRole('button', { name: 'VAE recall' }).click();
  const vaeLine = page.getByTestId('quick-look-measured');
  await vaeLine.waitFor();
  assert.match((await vaeLine.textContent())!, /— as the line says/);
  assert.deepEqual(pageErrors, []);
});
