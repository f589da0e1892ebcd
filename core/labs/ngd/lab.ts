// The natural-gradient lab: exact NGD and its approximations (block-diagonal, block-tri-diagonal,
// K-FAC, unit-wise) in the NTK regime beside their predicted function-space dynamics.
import { alphaOf } from '../../../models/ngd/theory.ts';
import { NGD_METHODS, type NgdMethods } from '../../contract.ts';
import { checkSource } from '../../data/datasets.ts';
import { parseOrThrow } from '../../validate.ts';
import { z } from 'zod';
import { defineLab, jobsOf } from '../lab.ts';
import { inputWidth, sourceOf } from './experiments/common.ts';
import { NGD_EXPERIMENTS } from './experiments/index.ts';
import { defaultNgdLab, networkSchema, ngdLabSchema } from './state.ts';

const alphaParams = z.object({ network: networkSchema, method: z.enum(NGD_METHODS) }).strict();

/** The theory's α for a setting, instantly; image data gives its input width from its headers. */
async function ngdAlpha(raw: NgdMethods['ngd.alpha']['params']): Promise<NgdMethods['ngd.alpha']['result']> {
  const { network: p, method } = parseOrThrow(alphaParams, raw, 'ngd.alpha');
  const source = sourceOf(p);
  const M0 = inputWidth(p, source ? await checkSource(source) : { imageSize: null });
  return alphaOf({
    method,
    activation: p.activation,
    widths: [M0, ...Array<number>(p.depth - 1).fill(p.width), p.outputs],
    samples: p.samples,
    bias: p.sigmaB2 > 0,
    forster: p.forster,
  });
}

export const ngdLab = defineLab({
  id: 'ngd',
  title: 'Natural gradient',
  schema: ngdLabSchema,
  defaults: defaultNgdLab,
  tensors: () => [],
  jobs: jobsOf(NGD_EXPERIMENTS),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {
    'ngd.alpha': (_ctx, p) => ngdAlpha(p),
  },
  cli: { name: 'ngd', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
