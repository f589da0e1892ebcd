// How figures are exported for a paper, set once by the user (every Figure's ⚙) and kept in this
// browser's storage: the size (as on screen, or a journal's single or double column), the PNG's
// resolution, and the font. Sizes are CSS pixels at 96 per inch, as SVG and the browser measure them.
import { parsePrefs, sizeFor, type FigurePrefs } from './figure-size';

export { COLUMN_PX, DEFAULT_FIGURE_PREFS, type FigurePrefs } from './figure-size';

const KEY = 'kairo.figurePrefs';

const storage = (): Storage | null => (typeof localStorage === 'undefined' ? null : localStorage);

export const figurePrefs: FigurePrefs = $state(parsePrefs(storage()?.getItem(KEY) ?? null));

export function setFigurePrefs(p: Partial<FigurePrefs>): void {
  Object.assign(figurePrefs, parsePrefs(JSON.stringify({ ...figurePrefs, ...p })));
  storage()?.setItem(KEY, JSON.stringify(figurePrefs));
}

/** The PNG's scale over the figure's CSS size. */
export const exportScale = (): number => figurePrefs.scale;
/** Tick and legend text in CSS px (a point is 96/72 px). */
export const fontPx = (): number => (figurePrefs.fontPt * 96) / 72;
/** An exported chart's size: as on screen, or the chosen column width (figure-size.ts). */
export const exportSize = (screenWidth: number, screenHeight: number): [number, number] =>
  sizeFor(figurePrefs, screenWidth, screenHeight);

/** The family exports draw in: the user's choice, or the embedded font while a PDF is made (pdf-export.ts). */
let embeddedFamily: string | null = null;
export const figureFamily = (): string =>
  embeddedFamily ?? (figurePrefs.font === 'serif' ? 'Times New Roman, Times, serif' : 'Helvetica, Arial, sans-serif');

/**
 * Draws an export in `family` (a font loaded into this document): its layout is then measured with
 * the very font the PDF embeds, so no label outgrows its place.
 */
export async function drawnInFamily<T>(family: string, draw: () => T | Promise<T>): Promise<T> {
  embeddedFamily = family;
  try {
    return await draw();
  } finally {
    embeddedFamily = null;
  }
}
