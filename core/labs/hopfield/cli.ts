// `kairo hopfield …`: the Hopfield–Boltzmann lab without a window. Machines come from a
// session or from plain JSON ({"W": N_h rows of N_v, "b": N_v, "c": N_h}) so other tools can
// check and reuse them; the numbers are the same functions the UI calls.
import type { CliContext, LabCommand } from '../lab.ts';
import { writeFileSync } from 'node:fs';
import { readRegularFile } from '../../files.ts';
import { z } from 'zod';
import {
  attentionLogits,
  complete,
  makeMachine,
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
  hopfieldSettingFor,
  IMAGE_DATA_FIELDS,
  RETRIEVAL_FIELDS,
  TOY_DATA_FIELDS,
  type HopfieldTrainParams,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import { completeImage, loadMachine, retrieve, type Loaded } from './service.ts';
import { defaultHopfieldTrain, defaultRetrieval } from './state.ts';
import { parseOrThrow } from '../../validate.ts';
import { choiceFlag, type Parsed, checkOutputFlags } from '../kit/args.ts';
import { flagsOf, readFlags, usageOf } from '../kit/flags.ts';

// The form's switch is "train c", on by default; the CLI's --fixed-c turns it off, so it is read apart.
const { trainC: _trainC, ...TRAIN_FLAGS } = HOPFIELD_TRAIN_FIELDS;

export const HOPFIELD_USAGE = `  hopfield train [--data toy|mnist] toy: [${usageOf(TOY_DATA_FIELDS, 17)}]
                 mnist: [${usageOf(IMAGE_DATA_FIELDS, 17)}]
                 ${usageOf(TRAIN_FLAGS, 17)} [--fixed-c]
                 [--out F.kairo] [--machine-out M.json]   (mnist: --hidden 200 --lr 0.01 --epochs 20 --batch 20 unless given; toy: --hidden = --clusters)
  hopfield nll (--machine M.json | --session F.kairo) --points X.json
  hopfield retrieve --machine M.json --points X.json [--beta B] [--steps K]
  hopfield retrieve --session F.kairo ${usageOf(RETRIEVAL_FIELDS, 20)}
  hopfield complete --machine M.json --points X.json   (null marks a missing value)
  hopfield complete --session F.kairo ${usageOf(COMPLETION_FIELDS, 20)}`;

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
  'points',
]);
const SWITCHES = new Set(['zca', 'train-b', 'fixed-c']);
/** What `kairo sweep` may vary (core/cli/commands.ts). */
export const HOPFIELD_FLAGS = {
  subcommands: ['train', 'nll', 'retrieve', 'complete'],
  valued: VALUED,
  switches: SWITCHES,
} as const;

function readJson(path: string, what: string): unknown {
  // Regular files only, size-limited: a FIFO named here would otherwise hang the CLI.
  const text = readRegularFile(path, 512 * 1024 * 1024).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${path}: the ${what} is not valid JSON`);
  }
}

const row = z.array(z.number().finite()).min(1);
const machineJson = z.object({ W: z.array(row).min(1), b: row, c: z.array(z.number().finite()).min(1) }).strict();

export function machineFromJson(path: string): Machine {
  const m = parseOrThrow(machineJson, readJson(path, 'machine'), path);
  const nh = m.W.length;
  const nv = m.b.length;
  m.W.forEach((r, i) => {
    if (r.length !== nv) throw invalid(`${path}: W[${i}] has ${r.length} entries, b has ${nv}`);
  });
  if (m.c.length !== nh) throw invalid(`${path}: c has ${m.c.length} entries, W has ${nh} rows`);
  return makeMachine(m.W.flat(), m.b, m.c, nh, nv);
}

function pointsFromJson(path: string, nv: number, allowMissing: boolean): (number | null)[][] {
  const entry = allowMissing ? z.number().finite().nullable() : z.number().finite();
  const pts = parseOrThrow(z.array(z.array(entry)).min(1), readJson(path, 'points'), path);
  pts.forEach((p, i) => {
    if (p.length !== nv) throw invalid(`${path}: point ${i} has ${p.length} values, the machine has N_v = ${nv}`);
  });
  return pts;
}

function machineJsonOf(m: Machine): { W: number[][]; b: number[]; c: number[] } {
  return {
    W: Array.from({ length: m.nh }, (_, i) => Array.from(m.W.subarray(i * m.nv, (i + 1) * m.nv))),
    b: Array.from(m.b),
    c: Array.from(m.c),
  };
}

async function sessionMachine(ctx: CliContext, path: string): Promise<Loaded> {
  await ctx.open(path);
  return loadMachine(ctx.session);
}

function machineSource(p: Parsed): 'machine' | 'session' {
  const m = p.flags.has('machine');
  const s = p.flags.has('session');
  if (m === s) throw invalid('give exactly one of --machine M.json or --session F.kairo');
  return m ? 'machine' : 'session';
}

function needPoints(p: Parsed): string {
  const v = p.flags.get('points');
  if (typeof v !== 'string') throw invalid('--points X.json is required with --machine');
  return v;
}

export async function hopfieldCli(p: Parsed, out: (v: unknown) => void, ctx: CliContext): Promise<number> {
  checkOutputFlags(p, ['out', 'machine-out']);
  const [sub, ...extra] = p.positional;
  if (extra.length) throw invalid(`unexpected argument ${JSON.stringify(extra[0])}`);
  switch (sub) {
    case 'train': {
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
      const core = ctx;
      {
        await ctx.runJob('hopfield.train', params);
        const r = core.session.labs.hopfield.result!;
        const outPath = p.flags.get('out');
        if (typeof outPath === 'string') await ctx.save(outPath);
        const mOut = p.flags.get('machine-out');
        // The GB-RBM is written as its 2^K-component mixture, which is what M.json describes.
        if (typeof mOut === 'string')
          writeFileSync(mOut, JSON.stringify(machineJsonOf(loadMachine(core.session).machine)) + '\n');
        out({
          train_nll: r.trainNll,
          test_nll: r.testNll,
          components: r.components,
          nv: r.nv,
          patterns: r.patterns,
          test_patterns: r.testPatterns,
          curve: r.curve.map((c) => ({ epoch: c.epoch, train_nll: c.train, test_nll: c.test })),
          ...(typeof outPath === 'string' ? { session: core.session.view().path } : {}),
        });
        return 0;
      }
    }
    case 'nll': {
      const src = machineSource(p);
      let m: Machine;
      if (src === 'machine') m = machineFromJson(String(p.flags.get('machine')));
      else m = (await sessionMachine(ctx, String(p.flags.get('session')))).machine;
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
      const loaded = await sessionMachine(ctx, String(p.flags.get('session')));
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
      const loaded = await sessionMachine(ctx, String(p.flags.get('session')));
      const r = completeImage(loaded, readFlags(p, COMPLETION_FIELDS, defaultsOf(COMPLETION_FIELDS)));
      out({ mse_completed: r.mseCompleted, mse_mean_image: r.mseMean });
      return 0;
    }
    default:
      throw invalid(`unknown hopfield command ${JSON.stringify(sub ?? '')}; try train, nll, retrieve or complete`);
  }
}

export const command: LabCommand = { usage: HOPFIELD_USAGE, ...HOPFIELD_FLAGS, run: hopfieldCli };
