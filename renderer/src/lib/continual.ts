// Chart shaping for the continual-learning lab: pure functions from stored results to chart series,
// tested in test/unit/continual-view.test.ts.
import {
  CONTINUAL_COMPARED,
  type ClChainResult,
  type ClCompared,
  type ClCompareResult,
  type ClNetworkResult,
  type ClSweepPoint,
  type ClSweepResult,
  type ClTwoTask,
} from '../../../core/contract';
import type { Series } from './series';

/** Per task: the Monte-Carlo mean after each stage as points, ± sd as thin faint lines, the theory as a line; x is the stage (1-based). */
export function chainSeries(r: ClChainResult): Series[] {
  return r.mean.flatMap((row, t): Series[] => [
    {
      label: `task ${t + 1}, Monte Carlo (${r.draws} draws)`,
      style: 'points',
      color: t,
      points: row.map((y, m) => ({ x: m + 1, y })),
    },
    {
      label: `task ${t + 1}, ± sd`,
      style: 'band',
      color: t,
      points: row.map((y, m) => ({ x: m + 1, y: y + r.sd[t]![m]! })),
    },
    ...(r.theory ? [{ label: `task ${t + 1}, theory`, color: t, points: r.theory[t]!.map((y, m) => ({ x: m + 1, y })) }] : []),
  ]);
}

/** The points of a sweep that have a theory (a correction without a formula has none). */
const withTheory = (s: ClSweepResult) => s.points.filter((p): p is ClSweepPoint & { theory: ClTwoTask } => p.theory !== null);

/** The ratio sweep: task 1's error after stage 2 against N₂/N₁ (points ± sd, theory line), and its error before stage 2. */
export function ratioSeries(s: ClSweepResult): Series[] {
  const pts = s.points;
  return [
    {
      label: 'E₁ after stage 2, Monte Carlo',
      style: 'points',
      color: 0,
      points: pts.map((p) => ({ x: p.value, y: p.mean.e12 })),
    },
    { label: '± sd', style: 'band', color: 0, points: pts.map((p) => ({ x: p.value, y: p.mean.e12 + p.sd.e12 })) },
    ...theoryLines(s, [
      { label: 'E₁ after stage 2, theory', color: 0, y: (t) => t.e12 },
      { label: 'E₁ after stage 1 (theory)', style: 'dashed', color: 1, y: (t) => t.e11 },
    ]),
  ];
}

/** Theory lines over the points that have one; none at all where no point has. */
function theoryLines(
  s: ClSweepResult,
  lines: { label: string; color: number; style?: 'dashed'; y: (t: ClTwoTask) => number }[],
  x: (p: ClSweepPoint) => number = (p) => p.value,
): Series[] {
  const pts = withTheory(s);
  if (!pts.length) return [];
  return lines.map(({ y, ...rest }) => ({ ...rest, points: pts.map((p) => ({ x: x(p), y: y(p.theory) })) }));
}

/**
 * A correction's setting swept (R, λ_a or c): task 1's error after stage 2 over its error after stage 1 (below 1: no
 * forgetting) and task 2's error over learning it alone (below 1: transfer), Monte Carlo as points ± sd, theory as lines.
 */
export function correctionSeries(s: ClSweepResult): Series[] {
  const pts = s.points;
  return [
    {
      label: 'E₁₂/E₁₁ (task 1: after / before stage 2), Monte Carlo',
      style: 'points',
      color: 0,
      points: pts.map((p) => ({ x: p.value, y: p.mean.e12 / p.mean.e11 })),
    },
    {
      label: '± sd',
      style: 'band',
      color: 0,
      legend: false,
      points: pts.map((p) => ({ x: p.value, y: (p.mean.e12 + p.sd.e12) / p.mean.e11 })),
    },
    {
      label: 'E₂₂/E₂ alone (task 2: after task 1 / alone), Monte Carlo',
      style: 'points',
      color: 1,
      points: pts.map((p) => ({ x: p.value, y: p.mean.e22 / p.mean.e2alone })),
    },
    ...theoryLines(s, [
      { label: 'E₁₂/E₁₁, theory', color: 0, y: (t) => t.e12 / t.e11 },
      { label: 'E₂₂/E₂ alone, theory', color: 1, y: (t) => t.e22 / t.e2alone },
    ]),
    {
      label: 'no change (ratio 1)',
      style: 'dashed',
      color: 2,
      points: [
        { x: Math.min(...pts.map((p) => p.value)), y: 1 },
        { x: Math.max(...pts.map((p) => p.value)), y: 1 },
      ],
    },
  ];
}

/**
 * The similarity sweep: forward transfer (task 2 learned alone minus after task 1) and backward transfer (task 1's error
 * after stage 1 minus after stage 2) against ρ: Monte Carlo as points, theory as lines, the critical ρ as vertical markers.
 */
export function similaritySeries(s: ClSweepResult): Series[] {
  const pts = s.points;
  const ys = pts.flatMap((p) => [
    ...(p.theory ? [p.theory.e2alone - p.theory.e22, p.theory.e11 - p.theory.e12] : []),
    p.mean.e2alone - p.mean.e22,
    p.mean.e11 - p.mean.e12,
  ]);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const marker = (label: string, rho: number | null | undefined, color: number): Series[] =>
    rho === null || rho === undefined
      ? []
      : [
          {
            label,
            style: 'dashed',
            color,
            points: [
              { x: rho, y: lo },
              { x: rho, y: hi },
            ],
          },
        ];
  return [
    {
      label: 'forward transfer, Monte Carlo',
      style: 'points',
      color: 0,
      points: pts.map((p) => ({ x: p.rho, y: p.mean.e2alone - p.mean.e22 })),
    },
    ...theoryLines(s, [{ label: 'forward transfer, theory', color: 0, y: (t) => t.e2alone - t.e22 }], (p) => p.rho),
    {
      label: 'backward transfer, Monte Carlo',
      style: 'points',
      color: 1,
      points: pts.map((p) => ({ x: p.rho, y: p.mean.e11 - p.mean.e12 })),
    },
    ...theoryLines(s, [{ label: 'backward transfer, theory', color: 1, y: (t) => t.e11 - t.e12 }], (p) => p.rho),
    ...marker(`critical ρ, forward (${fmtRho(s.critical?.forward)})`, s.critical?.forward, 0),
    ...marker(`critical ρ, backward (${fmtRho(s.critical?.backward)})`, s.critical?.backward, 1),
  ];
}

const fmtRho = (r: number | null | undefined) => (r === null || r === undefined ? 'none' : r.toFixed(3));

/** The network: per task, the trained network's error after each stage as points, its linearisation's as a line. */
export function networkSeries(r: ClNetworkResult): Series[] {
  return r.measured.flatMap((row, t): Series[] => [
    { label: `task ${t + 1}, network`, style: 'points', color: t, points: row.map((y, m) => ({ x: m + 1, y })) },
    ...(r.predicted
      ? [{ label: `task ${t + 1}, empirical NTK at init`, color: t, points: r.predicted[t]!.map((y, m) => ({ x: m + 1, y })) }]
      : []),
  ]);
}

const COMPARED_LABEL: Record<ClCompared, string> = {
  none: 'no correction',
  replay: 'replay, best R',
  anchor: 'anchor, best λ_a',
  balanced: 'balanced step, best c',
  'balanced-auto': 'step rule c = N₂/(N₁+N₂)',
};
export const comparedLabel = (c: ClCompared) => COMPARED_LABEL[c];

/**
 * The comparison at one noise level: task 1's error after stage 2 over after stage 1 against N₂/N₁, one colour per
 * correction at its best setting (Monte Carlo points; theory lines where a formula covers the best setting), and 1.
 */
export function compareSeries(r: ClCompareResult, noise: number): Series[] {
  const pts = r.points.filter((q) => q.noise === noise);
  const xs = pts.map((q) => q.ratio);
  return [
    ...CONTINUAL_COMPARED.flatMap((c, k): Series[] => {
      const withTheory = pts.filter((q) => q.rows[k]!.theory);
      return [
        {
          label: COMPARED_LABEL[c],
          style: 'points',
          color: k,
          points: pts.map((q) => ({ x: q.ratio, y: q.rows[k]!.mean.e12 / q.rows[k]!.mean.e11 })),
        },
        // In the legend once, as the grey key below: ten entries crowded the plot away.
        ...(withTheory.length
          ? [
              {
                label: `${COMPARED_LABEL[c]}, theory`,
                color: k,
                legend: false,
                points: withTheory.map((q) => ({ x: q.ratio, y: q.rows[k]!.theory!.e12 / q.rows[k]!.theory!.e11 })),
              },
            ]
          : []),
      ];
    }),
    { label: 'points: Monte Carlo; lines: theory', color: -1, points: [] },
    {
      label: 'E₂ = E₁',
      style: 'dashed',
      color: -1,
      points: [
        { x: Math.min(...xs), y: 1 },
        { x: Math.max(...xs), y: 1 },
      ],
    },
  ];
}
