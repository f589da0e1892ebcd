// What the NGD lab's experiments share: the data a network reads, its input width, the memory a
// run needs, the comparison the flags describe, and one run as the CLI prints it.
import {
  NGD_COMPARE_FIELDS,
  NGD_METHODS,
  NGD_NETWORK_FIELDS,
  NGD_TRAIN_FIELDS,
  type DatasetSource,
  type NgdCompareParams,
  type NgdMethodName,
  type NgdNetworkParams,
  type NgdRunResult,
} from '../../../contract.ts';
import { KairoError } from '../../../errors.ts';
import type { Parsed } from '../../kit/args.ts';
import { parseFlagged, readFlags } from '../../kit/flags.ts';
import type { JobData } from '../../kit/job.ts';
import { compareSchema, defaultNgdCompare } from '../state.ts';

export const METHODS = NGD_METHODS.join('|');

/** The dataset a network's inputs come from: MNIST's 0s and 1s, the Datasets lab's first two classes, or none. */
export const sourceOf = (p: NgdNetworkParams): DatasetSource | null =>
  p.data === 'mnist01' ? { kind: 'mnist' } : p.data === 'dataset' ? p.source : null;

/**
 * The input width M₀: Gaussian inputs take the parameter; images their own pixel count, from the
 * data's headers (784 for MNIST, whatever a loaded IDX set has).
 */
export function inputWidth(p: NgdNetworkParams, data: JobData): number {
  if (p.data === 'gaussian') return p.inputDim;
  if (data.imageSize === null) throw new KairoError('internal', 'the input width of image data needs its header');
  return data.imageSize;
}

/** Float64 bytes of a run: two copies of the parameters (the initial network and the one trained), the dual Grams. */
export function bytes(p: NgdNetworkParams, data: JobData, width = p.width): number {
  const M0 = inputWidth(p, data);
  const widths = [M0, ...Array<number>(p.depth - 1).fill(width), p.outputs];
  let P = 0;
  for (let l = 1; l < widths.length; l++) P += widths[l]! * (widths[l - 1]! + 1);
  const n = p.samples * p.outputs;
  return 8 * (3 * P + (3 * p.depth + 6) * n * n + 2 * p.depth * n * width + (p.samples + p.testSamples) * M0);
}

/** The methods (every one without --methods) from the compare fields: the form's checkboxes read the same. */
export const methodsFlag = (p: Parsed): NgdMethodName[] => [...readFlags(p, NGD_COMPARE_FIELDS, defaultNgdCompare()).methods];

export function compareParams(p: Parsed, methods: NgdMethodName[], at: NgdCompareParams['at']): NgdCompareParams {
  const d = defaultNgdCompare();
  return parseFlagged(
    compareSchema,
    {
      ...readFlags(p, NGD_TRAIN_FIELDS, d),
      network: { ...readFlags(p, NGD_NETWORK_FIELDS, d.network), source: d.network.source },
      methods,
      at,
    },
    'ngd',
    NGD_TRAIN_FIELDS,
    NGD_NETWORK_FIELDS,
  );
}

/** A run's predictions as the CLI prints them: the empirical-NTK ones and the infinite-width ones side by side. */
export const theoryJson = (t: NgdRunResult['theory']) => ({
  alpha: t.alpha,
  note: t.note,
  losses: t.losses,
  test_losses: t.testLosses,
  test_losses_analytic: t.testLossesAnalytic,
  analytic_note: t.analyticNote,
});

export const runJson = (r: NgdRunResult) => ({
  method: r.method,
  eta: r.eta,
  losses: r.losses,
  test_losses: r.testLosses,
  diverged: r.diverged,
  error: r.error,
  step_sizes: r.stepSizes,
  linearisation_errors: r.linearErrors,
  sign_changes: r.signChanges,
  theory: theoryJson(r.theory),
});
