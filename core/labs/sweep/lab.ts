// The Sweeps lab: a grid of any lab command run on this machine, or collected from a folder that
// `kairo sweep local|slurm|k8s` filled.
import { z } from 'zod';
import type { SweepSpecJson } from '../../contract.ts';
import { KairoError } from '../../errors.ts';
import { specPaths, validateSpec } from './spec.ts';
import { defineLab } from '../lab.ts';
import { sweepLocalSummary } from './runs.ts';
import { collectSweep, storeSweepLocal } from './service.ts';
import { defaultSweepLab, sweepLabSchema } from './state.ts';

const isObject = (v: unknown): v is SweepSpecJson => typeof v === 'object' && v !== null && !Array.isArray(v);

export const sweepLab = defineLab({
  id: 'sweep',
  title: 'Sweeps',
  schema: sweepLabSchema,
  defaults: defaultSweepLab,
  tensors: () => [],
  jobs: {
    'sweep.local': {
      summary: sweepLocalSummary,
      label: 'Sweep on this machine',
      // The spec's own rules need the lab commands' flag tables: prepare checks them.
      params: z.object({ spec: z.custom<SweepSpecJson>(isObject, 'a sweep spec must be a JSON object') }).strict(),
      prepare: async (ctx, p) => {
        // The flag tables come with the CLI modules, loaded only when a sweep starts.
        const spec = validateSpec(p.spec, await ctx.sweepable());
        // Its runs read and write the files its flags name, so the same path policy applies to them.
        if (ctx.paths)
          for (const f of specPaths(spec)) ctx.paths.check(f.path, f.use === 'write' ? 'session-write' : 'data-read');
        return undefined;
      },
      store: storeSweepLocal,
      driver: async () => (await import('./jobs.ts')).runSweepLocal,
    },
  },
  methods: {
    'sweep.collect': (ctx, p) => {
      if (typeof p?.path !== 'string' || !p.path) throw new KairoError('bad_request', 'sweep.collect needs a path');
      ctx.paths?.check(p.path, 'data-read');
      return collectSweep(ctx, p.path);
    },
  },
  quickLook: async () => (await import('./quick-look.ts')).quickLook,
  cli: { name: 'sweep', sweepable: false, load: async () => (await import('./cli.ts')).command },
});
