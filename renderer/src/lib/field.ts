// Chart shaping for the random-neural-field lab: pure functions from stored results to chart
// series, tested in test/unit/field-view.test.ts.
import type { FieldExploreView, FieldRobustnessResult, FieldTrainResult } from '../../../core/contract';
import type { Series } from './series';

export const PERTURBATIONS = ['noise', 'shift', 'elastic', 'fgsm'] as const;
export const PERTURBATION_LABEL = {
  noise: 'Gaussian pixel noise σ',
  shift: 'shift (pixels)',
  elastic: 'elastic deformation α (pixels)',
  fgsm: 'FGSM ε',
} as const;

/** The weights' correlation against distance: measured over neurons as points, the kernel formula as a line. */
export function correlationSeries(view: FieldExploreView | null): Series[] {
  if (!view) return [];
  return [
    { label: 'empirical (over neurons)', style: 'points', points: view.correlation.map((c) => ({ x: c.lag, y: c.empirical })) },
    { label: 'kernel formula', points: view.correlation.map((c) => ({ x: c.lag, y: c.theory })) },
  ];
}

/** The measured training loss beside the NTK prediction from the kernel at initialisation. */
export function ntkLossSeries(r: FieldTrainResult | null): Series[] {
  if (!r) return [];
  return [
    { label: 'measured training loss', points: r.trainLoss.map((y, x) => ({ x, y })) },
    { label: 'NTK prediction (kernel at init)', style: 'dashed', points: r.ntkLoss.map((y, x) => ({ x, y })) },
  ];
}

/** Test accuracy against one perturbation's level, per network: the mean, and ± sd as thin faint lines when there are several seeds. */
export function robustnessSeries(r: FieldRobustnessResult, pert: (typeof PERTURBATIONS)[number]): Series[] {
  return r.curves
    .filter((c) => c.perturbation === pert)
    .flatMap((c, i): Series[] => [
      { label: `${c.model} (mean)`, color: i, points: c.levels.map((x, k) => ({ x, y: c.mean[k]! })) },
      ...(r.params.seeds > 1
        ? [
            {
              label: `${c.model} ± sd`,
              style: 'band' as const,
              color: i,
              points: c.levels.map((x, k) => ({ x, y: c.mean[k]! + c.sd[k]! })),
            },
            {
              label: `${c.model} − sd`,
              style: 'band' as const,
              color: i,
              points: c.levels.map((x, k) => ({ x, y: c.mean[k]! - c.sd[k]! })),
            },
          ]
        : []),
    ]);
}
