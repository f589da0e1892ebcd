// `kairo augment …`: the augmentation lab without a window; the same job as the UI.
import type { CliContext, LabCommand } from '../lab.ts';
import { AUGMENT_FIELDS, defaultsOf, type AugmentCell, type AugmentParams } from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { parseOrThrow } from '../../validate.ts';
import { checkOutputFlags, type Parsed } from '../kit/args.ts';
import { IDX_FLAGS, IDX_USAGE, idxSource } from '../kit/data-source.ts';
import { flagsOf, readFlags, usageOf } from '../kit/flags.ts';
import { compareSchema } from './state.ts';

export const AUGMENT_USAGE = `  augment run ${usageOf(AUGMENT_FIELDS, 14)}
              ${IDX_USAGE} [--out F.kairo]
              (one policy at one size; prints test_accuracy {mean, sd}, curves, augmented_fraction per epoch)
  augment compare (the same flags; several policies and sizes: one entry per policy and size)`;

const VALUED = new Set([...flagsOf(AUGMENT_FIELDS).valued, ...IDX_FLAGS, 'out']);
/** What `kairo sweep` may vary. */
export const AUGMENT_FLAGS = { subcommands: ['run', 'compare'], valued: VALUED, switches: new Set<string>() } as const;

function params(p: Parsed): AugmentParams {
  return parseOrThrow(
    compareSchema,
    { ...readFlags(p, AUGMENT_FIELDS, defaultsOf(AUGMENT_FIELDS)), source: idxSource(p) },
    'augment',
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
      test_accuracy: e.accuracy.mean,
      test_accuracy_sd: e.accuracy.sd,
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

export async function augmentCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  checkOutputFlags(p, ['out']);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (sub !== 'run' && sub !== 'compare')
    throw invalid(`unknown augment command ${JSON.stringify(sub ?? '')}; try run or compare`);
  const params_ = params(p);
  if (sub === 'run' && (params_.policies.length !== 1 || params_.perClass.length !== 1))
    throw invalid('augment run takes one --policy and one --per-class; use augment compare for several');
  const core = ctx;
  {
    await ctx.runJob('augment.compare', params_);
    const r = core.session.labs.augment.result!;
    const file = p.flags.get('out');
    if (typeof file === 'string') await ctx.save(file);
    const entries = r.cells.map((c) =>
      cellJson(
        c,
        r.runs
          .filter((x) => x.policy === c.policy && x.perClass === c.perClass)
          .map((x) => ({ seed: x.seed, accuracy: x.curve.at(-1)!.testAccuracy, seconds: x.trainSeconds })),
      ),
    );
    const head = { dataset: r.datasetName, test_from: r.testFrom, test_count: r.params.testCount, arch: r.params.arch };
    const spa = r.samples && {
      augmented_by_class: r.samples.byClass,
      times_augmented_vs_final_loss: r.samples.lossCorrelation,
    };
    if (sub === 'run') out({ ...head, ...entries[0], ...(r.params.policies[0] === 'self-paced' ? spa : {}) });
    else out({ ...head, results: entries, ...(spa ? { self_paced: spa } : {}) });
    return 0;
  }
}

export const command: LabCommand = { usage: AUGMENT_USAGE, ...AUGMENT_FLAGS, run: augmentCli };
