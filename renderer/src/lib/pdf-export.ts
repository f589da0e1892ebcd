// A figure's PDF, made from its SVG export so that both show exactly the same thing: svg2pdf.js
// draws the SVG's paths and text into a jsPDF page. The PDF's standard fonts have no Greek
// (λ, σ, ρ, θ appear in most of Kairo's labels) and no sub- or superscript digits, so the text is
// set in DejaVu Sans or Serif (the figure font preference), embedded with a Unicode map: the text
// stays text, searchable and copyable. The figure is laid out in that same font (loaded into the
// page while the PDF is made), so labels keep their places. The fonts (0.7 MB each) and the
// two libraries load only when the first PDF is made.
import { drawnInFamily, figurePrefs } from './figure-prefs.svelte';

/** SVG user units are CSS pixels (96 per inch); PDF's are points (72 per inch). */
const PT_PER_PX = 72 / 96;
/** The family the figure is drawn in, and the embedded font's name in the PDF. */
const FAMILY = { 'sans-serif': 'DejaVuSans', serif: 'DejaVuSerif' } as const;

type Face = 'normal' | 'bold';
const FONT_FILES: Record<'sans-serif' | 'serif', Record<Face, () => Promise<{ default: string }>>> = {
  'sans-serif': {
    normal: () => import('dejavu-fonts-ttf/ttf/DejaVuSans.ttf?inline'),
    bold: () => import('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf?inline'),
  },
  serif: {
    normal: () => import('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf?inline'),
    bold: () => import('dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf?inline'),
  },
};

/** The base64 payload of a data URL (Vite's `?inline` import of a font file). */
const base64Of = (dataUrl: string): string => dataUrl.slice(dataUrl.indexOf(',') + 1);

/** The SVG's size in CSS pixels: its width and height attributes, else its viewBox. */
export function svgSize(svg: Element): [number, number] {
  const w = parseFloat(svg.getAttribute('width') ?? '');
  const h = parseFloat(svg.getAttribute('height') ?? '');
  if (w > 0 && h > 0) return [w, h];
  const vb = (svg.getAttribute('viewBox') ?? '').split(/[\s,]+/).map(Number);
  if (vb.length === 4 && vb[2]! > 0 && vb[3]! > 0) return [vb[2]!, vb[3]!];
  throw new Error('this figure has no size to make a PDF page of');
}

/** Every text in the SVG is set in the embedded family (weights kept: 600 and up are bold). */
function useEmbeddedFont(svg: Element, family: string): void {
  for (const el of svg.querySelectorAll('text, tspan, g, svg')) {
    if (el.hasAttribute('font-family')) el.setAttribute('font-family', family);
    const style = el.getAttribute('style');
    if (style && /font/.test(style)) {
      // svgcanvas writes the canvas font shorthand into font-family too ("12px Helvetica"); keep its size.
      el.setAttribute('style', style.replace(/font-family\s*:[^;]*/g, `font-family:${family}`));
    }
    if (el.tagName === 'text' || el.tagName === 'tspan') {
      const weight = el.getAttribute('font-weight');
      if (weight === 'bold' || Number(weight) >= 600) el.setAttribute('font-weight', 'bold');
      else if (weight) el.setAttribute('font-weight', 'normal');
    }
  }
  svg.setAttribute('font-family', family);
}

const loaded = new Set<string>();

/** Loads the face into this document too, so the export's layout is measured in it. */
async function loadFace(family: string, dataUrl: string, weight: Face): Promise<void> {
  // From bytes, not the data URL: the page's Content-Security-Policy allows no font URLs.
  const bytes = Uint8Array.from(atob(base64Of(dataUrl)), (c) => c.charCodeAt(0));
  const face = new FontFace(family, bytes.buffer, { weight });
  await face.load();
  document.fonts.add(face);
}

/**
 * The figure as a one-page PDF of its SVG's size (one CSS pixel = 0.75 pt). `makeSvg` is the
 * figure's own SVG export, called here with the embedded font as the figure font.
 */
export async function svgToPdf(makeSvg: () => string | Promise<string>): Promise<Blob> {
  const style = figurePrefs.font;
  const [{ jsPDF }, { svg2pdf }, normal, bold] = await Promise.all([
    import('jspdf'),
    import('svg2pdf.js'),
    FONT_FILES[style].normal(),
    FONT_FILES[style].bold(),
  ]);
  const family = FAMILY[style];
  if (!loaded.has(family)) {
    await Promise.all([loadFace(family, normal.default, 'normal'), loadFace(family, bold.default, 'bold')]);
    loaded.add(family);
  }
  const svgText = await drawnInFamily(family, makeSvg);
  const svg = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  if (svg.tagName !== 'svg')
    throw new Error(`this figure's SVG does not parse (${(svg.textContent ?? '').trim().split('\n')[0]})`);
  const [w, h] = svgSize(svg);
  // svg2pdf scales the viewBox into the page; without one it would draw pixels as points.
  if (!svg.hasAttribute('viewBox')) svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  useEmbeddedFont(svg, family);
  const doc = new jsPDF({
    compress: true,
    unit: 'pt',
    format: [w * PT_PER_PX, h * PT_PER_PX],
    orientation: w >= h ? 'landscape' : 'portrait',
  });
  doc.addFileToVFS('figure.ttf', base64Of(normal.default));
  doc.addFont('figure.ttf', family, 'normal');
  doc.addFileToVFS('figure-bold.ttf', base64Of(bold.default));
  doc.addFont('figure-bold.ttf', family, 'bold');
  doc.setFont(family, 'normal');
  doc.setProperties({ creator: 'Kairo' });
  // svg2pdf reads computed styles, so the SVG must be in the document while it draws.
  const host = document.createElement('div');
  host.style.cssText = 'position:fixed;left:-100000px;top:0;visibility:hidden';
  host.appendChild(svg);
  document.body.appendChild(host);
  try {
    await svg2pdf(svg, doc, { x: 0, y: 0, width: w * PT_PER_PX, height: h * PT_PER_PX });
  } finally {
    host.remove();
  }
  return doc.output('blob');
}
