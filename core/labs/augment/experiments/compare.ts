// The comparison of augmentation policies (none, conventional, self-paced, RandAugment-style) over
// seeds and training-set sizes; `augment run` is one policy at one size of it.
import {
  AUGMENT_FIELDS,
  AUGMENT_PROTOCOLS,
  POLICY_NAMES,
  protocolDefaults,
  type AugmentCell,
  type AugmentFields,
  type AugmentParams,
  type AugmentResult,
} from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { Parsed } from '../../kit/args.ts';
import type { SubCommand } from '../../kit/cli.ts';
import { idxSource, IDX_FLAGS } from '../../kit/data-source.ts';
import { parseFlagged, readFlags, flagNames } from '../../kit/flags.ts';
import { experiment } from '../../lab.ts';
import { compareSchema } from '../state.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';

const summary = (p: AugmentParams, r: AugmentResult): RunSummary => {
  const several = p.perClass.length > 1;
  const first = r.cells.filter((c) => c.perClass === p.perClass[0]);
  return {
    metrics: Object.fromEntries(
      r.cells.flatMap((c) => {
        const name = `${c.policy}${several ? ` @${c.perClass}` : ''}`;
        return [
          [`${name} accuracy`, c.accuracy.mean],
          [`${name} sd`, c.accuracy.sd],
        ];
      }),
    ),
    curves: [
      ...first.map((c) => {
        // Only the epochs the test set was evaluated in (evalEvery).
        const evaluated = c.curve.filter((e) => e.accuracy !== null);
        return curve(
          `${POLICY_NAMES[c.policy]} test accuracy`,
          'epoch',
          evaluated.map((e) => e.accuracy!.mean),
          evaluated.map((e) => e.epoch),
        );
      }),
      ...(several
        ? p.policies.map((policy) => {
            const cs = r.cells.filter((c) => c.policy === policy);
            return curve(
              `${POLICY_NAMES[policy]} final accuracy`,
              'samples per class',
              cs.map((c) => c.accuracy.mean),
              cs.map((c) => c.perClass),
            );
          })
        : []),
    ],
  };
};

/** The flags over the chosen protocol's values: `--protocol authors --epochs 50` is the authors' protocol, shorter. */
function params(p: Parsed): AugmentParams {
  const protocol = p.flags.get('protocol') ?? 'quick';
  const known = AUGMENT_PROTOCOLS.find((x) => x === protocol);
  if (!known) throw invalid(`--protocol: one of ${AUGMENT_PROTOCOLS.join(', ')} (got ${String(protocol)})`);
  return parseFlagged(
    compareSchema,
    { ...readFlags(p, AUGMENT_FIELDS, protocolDefaults(known)), source: idxSource(p) },
    'augment',
    AUGMENT_FIELDS,
  );
}

/** One policy at one size in the names scripts read (snake_case, per-epoch lists). */
function cellJson(c: AugmentCell, seeds: { seed: number; accuracy: number; seconds: number }[]) {
  return {
    policy: c.policy,
    per_class: c.perClass,
    seeds: c.seeds,
    test_accuracy: c.accuracy,
    test_loss: c.testLoss,
    train_seconds: c.trainSeconds,
    curves: c.curve.map((e) => ({
      epoch: e.epoch,
      learning_rate: e.learningRate ?? null,
      test_accuracy: e.accuracy?.mean ?? null,
      test_accuracy_sd: e.accuracy?.sd ?? null,
      test_loss: e.testLoss,
      train_loss: e.trainLoss,
      augmented_fraction: e.augmented,
      instability: e.instability,
      step_noise: e.stepNoise,
    })),
    augmented_fraction: c.curve.map((e) => e.augmented),
    instability: c.curve.map((e) => e.instability),
    per_seed: seeds.map((s) => ({ seed: s.seed, test_accuracy: s.accuracy, train_seconds: s.seconds })),
  };
}

/** `augment run` (one policy at one size) or `augment compare` (several). */
const command = (sub: 'run' | 'compare'): SubCommand => ({
  sub,
  flags: [...flagNames(AUGMENT_FIELDS), ...IDX_FLAGS, 'out'],
  run: async (p, out, ctx) => {
    const params_ = params(p);
    if (sub === 'run' && (params_.policies.length !== 1 || params_.perClass.length !== 1))
      throw invalid('augment run takes one --policy and one --per-class; use augment compare for several');
    const { result: r } = await ctx.runJob('augment.compare', params_);
    const file = p.flags.get('out');
    if (typeof file === 'string') await ctx.save(file);
    const entries = r.cells.map((c) =>
      cellJson(
        c,
        r.runs
          .filter((x) => x.policy === c.policy && x.perClass === c.perClass)
          .map((x) => ({ seed: x.seed, accuracy: x.curve.at(-1)!.testAccuracy!, seconds: x.trainSeconds })),
      ),
    );
    const head = {
      protocol: r.params.protocol,
      dataset: r.datasetName,
      test_from: r.testFrom,
      test_count: r.testCount ?? r.params.testCount,
      arch: r.params.arch,
    };
    const spa = r.samples && {
      augmented_by_class: r.samples.byClass,
      times_augmented_vs_final_loss: r.samples.lossCorrelation,
    };
    if (sub === 'run') out({ ...head, ...entries[0], ...(r.params.policies[0] === 'self-paced' ? spa : {}) });
    else out({ ...head, results: entries, ...(spa ? { self_paced: spa } : {}) });
    return 0;
  },
});

export const compare = experiment('augment.compare', {
  job: {
    label: 'Augmentation policies',
    params: compareSchema,
    source: (p) => p.source,
    handler: async () => (await import('../jobs/compare.ts')).runCompare,
    summary,
    store: (session, o) => {
      const { source: _source, ...draft } = o.result.params;
      session.store('augment', { draft: draft as AugmentFields, result: o.result }, o.tensors);
    },
  },
  cli: [command('run'), command('compare')],
});
