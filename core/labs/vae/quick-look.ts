// The vae lab's quick look as the jobs it runs (the view starts the same ones) and the numbers
// its line quotes, formatted as the line writes them (bench/quick-looks.ts, test/unit/quick-looks.test.ts).
import type { QuickLookRun } from '../kit/quick-look.ts';
import { p2 } from '../kit/quick-look.ts';
import { defaultsOf } from '../../contract/params.ts';
import { RECALL_FIELDS, VAE_QUICK_LOOK, VAE_TRAIN_FIELDS } from './contract.ts';

export const quickLook: QuickLookRun = {
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
};
