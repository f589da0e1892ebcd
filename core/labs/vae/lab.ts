// The VAE recall lab: train a VAE, run repeated inference from noisy or held-out inputs, sweep.
import { parameterShapes } from '../../../models/vae/shapes.ts';
import { defineLab, jobsOf } from '../lab.ts';
import { configOf } from './config.ts';
import { VAE_EXPERIMENTS } from './experiments/index.ts';
import { defaultVaeLab, vaeLabSchema } from './state.ts';

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
  jobs: jobsOf(VAE_EXPERIMENTS),
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  methods: {},
  cli: { name: 'vae', sweepable: true, load: async () => (await import('./cli.ts')).command },
});
