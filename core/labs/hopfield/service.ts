// The Hopfield–Boltzmann lab's quick computations, run in the core's own process because
// they take milliseconds: density grids, receptive fields and samples, attention, retrieval
// and completion, all in float64 on the machine stored in the session.
import { gaussian, mulberry32 } from '../../../models/common/rng.ts';
import type { Whitening } from '../../../models/hopfield/data.ts';
import {
  attentionLogits,
  complete,
  makeMachine,
  nll,
  overlaps,
  posterior,
  priorLogits,
  rbmAsMachine,
  retrieveStep,
  sample,
  softmax,
  type Machine,
} from '../../../models/hopfield/machine.ts';
import type {
  AttentionView,
  CompletionRequest,
  CompletionResult,
  DensityGrid,
  HopfieldTrainResult,
  MachineView,
  RetrievalRun,
  RetrievalSettings,
} from '../../contract.ts';
import { invalid } from '../../errors.ts';
import type { LabSession } from '../kit/session.ts';
import { parseOrThrow } from '../../validate.ts';
import { encodeF32, encodeU8, pixelsToBytes } from '../../session/encode.ts';
import { corrupt, densityGrid, signedRowsToBytes, SUCCESS_OVERLAP, toModel, toPixels } from './prepare.ts';
import { attentionInputsSchema, completionSchema, retrievalSchema } from './state.ts';
import { z } from 'zod';
export interface Loaded {
  result: HopfieldTrainResult;
  /** The mixture: the AttnBM itself, or the GB-RBM's 2^K components. */
  machine: Machine;
  /** The parameters as trained: K rows for the GB-RBM. */
  rows: Float64Array;
  nRows: number;
  train: Float64Array;
  trainLabels: Int32Array;
  test: Float64Array;
  testLabels: Int32Array;
  whitening: Whitening | null;
}

const cache = new WeakMap<object, Loaded>();

function f64(session: LabSession, name: string): Float64Array {
  const t = session.tensor(name);
  if (!t) throw invalid(`the session lacks tensor ${name}: train a machine first`);
  return Float64Array.from(t.data);
}

/** The trained machine of the open session, converted once per training run. */
export function loadMachine(session: LabSession): Loaded {
  const result = session.labs.hopfield.result;
  const W = session.tensor('hopfield.W');
  if (!result || !W) throw invalid('no machine yet: train one first');
  const hit = cache.get(W);
  if (hit && hit.result === result) return hit;
  const { nv, params } = result;
  const rows = f64(session, 'hopfield.W');
  const b = f64(session, 'hopfield.b');
  const c = f64(session, 'hopfield.c');
  const machine =
    params.model === 'gbrbm' ? rbmAsMachine(rows, b, c, params.hidden, nv) : makeMachine(rows, b, c, params.hidden, nv);
  const whitening = session.tensor('hopfield.zca.A')
    ? {
        d: nv,
        mean: f64(session, 'hopfield.zca.mean'),
        A: f64(session, 'hopfield.zca.A'),
        Ainv: f64(session, 'hopfield.zca.Ainv'),
      }
    : null;
  const loaded: Loaded = {
    result,
    machine,
    rows,
    nRows: params.hidden,
    train: f64(session, 'hopfield.train'),
    trainLabels: Int32Array.from(session.tensor('hopfield.trainLabels')!.data),
    test: f64(session, 'hopfield.test'),
    testLabels: Int32Array.from(session.tensor('hopfield.testLabels')!.data),
    whitening,
  };
  cache.set(W, loaded);
  return loaded;
}

function needImages(l: Loaded, what: string): number[] {
  if (!l.result.imageShape) throw invalid(`${what} needs image data; this machine was trained on the 2-D toy`);
  return l.result.imageShape;
}

export function hopfieldDensity(session: LabSession, p: { n: number }): DensityGrid {
  const n = parseOrThrow(z.number().int().min(10).max(300), p?.n, 'hopfield.density.n');
  const l = loadMachine(session);
  if (l.result.nv !== 2) throw invalid('the density map is drawn for the 2-D toy only');
  return densityGrid(l.machine, l.train, l.trainLabels, l.result.patterns, n, l.result.trueCentres);
}

export function hopfieldMachine(session: LabSession, p: { samples: number; seed: number }): MachineView {
  const n = parseOrThrow(z.number().int().min(1).max(400), p?.samples, 'hopfield.machine.samples');
  const seed = parseOrThrow(z.number().int().min(0), p?.seed, 'hopfield.machine.seed');
  const l = loadMachine(session);
  const shape = needImages(l, 'showing receptive fields and samples');
  const nv = l.result.nv;
  const shown = Math.min(l.nRows, 400);
  const s = sample(l.machine, n, mulberry32(seed));
  const means = new Float64Array(n * nv);
  for (let i = 0; i < n; i++) for (let j = 0; j < nv; j++) means[i * nv + j] = l.machine.b[j]! + l.machine.W[s.h[i]! * nv + j]!;
  return {
    fields: encodeU8([shown, ...shape], signedRowsToBytes(l.rows, shown, nv)),
    samples: encodeU8([n, ...shape], pixelsToBytes(toPixels(l.whitening, s.X, n))),
    means: encodeU8([n, ...shape], pixelsToBytes(toPixels(l.whitening, means, n))),
    weights: Array.from(softmax(priorLogits(l.machine))),
  };
}

export function hopfieldAttention(session: LabSession, p: unknown): AttentionView {
  const { split, indices } = parseOrThrow(attentionInputsSchema, p, 'hopfield.attention');
  const l = loadMachine(session);
  const X = split === 'train' ? l.train : l.test;
  const labels = split === 'train' ? l.trainLabels : l.testLabels;
  const nv = l.result.nv;
  const count = X.length / nv;
  for (const i of indices) if (i >= count) throw invalid(`hopfield.attention: index ${i} is past the ${count} ${split} patterns`);
  const rows = new Float64Array(indices.length * nv);
  indices.forEach((i, k) => rows.set(X.subarray(i * nv, (i + 1) * nv), k * nv));
  const view: AttentionView = {
    posterior: indices.map((i) => Array.from(posterior(l.machine, X.subarray(i * nv, (i + 1) * nv)))),
    images: l.result.imageShape
      ? encodeU8([indices.length, ...l.result.imageShape], pixelsToBytes(toPixels(l.whitening, rows, indices.length)))
      : null,
    labels: indices.map((i) => labels[i]!),
    nll: indices.map((i) => nll(l.machine, X.subarray(i * nv, (i + 1) * nv))),
  };
  const lab = session.labs.hopfield;
  if (JSON.stringify(lab.attention) !== JSON.stringify({ split, indices }))
    session.store('hopfield', { ...lab, attention: { split, indices } }, {});
  return view;
}

/** Runs one retrieval; the same function serves the UI and `kairo hopfield retrieve`. */
export function retrieve(l: Loaded, settings: RetrievalSettings): RetrievalRun {
  const s = parseOrThrow(retrievalSchema, settings, 'hopfield.retrieve');
  const nv = l.result.nv;
  const P = l.result.patterns;
  if (s.index >= P) throw invalid(`hopfield.retrieve.index: there are ${P} stored patterns, index ${s.index} is past them`);
  const shape = l.result.imageShape;
  const target = l.train.subarray(s.index * nv, (s.index + 1) * nv);
  const x = toPixels(l.whitening, Float64Array.from(target), 1).slice();
  const original = x.slice();
  corrupt(x, shape, s.corruption, s.level, mulberry32(s.seed), gaussian);
  let v = toModel(l.whitening, x, 1);
  const m = s.memory === 'machine' ? l.machine : makeMachine(l.train, new Float64Array(nv), new Float64Array(P), P, nv);
  const states: Float64Array[] = [v];
  const att: number[] = [];
  for (let t = 0; t < s.steps; t++) {
    const r = retrieveStep(m, v, s.beta);
    att.push(...r.attention);
    v = r.v;
    states.push(v);
  }
  att.push(...softmax(attentionLogits(m, v, s.beta)));
  const ov = states.map((st) => overlaps(st, l.train, P, nv));
  const overlapTarget = ov.map((o) => o[s.index]!);
  const overlapOther = ov.map((o) => Math.max(-1, ...Array.from(o).filter((_, i) => i !== s.index)));
  const final = ov[ov.length - 1]!;
  let nearest = 0;
  let ownCluster: number | null = null;
  let success: boolean;
  const centres = l.result.trueCentres;
  if (centres) {
    ownCluster = l.trainLabels[s.index]!;
    const dist = centres.map((c) => Math.hypot(v[0]! - c[0]!, v[1]! - c[1]!));
    nearest = dist.indexOf(Math.min(...dist));
    success = nearest === ownCluster;
  } else {
    for (let i = 1; i < P; i++) if (final[i]! > final[nearest]!) nearest = i;
    success = nearest === s.index && final[s.index]! >= SUCCESS_OVERLAP;
  }
  const steps = s.steps + 1;
  const flat = new Float64Array(steps * nv);
  states.forEach((st, t) => flat.set(st, t * nv));
  return {
    summary: { settings: s, overlapTarget, overlapOther, nearest, ownCluster, success },
    frames: shape ? encodeU8([steps, ...shape], pixelsToBytes(toPixels(l.whitening, flat, steps))) : null,
    original: shape ? encodeU8([2, ...shape], pixelsToBytes([...original, ...x])) : null,
    path: shape ? null : states.map((st) => [st[0]!, st[1]!]),
    overlaps: encodeF32(
      [steps, P],
      ov.flatMap((o) => Array.from(o)),
    ),
    attention: encodeF32([steps, m.nh], att),
  };
}

export function hopfieldRetrieve(session: LabSession, p: RetrievalSettings): RetrievalRun {
  const run = retrieve(loadMachine(session), p);
  // Redrawing a stored run (e.g. after opening a session) recomputes the same summary: not a change.
  if (JSON.stringify(run.summary) !== JSON.stringify(session.labs.hopfield.lastRetrieval)) {
    session.store('hopfield', { ...session.labs.hopfield, retrieval: run.summary.settings, lastRetrieval: run.summary }, {});
  }
  return run;
}

/** Which pixels a completion hides. */
export function completionMask(req: CompletionRequest, shape: number[]): boolean[] {
  const [h, w] = shape as [number, number];
  const rand = mulberry32(req.seed);
  return Array.from({ length: h * w }, (_, k) => {
    const y = Math.floor(k / w);
    const x = k % w;
    if (req.mask === 'bottom') return y < Math.round(h * (1 - req.fraction));
    if (req.mask === 'right') return x < Math.round(w * (1 - req.fraction));
    return rand() >= req.fraction;
  });
}

export function completeImage(l: Loaded, raw: CompletionRequest): CompletionResult {
  const req = parseOrThrow(completionSchema, raw, 'hopfield.complete');
  const shape = needImages(l, 'completion');
  if (l.whitening) throw invalid('completion conditions on pixels, so it needs a machine trained without ZCA whitening');
  const nv = l.result.nv;
  const X = req.split === 'train' ? l.train : l.test;
  const count = X.length / nv;
  if (req.index >= count)
    throw invalid(`hopfield.complete.index: there are ${count} ${req.split} patterns, index ${req.index} is past them`);
  const x = X.subarray(req.index * nv, (req.index + 1) * nv);
  const observed = completionMask(req, shape);
  const done = complete(l.machine, x, observed).v;
  // Baseline: fill hidden pixels with the training mean.
  const mean = new Float64Array(nv);
  const P = l.result.patterns;
  for (let i = 0; i < P; i++) for (let j = 0; j < nv; j++) mean[j] = mean[j]! + l.train[i * nv + j]! / P;
  let e1 = 0;
  let e2 = 0;
  let hidden = 0;
  const shown = new Float64Array(nv);
  for (let j = 0; j < nv; j++) {
    shown[j] = observed[j] ? x[j]! : 0.5;
    if (observed[j]) continue;
    hidden++;
    e1 += (done[j]! - x[j]!) ** 2;
    e2 += (mean[j]! - x[j]!) ** 2;
  }
  return {
    images: encodeU8([3, ...shape], pixelsToBytes([...x, ...shown, ...done])),
    mseCompleted: e1 / Math.max(1, hidden),
    mseMean: e2 / Math.max(1, hidden),
  };
}

export function hopfieldComplete(session: LabSession, p: CompletionRequest): CompletionResult {
  const out = completeImage(loadMachine(session), p);
  const completion = parseOrThrow(completionSchema, p, 'hopfield.complete');
  if (JSON.stringify(completion) !== JSON.stringify(session.labs.hopfield.completion)) {
    session.store('hopfield', { ...session.labs.hopfield, completion }, {});
  }
  return out;
}
