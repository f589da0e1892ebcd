// Training a Boltzmann machine on the 2-D toy clusters or on images: its NLL per epoch, and the
// model the lab's quick views (density, attention, retrieval, completion) read.
import { saveSession, sessionFlags } from '../../kit/cli.ts';
import { writeFileSync } from 'node:fs';
import type { HopfieldTrainParams, HopfieldTrainResult, LabStates } from '../../../contract.ts';
import { defaultsOf, HOPFIELD_TRAIN_FIELDS, hopfieldSettingFor, IMAGE_DATA_FIELDS, TOY_DATA_FIELDS } from '../../../contract.ts';
import { experiment } from '../../lab.ts';
import { sameSetting, warmInputs } from '../../kit/warm-start.ts';
import { curve, type RunSummary } from '../../kit/runs.ts';
import { choiceFlag } from '../../kit/args.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { defaultHopfieldTrain, hopfieldTrainSchema } from '../state.ts';
import { machineJsonOf } from '../machine-json.ts';
import { loadMachine } from '../service.ts';

const { trainC: _trainC, ...TRAIN_FLAGS } = HOPFIELD_TRAIN_FIELDS;

const summary = (_p: HopfieldTrainParams, r: HopfieldTrainResult): RunSummary => ({
  metrics: { 'train NLL (nats)': r.trainNll, 'test NLL (nats)': r.testNll, steps: r.stepsDone, components: r.components },
  curves: [
    curve(
      'train NLL (nats)',
      'step',
      r.curve.map((c) => c.train),
      r.curve.map((c) => c.step),
    ),
    curve(
      'test NLL (nats)',
      'step',
      r.curve.map((c) => c.test),
      r.curve.map((c) => c.step),
    ),
  ],
});

export const train = experiment('hopfield.train', {
  job: {
    label: 'Train Boltzmann machine',
    params: hopfieldTrainSchema,
    source: (p) => (p.data.kind === 'images' ? p.data.source : null),
    // A warm start takes the lab's current machine (the last training, or a reopened run) with it.
    prepare: (ctx, p) => {
      if (!p.warmStart) return undefined;
      const r = ctx.session.labs.hopfield.result;
      if (r) for (const k of ['model', 'hidden'] as const) sameSetting(k, r.params[k], p[k]);
      return warmInputs(r?.tensors ?? null, (n) => ctx.session.tensor(n));
    },
    handler: async () => (await import('../jobs/train.ts')).runHopfieldTrain,
    summary,
    // Its output is the lab's model: each run keeps it as a checkpoint that can be reopened.
    checkpoint: true,
    store: (session, o) => {
      const lab: LabStates['hopfield'] = {
        ...session.labs.hopfield,
        result: o.result,
        draft: o.result.params,
        lastRetrieval: null,
      };
      session.store('hopfield', lab, o.tensors);
    },
  },
  cli: {
    sub: 'train',
    flags: [
      ...flagNames(TOY_DATA_FIELDS, IMAGE_DATA_FIELDS, TRAIN_FLAGS),
      'data',
      'fixed-c',
      'out',
      'machine-out',
      'session',
      'run',
    ],
    run: async (p, out, ctx) => {
      const d = defaultHopfieldTrain();
      const data = choiceFlag(p, 'data', 'toy', ['toy', 'mnist'] as const);
      const toy = readFlags(p, TOY_DATA_FIELDS, defaultsOf(TOY_DATA_FIELDS));
      const params: HopfieldTrainParams = {
        data:
          data === 'toy'
            ? { kind: 'toy', ...toy }
            : { kind: 'images', source: { kind: 'mnist' }, ...readFlags(p, IMAGE_DATA_FIELDS, defaultsOf(IMAGE_DATA_FIELDS)) },
        ...readFlags(p, TRAIN_FLAGS, { ...d, ...hopfieldSettingFor(data === 'toy' ? 'toy' : 'images', toy.clusters) }),
        trainC: !p.flags.has('fixed-c'),
      };
      // --session F: the run (and its checkpoint) joins that session, saved back to F or to --out;
      // --run ID opens that run's machine first (with --warm-start, training continues from it).
      const file = await sessionFlags(p, ctx, 'hopfield', { required: false });
      const { result: r } = await ctx.runJob('hopfield.train', params);
      const saved = await saveSession(p, ctx, file);
      const mOut = p.flags.get('machine-out');
      // The GB-RBM is written as its 2^K-component mixture, which is what M.json describes.
      if (typeof mOut === 'string') writeFileSync(mOut, JSON.stringify(machineJsonOf(loadMachine(ctx.session).machine)) + '\n');
      out({
        train_nll: r.trainNll,
        test_nll: r.testNll,
        components: r.components,
        nv: r.nv,
        patterns: r.patterns,
        test_patterns: r.testPatterns,
        curve: r.curve.map((c) => ({ epoch: c.epoch, train_nll: c.train, test_nll: c.test })),
        ...(saved !== null ? { session: saved } : {}),
      });
      return 0;
    },
  },
});
