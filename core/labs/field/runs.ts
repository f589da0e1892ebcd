// What a random-neural-field run record keeps (core/labs/runs/).
import type { FieldRobustnessParams, FieldRobustnessResult, FieldTrainParams, FieldTrainResult } from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const trainSummary = (_p: FieldTrainParams, r: FieldTrainResult): RunSummary => ({
  metrics: {
    'test accuracy': r.testAccuracy,
    'train accuracy': r.trainAccuracy,
    'final train loss': r.trainLoss.at(-1),
    laziness: r.laziness,
    'function gap': r.functionGap,
    λ_max: r.lambdaMax,
  },
  curves: [curve('train loss', 'step', r.trainLoss), curve('train loss, NTK prediction', 'step', r.ntkLoss)],
});

export const robustnessSummary = (_p: FieldRobustnessParams, r: FieldRobustnessResult): RunSummary => ({
  metrics: Object.fromEntries(r.curves.map((c) => [`${c.model} ${c.perturbation}, strongest`, c.mean.at(-1)])),
  curves: r.curves.map((c) => curve(`${c.model} under ${c.perturbation}`, 'perturbation level', c.mean, c.levels)),
});
