// A chart drawn again off screen for export: to a PNG (a canvas of its own) or to SVG through
// svgcanvas, whose context records chart.js's drawing as vector paths with text kept as text.
import { BasicPlatform, Chart, type ChartConfiguration } from 'chart.js';
import { Context as SvgContext } from 'svgcanvas';
import { figureFamily, fontPx } from './figure-prefs.svelte';

/** Draws with the user's figure font (chart.js's defaults, restored after): every label not set otherwise. */
function withFont<T>(draw: () => T): T {
  const saved = { ...Chart.defaults.font };
  Chart.defaults.font.family = figureFamily();
  Chart.defaults.font.size = fontPx();
  try {
    return draw();
  } finally {
    Object.assign(Chart.defaults.font, saved);
  }
}

/** The figure as a PNG data URL; `config` carries the export scale and the print theme. */
export function renderPng(config: ChartConfiguration, width: number, height: number): string {
  const off = document.createElement('canvas');
  off.width = width;
  off.height = height;
  return withFont(() => {
    const tmp = new Chart(off, config);
    const url = tmp.toBase64Image('image/png', 1);
    tmp.destroy();
    return url;
  });
}

/** The figure as SVG text. */
export function renderSvg(config: ChartConfiguration, width: number, height: number): string {
  const ctx = new SvgContext({ width, height }) as unknown as CanvasRenderingContext2D & {
    getContext: () => unknown;
    getSerializedSvg: () => string;
  };
  ctx.getContext = () => ctx;
  // BasicPlatform: no DOM canvas behind this context, so no attributes, styles or resize observers.
  return withFont(() => {
    const tmp = new Chart(ctx as unknown as HTMLCanvasElement, { ...config, platform: BasicPlatform });
    const svg = ctx.getSerializedSvg();
    tmp.destroy();
    return svg;
  });
}
