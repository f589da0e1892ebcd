// What a dataset-lab run record keeps (core/labs/runs/).
import type { BaselineParams, BaselineResult } from '../../contract.ts';
import { curve, type RunSummary } from '../kit/runs.ts';

export const baselineSummary = (_p: BaselineParams, r: BaselineResult): RunSummary => ({
  metrics: {
    'test accuracy': r.testAccuracy,
    'test loss': r.testLoss,
    'final train loss': r.curve.at(-1)?.loss,
    steps: r.stepsDone,
  },
  curves: [
    curve(
      'train loss',
      'step',
      r.curve.map((c) => c.loss),
      r.curve.map((c) => c.step),
    ),
    curve(
      'train accuracy',
      'step',
      r.curve.map((c) => c.accuracy),
      r.curve.map((c) => c.step),
    ),
  ],
});
