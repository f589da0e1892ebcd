// Each lab's quick look as the jobs it runs (the views start the same ones) and the numbers its
// `shows` line quotes, formatted as the line writes them: bench/quick-looks.ts times the jobs and
// prints the numbers; test/unit/quick-looks.test.ts checks every quoted number is the measured one.
import type { LabStates } from '../core/contract.ts';
import { BASELINE_QUICK_LOOK } from '../core/labs/data/contract.ts';
import { RECALL_FIELDS, VAE_QUICK_LOOK, VAE_TRAIN_FIELDS } from '../core/labs/vae/contract.ts';
import { defaultsOf } from '../core/contract/params.ts';
import { FISHER_QUICK_LOOK } from '../core/labs/fisher/contract.ts';
import { NGD_QUICK_LOOK } from '../core/labs/ngd/contract.ts';
import { CL_QUICK_LOOK } from '../core/labs/continual/contract.ts';
import { FIELD_QUICK_LOOK } from '../core/labs/field/contract.ts';
import { HOPFIELD_QUICK_LOOK } from '../core/labs/hopfield/contract.ts';
import { AUGMENT_QUICK_LOOK } from '../core/labs/augment/contract.ts';

export interface QuickLookRun {
  lab: string;
  seconds: number;
  shows: string;
  jobs: [string, unknown][];
  /** The numbers `shows` quotes, as it writes them. */
  quotes: (labs: LabStates) => string[];
}

const mnist = { kind: 'mnist' } as const;
const p2 = (v: number) => v.toFixed(2);

export const QUICK_LOOKS: QuickLookRun[] = [
  {
    lab: 'data',
    ...BASELINE_QUICK_LOOK,
    jobs: [['data.baseline', { ...BASELINE_QUICK_LOOK.params, source: mnist }]],
    quotes: (l) => [`${p2(l.data.baseline!.testAccuracy!)} test accuracy`],
  },
  {
    lab: 'vae',
    ...VAE_QUICK_LOOK,
    jobs: [
      [
        'vae.train',
        {
          ...defaultsOf(VAE_TRAIN_FIELDS),
          ...VAE_QUICK_LOOK.train,
          hidden: [...VAE_QUICK_LOOK.train.hidden],
          source: VAE_QUICK_LOOK.data,
        },
      ],
      ['vae.recall', { ...defaultsOf(RECALL_FIELDS), ...VAE_QUICK_LOOK.recall, noise: [...VAE_QUICK_LOOK.recall.noise] }],
    ],
    quotes: (l) => {
      const [a, b] = l.vae.runs;
      return [
        `falls to ${p2(a!.minima.concept!.min)} of its start within ${a!.minima.concept!.step} steps`,
        `(${p2(b!.minima.concept!.min)} at p = 0.4)`,
      ];
    },
  },
  {
    lab: 'fisher',
    ...FISHER_QUICK_LOOK,
    jobs: [['fisher.spectrum', { network: { ...FISHER_QUICK_LOOK.params, source: mnist }, compare: true }]],
    quotes: (l) => {
      const s = l.fisher.spectrum!;
      const ratio = s.stats.lambdaMax / s.stats.mLambda;
      const e = Math.floor(Math.log10(ratio));
      return [
        `λ_max is ${(ratio / 10 ** e).toFixed(1)}·10⁴ × the mean eigenvalue m_λ`.replace('10⁴', e === 4 ? '10⁴' : `10^${e}`),
        `λ_max ${Math.round(s.stats.lambdaMax)} beside the mean-field ${Math.round(s.theory!.lambdaMax)}`,
      ];
    },
  },
  {
    lab: 'ngd',
    ...NGD_QUICK_LOOK,
    jobs: [['ngd.compare', { ...NGD_QUICK_LOOK.params, network: { ...NGD_QUICK_LOOK.params.network, source: mnist } }]],
    quotes: (l) => {
      const runs = l.ngd.compare!.runs;
      const loss = (m: string) => runs.find((r) => r.method === m)!;
      const fitted = ['exact', 'block-diagonal', 'block-tridiagonal', 'kfac'].every((m) => loss(m).losses.at(-1)! < 1e-31);
      const unit = loss('unit-wise');
      const gd = loss('gd');
      return [
        `from ${gd.losses[0]!.toFixed(2)} to ${fitted ? 'below 10⁻³¹' : 'NOT below 10⁻³¹'} in ${gd.stepsDone} steps`,
        `where gradient descent reaches ${gd.losses.at(-1)!.toFixed(3)}`,
        unit.losses.at(-1)! > unit.losses[0]! ? '(its loss rose)' : 'unit-wise loss fell',
      ];
    },
  },
  {
    lab: 'continual',
    ...CL_QUICK_LOOK,
    jobs: [['continual.chain', { ...CL_QUICK_LOOK.params.model, ...CL_QUICK_LOOK.params.chain }]],
    quotes: (l) => {
      const e = l.continual.chain!.mean[0]!;
      return [
        `(${e[0]!.toFixed(4)} → ${e[1]!.toFixed(4)};`,
        e[1]! / e[0]! > 1.9 && e[1]! / e[0]! < 2.1 ? 'doubles its error' : 'ratio off',
      ];
    },
  },
  {
    lab: 'field',
    ...FIELD_QUICK_LOOK,
    jobs: [['field.train', { ...FIELD_QUICK_LOOK.params, source: mnist }]],
    quotes: (l) => [
      `(relative function gap ${p2(l.field.result!.functionGap!)})`,
      `test accuracy ${p2(l.field.result!.testAccuracy)}`,
    ],
  },
  {
    lab: 'hopfield',
    ...HOPFIELD_QUICK_LOOK,
    jobs: [['hopfield.train', HOPFIELD_QUICK_LOOK.params]],
    quotes: (l) => [`${p2(l.hopfield.result!.trainNll)} nats per point`],
  },
  {
    lab: 'augment',
    ...AUGMENT_QUICK_LOOK,
    jobs: [['augment.compare', { ...AUGMENT_QUICK_LOOK.params, source: mnist }]],
    quotes: (l) => {
      const r = l.augment.result!;
      const acc = (p: string) => `${(100 * r.cells.find((c) => c.policy === p)!.accuracy.mean).toFixed(1)} %`;
      const spa = r.cells.find((c) => c.policy === 'self-paced')!.curve;
      const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
      return [
        `SPA augments ${pct(spa[0]!.augmented)} of the images in epoch 1 and ${pct(spa.at(-1)!.augmented)} in epoch ${spa.length}`,
        `correlation ${r.samples!.lossCorrelation!.toFixed(2)} between`,
        `NA ${acc('none')}, CA ${acc('conventional')}, SPA ${acc('self-paced')}`,
      ];
    },
  },
];
