// The same protocol with a network trained in sequence, beside its linearisation at initialisation.
import type { ClNetworkParams, ClNetworkResult } from '../../../contract.ts';
import {
  CL_NETWORK_FIELDS,
  CL_CORRECTION_FIELDS,
  defaultsOf,
  CL_MODEL_FIELDS,
  CL_CHAIN_FIELDS,
  CL_SWEEP_FIELDS,
} from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { type RunSummary } from '../../kit/runs.ts';
import { flagNames, parseFlagged, readFlags } from '../../kit/flags.ts';
import { networkSchema } from '../state.ts';
import {
  chainParams,
  correctionJson,
  correctionParams,
  KERNEL_FLAGS,
  modelOf,
  perTask,
  stagesJson,
  correctionDraftOf,
} from './common.ts';

const summary = (_p: ClNetworkParams, r: ClNetworkResult): RunSummary => ({
  metrics: {
    'task 1 at the end': r.measured[0]?.at(-1),
    'linearised prediction': r.predicted?.[0]?.at(-1),
    'kernel change': r.kernelChange,
  },
  curves: [...perTask('error (network)', r.measured), ...(r.predicted ? perTask('error (linearised)', r.predicted) : [])],
});

export const network = experiment('continual.network', {
  job: {
    label: 'Continual learning, network',
    params: networkSchema,
    memory: (p) => {
      const total = p.sizes.reduce((s, n) => s + n, 0) + p.testPoints;
      const d = p.data === 'mnist' ? 784 : p.dim;
      return 8 * (3 * total ** 2 + 4 * (p.width * p.width * (p.depth - 1) + p.width * d) + 2 * total * (p.width * p.depth + d));
    },
    source: (p) => (p.data === 'mnist' ? { kind: 'mnist' } : null),
    handler: async () => (await import('../jobs/network.ts')).runNetwork,
    float64: true,
    summary,
    store: (session, output) => {
      const r = output.result;
      const { data, parameterisation, width, depth, steps, lrFactor } = r.params;
      session.store(
        'continual',
        {
          ...session.labs.continual,
          network: r,
          model: modelOf(r.params),
          networkDraft: { data, parameterisation, width, depth, steps, lrFactor },
          correctionDraft: correctionDraftOf(r.params),
        },
        {},
      );
    },
  },
  cli: {
    sub: 'network',
    flags: [...KERNEL_FLAGS, ...flagNames(CL_NETWORK_FIELDS, CL_CORRECTION_FIELDS)],
    run: async (p, out, ctx) => {
      const params = parseFlagged(
        networkSchema,
        { ...chainParams(p), ...readFlags(p, CL_NETWORK_FIELDS, defaultsOf(CL_NETWORK_FIELDS)), ...correctionParams(p) },
        'continual network',
        CL_MODEL_FIELDS,
        CL_CHAIN_FIELDS,
        CL_SWEEP_FIELDS,
        CL_NETWORK_FIELDS,
        CL_CORRECTION_FIELDS,
      );
      const { result: r } = await ctx.runJob('continual.network', params);
      const file = p.flags.get('out');
      if (typeof file === 'string') await ctx.save(file);
      out({
        stages: stagesJson(r.measured),
        E1: r.measured[0]![0],
        E2: r.measured[0]![1] ?? null,
        // The linearised network (its empirical NTK at initialisation) run through the same protocol.
        theory: r.predicted ? { E1: r.predicted[0]![0], E2: r.predicted[0]![1] ?? null, stages: stagesJson(r.predicted) } : null,
        ...(r.predictedNote ? { theory_note: r.predictedNote } : {}),
        kernel_change: r.kernelChange,
        correction: correctionJson(r.params),
      });
      return 0;
    },
  },
});
