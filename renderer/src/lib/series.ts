// What a chart draws: named series of points, shaped by the pure functions in lib/ (tested
// without a browser) and drawn by components/Chart.svelte.
export interface Series {
  label: string;
  points: { x: number; y: number }[];
  /** Second y axis on the right, for a metric on another scale. */
  right?: boolean;
  /** 'points': markers without a line (measurements); 'dashed': a thin dashed line (bands, theory). */
  style?: 'line' | 'points' | 'dashed';
  /** Palette index, so related series (mean and its band) share a colour. */
  color?: number;
}
