// The VAE recall lab: train a VAE, run repeated inference from noisy or held-out inputs, sweep.
import { parameterShapes } from '../../../models/vae/shapes.ts';
import { KairoError } from '../../errors.ts';
import { defineLab } from '../lab.ts';
import { recallSummary, sweepSummary, trainSummary } from './runs.ts';
import { configOf } from './config.ts';
import { recallInputs, storeVaeRecall, storeVaeSweep, storeVaeTrain } from './service.ts';
import { defaultVaeLab, recallSchema, sweepSchema, vaeLabSchema, vaeTrainSchema } from './state.ts';

export const vaeLab = defineLab({
  id: 'vae',
  title: 'VAE recall',
  schema: vaeLabSchema,
  defaults: defaultVaeLab,
  tensors: (s) => [...(s.result?.tensors ?? []), ...s.runs.flatMap((r) => Object.values(r.tensors))],
  dtypeOf: (name) =>
    /^vae\.preview\./.test(name) || /^vae\.recall\..+\.strips$/.test(name)
      ? 'U8'
      : /^vae\.recall\..+\.labels$/.test(name)
        ? 'I32'
        : null,
  shapes: (s, shapeOf) => {
    const out = new Map<string, number[]>();
    const v = s.result;
    if (!v) return out;
    for (const [n, shape] of parameterShapes(configOf(v.params, v.imageShape))) out.set(`vae.model.${n}`, shape);
    out.set('vae.concepts', [v.classes, v.params.latent]);
    out.set('vae.axes', [3, v.params.latent]);
    const [h, w] = v.imageShape as [number, number];
    out.set('vae.preview.reconstructions', [-1, h, w]);
    out.set('vae.preview.samples', [16, h, w]);
    for (const r of s.runs) {
      const T = r.points.length;
      const n = shapeOf(r.tensors.labels)?.[0] ?? -1;
      out.set(r.tensors.projection, [T, n, 2]);
      out.set(r.tensors.labels, [n]);
      out.set(r.tensors.strips, [-1, T, h, w]);
    }
    return out;
  },
  required: (s) =>
    s.result
      ? [
          ...parameterShapes(configOf(s.result.params, s.result.imageShape)).map(([n]) => `vae.model.${n}`),
          'vae.concepts',
          'vae.axes',
        ]
      : [],
  consistent: (s) => (new Set(s.runs.map((r) => r.id)).size === s.runs.length ? null : 'two recall runs have the same id'),
  jobs: {
    'vae.train': {
      summary: trainSummary,
      label: 'Train VAE',
      params: vaeTrainSchema,
      source: (p) => p.source,
      store: storeVaeTrain,
      handler: async () => (await import('./jobs.ts')).runVaeTrain,
    },
    'vae.recall': {
      summary: recallSummary,
      label: 'VAE recall',
      params: recallSchema,
      // A recall runs on the session's model: hand it over now, as it is at the start. While a
      // new VAE trains, that model is about to be replaced (and its runs with it): refuse.
      prepare: (ctx) => {
        if (ctx.active.includes('vae.train'))
          throw new KairoError('invalid_input', 'a VAE is training; run recall when it has finished');
        return recallInputs(ctx.session);
      },
      store: storeVaeRecall,
      handler: async () => (await import('./jobs.ts')).runVaeRecall,
    },
    'vae.sweep': {
      summary: sweepSummary,
      label: 'VAE noise × latent sweep',
      params: sweepSchema,
      source: (p) => p.source,
      store: storeVaeSweep,
      handler: async () => (await import('./jobs.ts')).runVaeSweep,
    },
  },
  methods: {},
  cli: { name: 'vae', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
