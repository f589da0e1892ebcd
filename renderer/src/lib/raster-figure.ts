// Paper-ready exports of raster figures (heat maps, image grids, the latent scatter): the plot framed
// with its title, axis names, ticks and colour bar or legend, in the print theme on white, as a PNG
// at the chosen scale (figure-prefs) and as an SVG that is vector throughout: text as text, each heat-map cell or
// image pixel a rectangle (runs of equal colour merged), a scatter's points as circles. No <image>.
import { PRINT_THEME, scaleLabel } from './series';
import { exportScale, figureFamily, figurePrefs, fontPx } from './figure-prefs.svelte';
import { plotSizeFor } from './figure-size';

export interface RasterFigure {
  title: string;
  /** The raster, one canvas pixel per entry or image pixel. */
  raster: HTMLCanvasElement;
  /** Size the raster is drawn at (CSS pixels of the export before scaling). */
  width: number;
  height: number;
  xLabel?: string;
  yLabel?: string;
  /** Tick labels at fractions [0, 1] of each axis (x left to right, y top to bottom). */
  xTicks?: { at: number; label: string }[];
  yTicks?: { at: number; label: string }[];
  /** A colour bar from lo to hi, drawn with `ramp` (t in [0, 1] → RGB). */
  colorbar?: { lo: number; hi: number; ramp: (t: number) => [number, number, number] };
  /** A legend of coloured entries (classes), drawn right of the raster. */
  legend?: { label: string; color: string }[];
  /**
   * The plot body as SVG elements, for figures drawn from data rather than pixels (a scatter):
   * `x0, y0` is the plot's top-left corner in the export. Without it the SVG draws the raster's pixels.
   */
  vector?: (x0: number, y0: number) => string[];
}

/** 3–6 round ticks covering [lo, hi], as fractions of the span (for a scatter's axes). */
export function linearTicks(lo: number, hi: number, flip = false): { at: number; label: string }[] {
  if (!(hi > lo)) return [{ at: 0.5, label: String(Number(lo.toPrecision(3))) }];
  const raw = (hi - lo) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => (hi - lo) / st <= 5)!;
  const out: { at: number; label: string }[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    const f = (v - lo) / (hi - lo);
    out.push({ at: flip ? 1 - f : f, label: String(Number(v.toPrecision(6))) });
  }
  return out;
}

/**
 * A canvas's pixels as SVG rectangles over [x0, x0 + width] × [y0, y0 + height]: one per run of
 * equal colour along a row (a heat map's cells, an image's pixels), transparent pixels left out.
 */
export function pixelRects(raster: HTMLCanvasElement, x0: number, y0: number, width: number, height: number): string[] {
  const w = raster.width;
  const h = raster.height;
  const px = raster.getContext('2d')!.getImageData(0, 0, w, h).data;
  const cw = width / w;
  const ch = height / h;
  const out: string[] = [];
  const f = (v: number) => Number(v.toFixed(3));
  for (let y = 0; y < h; y++) {
    let x = 0;
    while (x < w) {
      const i = 4 * (y * w + x);
      let end = x + 1;
      while (end < w && [0, 1, 2, 3].every((k) => px[4 * (y * w + end) + k] === px[i + k])) end++;
      const a = px[i + 3]!;
      if (a > 0)
        out.push(
          `<rect x="${f(x0 + x * cw)}" y="${f(y0 + y * ch)}" width="${f((end - x) * cw)}" height="${f(ch)}" fill="rgb(${px[i]},${px[i + 1]},${px[i + 2]})"${a < 255 ? ` fill-opacity="${f(a / 255)}"` : ''} shape-rendering="crispEdges"/>`,
        );
      x = end;
    }
  }
  return out;
}

/** The user's figure font (figure-prefs): tick and legend text, and the family for titles. */
const FONT = () => `${fontPx()}px ${figureFamily()}`;
const M = { left: 56, right: 80, top: 30, bottom: 44 };

/** Evenly spaced integer ticks 0 … n − 1 (at most `count`), at the centres of their cells. */
export function indexTicks(n: number, count = 5): { at: number; label: string }[] {
  if (n <= 0) return [];
  const step = Math.max(1, Math.ceil((n - 1) / (count - 1)));
  const out: { at: number; label: string }[] = [];
  for (let i = 0; i < n; i += step) out.push({ at: (i + 0.5) / n, label: String(i) });
  return out;
}

/**
 * The export's frame, with the plot at the size the figure preferences ask for (its own, or the
 * column width): `k` is that size over the figure's own, for bodies drawn in their own units.
 */
function layout(f: RasterFigure) {
  const side = f.colorbar || f.legend ? M.right : 20;
  const [width, height] = plotSizeFor(figurePrefs, f.width, f.height, M.left + side);
  const W = M.left + width + side;
  const H = M.top + height + M.bottom;
  return { W, H, x0: M.left, y0: M.top, width, height, k: width / f.width };
}

export function rasterPng(f: RasterFigure): string {
  const { W, H, x0, y0, width, height } = layout(f);
  f = { ...f, width, height };
  const c = document.createElement('canvas');
  const k = exportScale();
  c.width = W * k;
  c.height = H * k;
  const ctx = c.getContext('2d')!;
  ctx.scale(k, k);
  ctx.fillStyle = PRINT_THEME.background;
  ctx.fillRect(0, 0, W, H);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(f.raster, x0, y0, f.width, f.height);
  ctx.strokeStyle = PRINT_THEME.fg;
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 - 0.5, y0 - 0.5, f.width + 1, f.height + 1);
  ctx.fillStyle = PRINT_THEME.fg;
  ctx.font = `bold ${fontPx() + 1}px ${figureFamily()}`;
  ctx.textAlign = 'center';
  ctx.fillText(f.title, W / 2, 18);
  ctx.font = FONT();
  for (const t of f.xTicks ?? []) ctx.fillText(t.label, x0 + t.at * f.width, y0 + f.height + 14);
  ctx.textAlign = 'right';
  for (const t of f.yTicks ?? []) ctx.fillText(t.label, x0 - 4, y0 + t.at * f.height + 4);
  ctx.textAlign = 'center';
  if (f.xLabel) ctx.fillText(f.xLabel, x0 + f.width / 2, y0 + f.height + 32);
  if (f.yLabel) {
    ctx.save();
    ctx.translate(14, y0 + f.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(f.yLabel, 0, 0);
    ctx.restore();
  }
  if (f.colorbar) {
    const bx = x0 + f.width + 16;
    for (let i = 0; i < f.height; i++) {
      const [r, g, b] = f.colorbar.ramp(1 - i / Math.max(1, f.height - 1));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(bx, y0 + i, 14, 1);
    }
    ctx.fillStyle = PRINT_THEME.fg;
    ctx.textAlign = 'left';
    ctx.fillText(scaleLabel(f.colorbar.hi), bx + 18, y0 + 10);
    ctx.fillText(scaleLabel(f.colorbar.lo), bx + 18, y0 + f.height);
  }
  if (f.legend) {
    const bx = x0 + f.width + 12;
    ctx.textAlign = 'left';
    f.legend.forEach((e, i) => {
      ctx.fillStyle = e.color;
      ctx.fillRect(bx, y0 + i * 16, 10, 10);
      ctx.fillStyle = PRINT_THEME.fg;
      ctx.fillText(e.label, bx + 14, y0 + i * 16 + 9);
    });
  }
  return c.toDataURL('image/png');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function rasterSvg(f: RasterFigure): string {
  const { W, H, x0, y0, width, height, k } = layout(f);
  // A vector body is drawn in the figure's own units, then scaled into place.
  const body = f.vector
    ? [`<g transform="translate(${x0} ${y0}) scale(${Number(k.toFixed(6))})">`, ...f.vector(0, 0), '</g>']
    : pixelRects(f.raster, x0, y0, width, height);
  f = { ...f, width, height };
  // The size is an argument: an attribute written twice makes the file invalid XML (no viewer opens it).
  const text = (x: number, y: number, s: string, extra = '', size = fontPx()) =>
    `<text x="${x}" y="${y}" fill="${PRINT_THEME.fg}" font-family="${figureFamily()}" font-size="${size}" ${extra}>${esc(s)}</text>`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="${PRINT_THEME.background}"/>`,
    ...body,
    `<rect x="${x0 - 0.5}" y="${y0 - 0.5}" width="${f.width + 1}" height="${f.height + 1}" fill="none" stroke="${PRINT_THEME.fg}"/>`,
    text(W / 2, 18, f.title, 'text-anchor="middle" font-weight="bold"', fontPx() + 1),
    ...(f.xTicks ?? []).map((t) => text(x0 + t.at * f.width, y0 + f.height + 14, t.label, 'text-anchor="middle"')),
    ...(f.yTicks ?? []).map((t) => text(x0 - 4, y0 + t.at * f.height + 4, t.label, 'text-anchor="end"')),
    ...(f.xLabel ? [text(x0 + f.width / 2, y0 + f.height + 32, f.xLabel, 'text-anchor="middle"')] : []),
    ...(f.yLabel
      ? [text(14, y0 + f.height / 2, f.yLabel, `text-anchor="middle" transform="rotate(-90 14 ${y0 + f.height / 2})"`)]
      : []),
  ];
  if (f.colorbar) {
    const bx = x0 + f.width + 16;
    const stops = Array.from({ length: 11 }, (_, i) => {
      const [r, g, b] = f.colorbar!.ramp(1 - i / 10);
      return `<stop offset="${i / 10}" stop-color="rgb(${r},${g},${b})"/>`;
    });
    parts.push(
      `<defs><linearGradient id="cb" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`,
      `<rect x="${bx}" y="${y0}" width="14" height="${f.height}" fill="url(#cb)"/>`,
      text(bx + 18, y0 + 10, scaleLabel(f.colorbar.hi)),
      text(bx + 18, y0 + f.height, scaleLabel(f.colorbar.lo)),
    );
  }
  if (f.legend) {
    const bx = x0 + f.width + 12;
    f.legend.forEach((e, i) =>
      parts.push(
        `<rect x="${bx}" y="${y0 + i * 16}" width="10" height="10" fill="${e.color}"/>`,
        text(bx + 14, y0 + i * 16 + 9, e.label),
      ),
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
