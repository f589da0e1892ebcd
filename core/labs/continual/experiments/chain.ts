// A chain of tasks learned in sequence by kernel regression: every task's error after every
// stage, Monte Carlo beside the replica-style theory (`kairo continual kernel`).
import { CL_MODEL_FIELDS, CL_CHAIN_FIELDS, CL_CORRECTION_FIELDS, CL_SWEEP_FIELDS } from '../../../contract.ts';
import { flagNames, parseFlagged } from '../../kit/flags.ts';
import type { ClChainParams, ClChainResult } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { type RunSummary } from '../../kit/runs.ts';
import { chainSchema } from '../state.ts';
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

const summary = (_p: ClChainParams, r: ClChainResult): RunSummary => ({
  metrics: {
    'task 1 after stage 1': r.mean[0]?.[0],
    'task 1 at the end': r.mean[0]?.at(-1),
    'theory task 1 at the end': r.theory?.[0]?.at(-1),
    draws: r.draws,
  },
  curves: [...perTask('error', r.mean), ...(r.theory ? perTask('theory', r.theory) : [])],
});

export const chain = experiment('continual.chain', {
  job: {
    label: 'Continual-learning chain',
    params: chainSchema,
    // Kernel matrices of the largest stage and the test points against it, in float64.
    memory: (p) => 8 * (3 * Math.max(...p.sizes) ** 2 + p.testPoints * p.sizes.reduce((s, n) => s + n, 0)),
    handler: async () => (await import('../jobs/chain.ts')).runChain,
    float64: true,
    summary,
    store: (session, output) => {
      const r = output.result;
      const { sizes, similarity } = r.params;
      session.store(
        'continual',
        {
          ...session.labs.continual,
          chain: r,
          model: modelOf(r.params),
          chainDraft: { sizes, similarity },
          correctionDraft: correctionDraftOf(r.params),
        },
        {},
      );
    },
  },
  cli: {
    sub: 'kernel',
    flags: [...KERNEL_FLAGS, ...flagNames(CL_CORRECTION_FIELDS)],
    run: async (p, out, ctx) => {
      const { result: r } = await ctx.runJob(
        'continual.chain',
        parseFlagged(
          chainSchema,
          { ...chainParams(p), ...correctionParams(p) },
          'continual kernel',
          CL_MODEL_FIELDS,
          CL_CHAIN_FIELDS,
          CL_SWEEP_FIELDS,
          CL_CORRECTION_FIELDS,
        ),
      );
      const file = p.flags.get('out');
      if (typeof file === 'string') await ctx.save(file);
      out({
        stages: stagesJson(r.mean),
        E1: r.mean[0]![0],
        E2: r.mean[0]![1] ?? null,
        sd: stagesJson(r.sd),
        draws: r.draws,
        // Null where no formula covers the correction; theory_note says why.
        theory: r.theory ? { E1: r.theory[0]![0], E2: r.theory[0]![1] ?? null, stages: stagesJson(r.theory) } : null,
        ...(r.theoryNote ? { theory_note: r.theoryNote } : {}),
        correction: correctionJson(r.params),
        memory: r.memory,
      });
      return 0;
    },
  },
});
