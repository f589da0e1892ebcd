// Figures for papers, whatever the screen's theme: in dark mode a chart's PNG is twice its size on
// screen, opaque white with dark text; a heat map exports a framed, all-vector SVG (text as text,
// cells as rectangles) with its title, ticks and colour bar, and an opaque PNG.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { openApp } from './browser.ts';

const app = openApp();

async function grab(fig: Locator, name: string): Promise<Buffer> {
  const [dl] = await Promise.all([app.page.waitForEvent('download'), fig.getByRole('button', { name, exact: true }).click()]);
  return readFileSync((await dl.path())!);
}

/** Size and the colour of a pixel near the corner and of the darkest pixel, decoded by the browser. */
async function inspect(png: Buffer): Promise<{ w: number; h: number; corner: number[]; darkest: number }> {
  return app.page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const all = ctx.getImageData(0, 0, c.width, c.height).data;
    let darkest = 255;
    for (let i = 0; i < all.length; i += 4) darkest = Math.min(darkest, all[i]!);
    return { w: img.width, h: img.height, corner: [...ctx.getImageData(2, 2, 1, 1).data], darkest };
  }, png.toString('base64'));
}

test('in dark mode a chart exports a 2× opaque white PNG with dark text', async () => {
  await app.page.emulateMedia({ colorScheme: 'dark' });
  const fig = app.page.locator('figure[data-chart="Class histogram"]');
  await fig.waitFor();
  const canvas = fig.locator('canvas');
  const box = (await canvas.boundingBox())!;
  const png = await inspect(await grab(fig, 'PNG'));
  assert.equal(png.w, Math.round(box.width) * 2);
  assert.equal(png.h, Math.round(box.height) * 2);
  assert.deepEqual(png.corner, [255, 255, 255, 255]);
  assert.ok(png.darkest < 60, `no dark ink: darkest red channel ${png.darkest}`);
});

test('a heat map exports a framed SVG (title, ticks, colour bar) and an opaque PNG', async () => {
  await app.page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Random neural fields' }).click();
  const fig = app.page.locator('figure[data-heatmap="Weights W = R ⊙ (Z A) (neurons × inputs)"]');
  await fig.waitFor();
  // On screen: row and column ticks, and the colour scale's limits each on one line beside the map.
  const ticks = async (f: Locator, axis: 'x' | 'y') => f.locator(`.tick.${axis}`).allTextContents();
  assert.deepEqual((await ticks(fig, 'x')).slice(0, 2), ['0', '196']);
  assert.ok((await ticks(fig, 'y')).length >= 3);
  // A 28 × 28 receptive field has square cells, its limits one line each (they wrapped in its 240-px column).
  const rf = app.page.locator('figure[data-heatmap^="Neuron"]');
  const box = (await rf.locator('canvas').boundingBox())!;
  assert.ok(Math.abs(box.width - box.height) < 1.5, `receptive field drawn ${box.width} × ${box.height}`);
  for (const limit of await rf.locator('.colorbar > span:not(.bar)').all())
    assert.ok((await limit.boundingBox())!.height < 16, `a colour-bar limit wraps: ${await limit.textContent()}`);
  const svg = (await grab(fig, 'SVG')).toString('utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<text[^>]*>Weights W = R ⊙ \(Z A\) \(neurons × inputs\)<\/text>/);
  assert.match(svg, />input pixel<\/text>/);
  assert.match(svg, />neuron<\/text>/);
  assert.match(svg, /linearGradient/);
  // Vector throughout: no embedded picture; the cells are rectangles that tile each row of the plot.
  assert.doesNotMatch(svg, /<image/);
  const frame = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/.exec(svg)!;
  const cells = [
    ...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(rgb\([^"]+\))"[^>]*crispEdges/g),
  ];
  const firstRow = cells.filter((c) => c[2] === cells[0]![2]);
  const rowWidth = firstRow.reduce((w, c) => w + Number(c[3]), 0);
  assert.ok(Math.abs(rowWidth - (Number(frame[3]) - 1)) < 0.01, `a row of cells is ${rowWidth} wide in a ${frame[3]} frame`);
  assert.ok(new Set(cells.map((c) => c[5])).size > 10, 'the cells carry the map’s colours');
  const png = await inspect(await grab(fig, 'PNG'));
  assert.deepEqual(png.corner, [255, 255, 255, 255]);
  assert.ok(png.w >= 600, `PNG ${png.w} wide`);
  assert.deepEqual(app.pageErrors, []);
});

test('export settings, set once: a single-column chart at 3× in a serif font; the choice is kept', async () => {
  await app.page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Datasets' }).click();
  const fig = app.page.locator('figure[data-chart="Class histogram"]');
  await fig.waitFor();
  await fig.getByRole('button', { name: 'figure export settings' }).click();
  const prefs = fig.getByTestId('figure-prefs');
  await prefs.locator('select[name="figure-size"]').selectOption('single');
  await prefs.locator('select[name="figure-scale"]').selectOption('3');
  await prefs.locator('select[name="figure-font"]').selectOption('serif');
  await prefs.locator('input[name="figure-font-pt"]').fill('10');
  await prefs.locator('input[name="figure-font-pt"]').press('Tab');
  const png = await inspect(await grab(fig, 'PNG'));
  assert.deepEqual([png.w, png.h], [336 * 3, Math.round(336 * 0.62) * 3]);
  const svg = (await grab(fig, 'SVG')).toString('utf8');
  assert.match(svg, /<svg[^>]* width="336"/);
  assert.match(svg, /<text[^>]*font-family="[^"]*Times[^"]*"/);
  assert.match(svg, /font-size="13\.3\d*px"/, 'ticks at 10 pt = 13.3 px');
  // Kept for next time, in this browser's storage.
  const stored = JSON.parse((await app.page.evaluate(() => localStorage.getItem('kairo.figurePrefs')))!);
  assert.deepEqual(stored, { size: 'single', scale: 3, font: 'serif', fontPt: 10 });
  await app.page.evaluate(() => localStorage.removeItem('kairo.figurePrefs'));
  assert.deepEqual(app.pageErrors, []);
});
