// `kairo hopfield …`: the Hopfield–Boltzmann lab without a window. Machines come from a
// session or from plain JSON ({"W": N_h rows of N_v, "b": N_v, "c": N_h}) so other tools can
// check and reuse them; the numbers are the same functions the UI calls.
import {
  attentionLogits,
  complete,
  nll,
  posterior,
  retrieveStep,
  softmax,
  type Machine,
} from '../../../models/hopfield/machine.ts';
import {
  COMPLETION_FIELDS,
  defaultsOf,
  fieldProblem,
  HOPFIELD_TRAIN_FIELDS,
  IMAGE_DATA_FIELDS,
  RETRIEVAL_FIELDS,
  TOY_DATA_FIELDS,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import type { Parsed } from '../kit/args.ts';
import { commandOf, sessionFlags, type CliContext, type LabCommand, type SubCommand } from '../kit/cli.ts';
import { flagNames, flagsOf, readFlags, usageOf } from '../kit/flags.ts';
import { subcommandsOf } from '../lab.ts';
import { HOPFIELD_EXPERIMENTS } from './experiments/index.ts';
import { machineFromJson, pointsFromJson } from './machine-json.ts';
import { completeImage, loadMachine, retrieve, type Loaded } from './service.ts';
import { defaultRetrieval } from './state.ts';

const { trainC: _trainC, ...TRAIN_FLAGS } = HOPFIELD_TRAIN_FIELDS;

export const HOPFIELD_USAGE = `  hopfield train [--data toy|mnist] toy: [${usageOf(TOY_DATA_FIELDS, 17)}]
                 mnist: [${usageOf(IMAGE_DATA_FIELDS, 17)}]
                 ${usageOf(TRAIN_FLAGS, 17)} [--fixed-c]
                 [--session F.kairo [--run ID]] [--out F.kairo] [--machine-out M.json]   (mnist: --hidden 200 --lr 0.01 --epochs 20 --batch 20 unless given; toy: --hidden = --clusters)
  hopfield nll (--machine M.json | --session F.kairo [--run ID]) --points X.json
  hopfield retrieve --machine M.json --points X.json [--beta B] [--steps K]
  hopfield retrieve --session F.kairo [--run ID] ${usageOf(RETRIEVAL_FIELDS, 20)}
  hopfield complete --machine M.json --points X.json   (null marks a missing value)
  hopfield complete --session F.kairo [--run ID] ${usageOf(COMPLETION_FIELDS, 20)}
  (--session on train: the run joins that session, saved back unless --out; --run ID: that run's machine)`;

const VALUED = new Set([
  ...flagsOf(HOPFIELD_TRAIN_FIELDS).valued,
  ...flagsOf(TOY_DATA_FIELDS).valued,
  ...flagsOf(IMAGE_DATA_FIELDS).valued,
  ...flagsOf(RETRIEVAL_FIELDS).valued,
  ...flagsOf(COMPLETION_FIELDS).valued,
  'data',
  'out',
  'machine-out',
  'machine',
  'session',
  'run',
  'points',
]);
const SWITCHES = new Set(['zca', 'fixed-c', ...flagsOf(HOPFIELD_TRAIN_FIELDS).switches]);
/** The session's machine, or with --run ID that run's. */
async function sessionMachine(ctx: CliContext, p: Parsed): Promise<Loaded> {
  await sessionFlags(p, ctx, 'hopfield', { required: true });
  return loadMachine(ctx.session);
}

function machineSource(p: Parsed): 'machine' | 'session' {
  const m = p.flags.has('machine');
  const s = p.flags.has('session');
  if (m === s) throw invalid('give exactly one of --machine M.json or --session F.kairo');
  if (m && p.flags.has('run')) throw invalid('--run ID names a run of a session: give --session F.kairo, not --machine');
  return m ? 'machine' : 'session';
}

function needPoints(p: Parsed): string {
  const v = p.flags.get('points');
  if (typeof v !== 'string') throw invalid('--points X.json is required with --machine');
  return v;
}

/** nll, retrieve, complete: the trained machine in float64, here (no job). */
async function pointsCommand(sub: string, p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  switch (sub) {
    case 'nll': {
      const src = machineSource(p);
      let m: Machine;
      if (src === 'machine') m = machineFromJson(String(p.flags.get('machine')));
      else m = (await sessionMachine(ctx, p)).machine;
      const pts = pointsFromJson(String(p.flags.get('points') ?? needPoints(p)), m.nv, false) as number[][];
      out({ nll: pts.map((v) => nll(m, v)), posterior: pts.map((v) => Array.from(posterior(m, v))) });
      return 0;
    }
    case 'retrieve': {
      if (machineSource(p) === 'machine') {
        // β and the step count are the retrieval fields' own, with their bounds (one description).
        const { beta, steps } = readFlags(p, RETRIEVAL_FIELDS, defaultRetrieval());
        for (const k of ['beta', 'steps'] as const) {
          const problem = fieldProblem(RETRIEVAL_FIELDS[k], k === 'beta' ? beta : steps);
          if (problem) throw invalid(`--${RETRIEVAL_FIELDS[k].flag} ${problem}, got ${k === 'beta' ? beta : steps}`);
        }
        const m = machineFromJson(String(p.flags.get('machine')));
        const pts = pointsFromJson(needPoints(p), m.nv, false) as number[][];
        const runs = pts.map((v0) => {
          const states: number[][] = [v0];
          let v: ArrayLike<number> = v0;
          for (let t = 0; t < steps; t++) states.push(Array.from((v = retrieveStep(m, v, beta).v)));
          return { states, attention: Array.from(softmax(attentionLogits(m, v, beta))) };
        });
        // attention: p(h|v) at β for the final state of each trajectory.
        out({ trajectories: runs.map((r) => r.states), attention: runs.map((r) => r.attention) });
        return 0;
      }
      const loaded = await sessionMachine(ctx, p);
      const run = retrieve(loaded, readFlags(p, RETRIEVAL_FIELDS, defaultRetrieval()));
      const s = run.summary;
      out({
        overlap_target: s.overlapTarget,
        overlap_other: s.overlapOther,
        nearest: s.nearest,
        ...(s.ownCluster !== null ? { own_cluster: s.ownCluster } : {}),
        success: s.success,
        ...(run.path ? { path: run.path } : {}),
      });
      return 0;
    }
    case 'complete': {
      if (machineSource(p) === 'machine') {
        const m = machineFromJson(String(p.flags.get('machine')));
        const pts = pointsFromJson(needPoints(p), m.nv, true);
        const res = pts.map((v) =>
          complete(
            m,
            v.map((x) => x ?? 0),
            v.map((x) => x !== null),
          ),
        );
        out({ completed: res.map((r) => Array.from(r.v)), posterior: res.map((r) => Array.from(r.posterior)) });
        return 0;
      }
      const loaded = await sessionMachine(ctx, p);
      const r = completeImage(loaded, readFlags(p, COMPLETION_FIELDS, defaultsOf(COMPLETION_FIELDS)));
      out({ mse_completed: r.mseCompleted, mse_mean_image: r.mseMean });
      return 0;
    }
    default:
      throw invalid(`unknown hopfield command ${JSON.stringify(sub)}`);
  }
}

// Each takes a machine (M.json) or a session's (or a run's) with its own settings.
const SOURCE_FLAGS = ['machine', 'session', 'run', 'points'];
const pointCommands: SubCommand[] = (
  [
    ['nll', []],
    ['retrieve', flagNames(RETRIEVAL_FIELDS)],
    ['complete', flagNames(COMPLETION_FIELDS)],
  ] as const
).map(([sub, own]) => ({
  sub,
  flags: [...SOURCE_FLAGS, ...own],
  run: (p, out, ctx) => pointsCommand(sub, p, out, ctx),
}));

export const command: LabCommand = commandOf({
  name: 'hopfield',
  usage: HOPFIELD_USAGE,
  valued: VALUED,
  switches: SWITCHES,
  outputs: ['out', 'machine-out'],
  subs: [...subcommandsOf(HOPFIELD_EXPERIMENTS), ...pointCommands],
});
