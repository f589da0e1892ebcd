// A figure's PDF is its SVG drawn as vector PDF, read back here by Poppler (independent of the
// jsPDF/svg2pdf.js that wrote it): every text of the SVG is text in the PDF (pdftotext finds it,
// Greek and mathematical signs included), the font is embedded, the page is the SVG's size at
// 72/96 pt per pixel, and nothing is a picture.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { openApp } from './browser.ts';

const app = openApp();
const dir = mkdtempSync(join(tmpdir(), 'kairo-pdf-'));

async function grab(fig: Locator, name: string): Promise<Buffer> {
  const alert = fig.getByRole('alert');
  const [dl] = await Promise.all([
    Promise.race([
      app.page.waitForEvent('download'),
      alert.waitFor({ timeout: 30000 }).then(async () => assert.fail((await alert.textContent()) ?? 'alert')),
    ]),
    fig.getByRole('button', { name, exact: true }).click(),
  ]);
  return readFileSync((await dl.path())!);
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The SVG's texts, as Poppler reads the PDF made from it: its words, fonts, page size and pictures. */
async function both(fig: Locator, name: string) {
  const svg = (await grab(fig, 'SVG')).toString('utf8');
  const pdf = await grab(fig, 'PDF');
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  writeFileSync(file.replace(/pdf$/, 'svg'), svg);
  const run = (cmd: string, ...args: string[]) =>
    execFileSync(cmd, [...args, file, ...(cmd === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
  const texts = [...svg.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((m) => decode(m[1]!).trim()).filter(Boolean);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(run('pdfinfo'))!;
  const svgW = Number(/<svg[^>]* width="([\d.]+)/.exec(svg)![1]);
  const svgH = Number(/<svg[^>]* height="([\d.]+)/.exec(svg)![1]);
  return {
    texts,
    // Words as Poppler extracts them, whitespace collapsed (it may split or join lines differently).
    words:
      run('pdftotext', '-raw', '-enc', 'UTF-8').replace(/\s+/g, ' ').replace(/\s+$/, '') +
      ' ' +
      run('pdftotext', '-enc', 'UTF-8').replace(/\s+/g, ' '),
    fonts: run('pdffonts'),
    images: run('pdfimages', '-list').trim().split('\n').slice(2),
    page: [Number(size[1]), Number(size[2])],
    svgSize: [svgW, svgH],
  };
}

function assertSameFigure(r: Awaited<ReturnType<typeof both>>) {
  assert.ok(r.texts.length >= 5, `only ${r.texts.length} texts in the SVG`);
  for (const t of r.texts) assert.ok(r.words.includes(t.replace(/\s+/g, ' ')), `"${t}" is not text in the PDF:\n${r.words}`);
  assert.deepEqual(r.images, [], 'the PDF holds pictures');
  assert.ok(
    Math.abs(r.page[0]! - r.svgSize[0]! * 0.75) < 0.5 && Math.abs(r.page[1]! - r.svgSize[1]! * 0.75) < 0.5,
    `page ${r.page} for an SVG of ${r.svgSize} px`,
  );
}

test('a chart’s PDF holds its SVG’s texts as text, in an embedded font, on a page of its size, with no pictures', async () => {
  const fig = app.page.locator('figure[data-chart="Class histogram"]');
  await fig.waitFor();
  const r = await both(fig, 'histogram');
  assertSameFigure(r);
  // Embedded (emb), with a Unicode map (uni): the text extracts as the characters it shows.
  assert.match(r.fonts, /^DejaVuSans\s+CID TrueType\s+Identity-H\s+yes\s+\w+\s+yes/m, r.fonts);
  assert.deepEqual(app.pageErrors, []);
});

test('a heat map’s PDF keeps its mathematical signs as text, in DejaVu Serif when serif is chosen, at a single column’s width', async () => {
  await app.page.evaluate(() =>
    localStorage.setItem('kairo.figurePrefs', JSON.stringify({ size: 'single', scale: 2, font: 'serif', fontPt: 9 })),
  );
  await app.page.reload();
  await app.page.getByRole('navigation', { name: 'labs' }).getByRole('button', { name: 'Random neural fields' }).click();
  const fig = app.page.locator('figure[data-heatmap="Weights W = R ⊙ (Z A) (neurons × inputs)"]');
  await fig.waitFor();
  const r = await both(fig, 'heatmap');
  assertSameFigure(r);
  assert.ok(r.texts.includes('Weights W = R ⊙ (Z A) (neurons × inputs)'));
  assert.match(r.fonts, /DejaVuSerif/, r.fonts);
  assert.doesNotMatch(r.fonts, /DejaVuSans/, r.fonts);
  // A single column: 3.5 in, 336 px, 252 pt, the map scaled into it.
  assert.deepEqual([r.svgSize[0], r.page[0]], [336, 252]);
  await app.page.evaluate(() => localStorage.removeItem('kairo.figurePrefs'));
  assert.deepEqual(app.pageErrors, []);
});
