// The Hopfield–Boltzmann lab as a user drives it in the browser host: train on a toy mixture,
// see the density contours, retrieve, export; numbers checked against the core's own state
// and against the float64 model code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeMachine, nll } from '../../models/hopfield/machine.ts';
import type { Page } from 'playwright-core';
import { openApp } from './browser.ts';

const app = openApp();
const { pageErrors } = app;

async function grab(figure: ReturnType<Page['locator']>, name: string): Promise<Buffer> {
  const [dl] = await Promise.all([app.page.waitForEvent('download'), figure.getByRole('button', { name, exact: true }).click()]);
  return readFileSync((await dl.path())!);
}

test('train an AttnBM on a toy mixture, see its contours, retrieve and export', async () => {
  await app.page.getByRole('button', { name: 'Hopfield–Boltzmann' }).click();
  await app.page.getByLabel('Clusters K').fill('4');
  await app.page.getByLabel('Hidden states N_h').fill('4');
  await app.page.getByLabel('Epochs', { exact: true }).fill('25');
  await app.page.getByRole('button', { name: 'Train', exact: true }).click();
  const result = app.page.getByTestId('hopfield-result');
  await result.filter({ hasText: /^Trained \d+ steps · 4 components · N_v = 2/ }).waitFor({ timeout: 60000 });
  const r = app.host.core.session.labs.hopfield.result!;
  assert.match((await result.textContent())!, new RegExp(`test NLL ${r.testNll!.toFixed(3)} nats`));

  // The density plot is drawn and its CSV is the model's exact log-density.
  const fig = app.page.locator('figure[data-density]');
  await fig.waitFor();
  const csv = (await grab(fig, 'CSV')).toString().trim().split('\n');
  assert.equal(csv[0], 'x,y,log_density');
  const t = app.host.core.session;
  const m = makeMachine(t.tensor('hopfield.W')!.data, t.tensor('hopfield.b')!.data, t.tensor('hopfield.c')!.data, 4, 2);
  const rows = csv.slice(1).map((l) => l.split(',').map(Number));
  for (const k of [0, 777, 12345, rows.length - 1]) {
    const [x, y, ld] = rows[k]!;
    assert.ok(Math.abs(-nll(m, [x!, y!]) - ld!) < 1e-9);
  }
  const svg = (await grab(fig, 'SVG')).toString();
  assert.ok((svg.match(/<path/g) ?? []).length >= 6, 'contour paths in the SVG');
  // Framed and vector throughout: the density as cells, its axes and title as text, no embedded picture.
  assert.doesNotMatch(svg, /<image/);
  assert.match(svg, />v₁<\/text>/);
  assert.ok((svg.match(/crispEdges/g) ?? []).length > 100, 'density cells as rectangles');
  assert.deepEqual([...(await grab(fig, 'PNG')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  // Not a blank canvas: the colour field varies.
  const distinct = await fig.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return new Set(Array.from({ length: 200 }, (_, i) => d[(i * 997 * 4) % d.length]!)).size;
  });
  assert.ok(distinct > 10);

  // Retrieval from a noisy training point converges to a learned centre; the page says so.
  await app.page.getByLabel('Pattern index').fill('5');
  await app.page.getByLabel('Level', { exact: true }).fill('1.5');
  await app.page.getByRole('button', { name: 'Retrieve', exact: true }).click();
  await app.page.getByTestId('retrieval-result').waitFor();
  const last = app.host.core.session.labs.hopfield.lastRetrieval!;
  assert.equal(last.settings.index, 5);
  assert.ok(last.success, JSON.stringify(last));
  assert.match(
    (await app.page.getByTestId('retrieval-result').textContent())!,
    new RegExp(
      `Converged to its own cluster: nearest centre is cluster ${last.nearest}, the\\s+pattern's own is ${last.ownCluster}`,
    ),
  );
  await app.page.locator('figure[data-chart="Overlaps during retrieval"]').waitFor();
  const att = app.page.locator('figure[data-heatmap="Attention p(h|v_t) per step"]');
  const attCsv = (await grab(att, 'CSV')).toString().trim().split('\n');
  assert.equal(attCsv.length, 1 + 11);
  for (const line of attCsv.slice(1)) {
    const p = line.split(',').slice(1).map(Number);
    assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-5, 'attention rows sum to 1');
  }

  // The β slider reruns retrieval live.
  await app.page.getByLabel('inverse temperature beta').fill('-2');
  await app.page.waitForFunction(() => /β = 0\.01/.test(document.body.textContent ?? ''));
  await app.page.waitForFunction(() => true);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(app.host.core.session.labs.hopfield.lastRetrieval!.settings.beta, 0.01);

  // Save, start afresh, reopen: the result, the density and the retrieval come back.
  const file = join(app.home, 'hop.kairo');
  await app.page.getByRole('button', { name: 'Save as…' }).click();
  await app.page.getByRole('dialog').getByRole('textbox').fill(file);
  await app.page.getByRole('dialog').getByRole('button', { name: 'OK', exact: true }).click();
  await app.page.getByTestId('session-status').filter({ hasText: file }).waitFor();
  const shown = await result.textContent();
  await app.page.getByRole('button', { name: 'New', exact: true }).click();
  await result.waitFor({ state: 'detached' });
  await app.page.getByRole('button', { name: 'Open…' }).click();
  await app.page.getByRole('dialog').getByRole('button', { name: file, exact: true }).click();
  await result.filter({ hasText: shown! }).waitFor();
  await fig.waitFor();
  await app.page.getByTestId('retrieval-result').waitFor();
  // Redrawing the reopened run is not an edit.
  assert.doesNotMatch((await app.page.getByTestId('session-status').textContent())!, /•/);
  assert.deepEqual(pageErrors, []);
});
