// Figure export preferences as pure values (the state that holds them is figure-prefs.svelte.ts):
// their defaults, how a stored entry is read, and the size an export takes. Tested in
// test/unit/runs-view.test.ts.
export interface FigurePrefs {
  size: 'screen' | 'single' | 'double';
  scale: 2 | 3;
  font: 'sans-serif' | 'serif';
  /** Point size of tick labels and legends (titles are 1 pt larger). */
  fontPt: number;
}

/** Single column 3.5 in, double column 7 in (the common journal widths), at 96 px per inch. */
export const COLUMN_PX = { single: 336, double: 672 } as const;
export const DEFAULT_FIGURE_PREFS: FigurePrefs = { size: 'screen', scale: 2, font: 'sans-serif', fontPt: 9 };
/** Stored preferences, each field checked; anything missing or odd falls back to its default. */
export function parsePrefs(text: string | null): FigurePrefs {
  let v: Partial<Record<keyof FigurePrefs, unknown>> = {};
  try {
    const o = JSON.parse(text ?? '{}') as unknown;
    if (o && typeof o === 'object') v = o as typeof v;
  } catch {
    // A damaged entry: the defaults.
  }
  const d = DEFAULT_FIGURE_PREFS;
  return {
    size: v.size === 'single' || v.size === 'double' || v.size === 'screen' ? v.size : d.size,
    scale: v.scale === 3 ? 3 : 2,
    font: v.font === 'serif' ? 'serif' : 'sans-serif',
    fontPt: typeof v.fontPt === 'number' && v.fontPt >= 6 && v.fontPt <= 16 ? Math.round(v.fontPt) : d.fontPt,
  };
}

/** An exported chart's size: as on screen, or the chosen column width at a 0.62 aspect. */
export function sizeFor(prefs: FigurePrefs, screenWidth: number, screenHeight: number): [number, number] {
  if (prefs.size === 'screen') return [screenWidth, screenHeight];
  const w = COLUMN_PX[prefs.size];
  return [w, Math.round(w * 0.62)];
}

/**
 * The size a heat map, image grid or scatter is drawn at in an export whose frame (axes, colour bar
 * or legend) takes `chrome` pixels across: its own, or scaled to fill the chosen column, aspect kept.
 */
export function plotSizeFor(prefs: FigurePrefs, width: number, height: number, chrome: number): [number, number] {
  if (prefs.size === 'screen' || !(width > 0)) return [width, height];
  const w = Math.max(40, COLUMN_PX[prefs.size] - chrome);
  return [w, Number(((height * w) / width).toFixed(3))];
}
