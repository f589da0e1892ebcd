// The curvature of one network: top eigenpairs, per-layer shares and blocks, trace and density,
// every product counted for the progress bar. Cancelling stops at the next product and keeps the
// parts already computed (marked partial).
import { mulberry32 } from '../../../../models/common/rng.ts';
import { operatorOf } from '../../../../models/curvature/products.ts';
import { hutchinson, logDensity, perLayer, slqDensity, topEigen } from '../../../../models/curvature/spectra.ts';
import type { CurvatureLayer, CurvatureParams, CurvatureResult } from '../../../contract.ts';
import type { JobContext, JobInputs, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { spectrumSchema } from '../state.ts';
import { fisherLabOf, freshProblem } from './fresh.ts';
import { importedProblem } from './problem.ts';
import { sessionProblem } from './session.ts';

/** Products per block's λ_max: a block's top eigenvalue converges fast and there are several blocks. */
export const BLOCK_STEPS = 20;

const STOP = Symbol('cancelled');

/** The operator of the chosen matrix for the model the parameters name, with what the result says of it. */
function analysed(p: CurvatureParams, inputs: JobInputs) {
  const matrix = p.analysis.matrix;
  if (p.model === 'fresh') {
    const f = freshProblem(p.network);
    const fl = matrix === 'fisher' || matrix === 'ggn' ? fisherLabOf(p.network, f.built) : null;
    return {
      op: operatorOf(f.problem, matrix),
      names: f.problem.net.layers.map((l, i) =>
        l.kind === 'linear' ? `layer ${(i >> 1) + 1}: ${l.inputs}→${l.outputs}` : l.kind,
      ),
      N: f.problem.N,
      model: f.model,
      fisherLab: fl && { ...fl, theoryLambdaMax: Number.isFinite(fl.theoryLambdaMax) ? fl.theoryLambdaMax : null },
    };
  }
  if (p.model === 'import') {
    const files = p.imported.files!;
    const im = importedProblem({ ...p.imported, weights: files.weights, layers: files.layers });
    return {
      op: operatorOf(im.problem, matrix),
      names: im.names,
      N: im.problem.N,
      model: `${files.weights.split(/[\\/]/).at(-1)} (${im.names.length} layers) on the first ${im.problem.N} images`,
      fisherLab: null,
    };
  }
  const sp = sessionProblem(p.session, inputs);
  return { op: sp.operator(matrix), names: sp.names, N: sp.N, model: sp.model, fisherLab: null };
}

export async function runSpectrum(raw: unknown, ctx: JobContext): Promise<JobOutput<'curvature.spectrum'>> {
  const p = parseOrThrow(spectrumSchema, raw, 'curvature.spectrum');
  const a = p.analysis;
  const t0 = performance.now();
  ctx.progress({ step: 0, totalSteps: 1 });
  const { op, names, N, model, fisherLab } = analysed(p, ctx.inputs);
  const P = op.P;
  const withParams = op.offsets.slice(0, -1).filter((o, i) => op.offsets[i + 1]! > o).length;
  const total =
    a.lanczosSteps + withParams * BLOCK_STEPS + (a.trace ? a.probes : 0) + (a.density ? a.probes * a.lanczosSteps : 0);
  let done = 0;
  const matvec = (v: Float64Array) => {
    if (ctx.cancelled()) throw STOP;
    const r = op.matvec(v);
    ctx.progress({ step: ++done, totalSteps: total, samples: done * N });
    return r;
  };
  const seed = p.model === 'fresh' ? p.network.seed : p.model === 'import' ? p.imported.seed : p.session.seed;
  const rand = mulberry32(seed + 1);
  let partial = false;
  const stage = <T>(f: () => T): T | null => {
    if (partial) return null;
    try {
      return f();
    } catch (e) {
      if (e !== STOP) throw e;
      partial = true;
      return null;
    }
  };
  const top = stage(() => topEigen(P, Math.min(a.top, P - 1), matvec, a.lanczosSteps, seed));
  const blocks = top ? stage(() => perLayer(op.offsets, top.vectors[0]!, matvec, BLOCK_STEPS, seed)) : null;
  const layers: CurvatureLayer[] = [];
  blocks?.forEach((b, i) => {
    if (b) layers.push({ name: names[i] ?? `layer ${i}`, parameters: op.offsets[i + 1]! - op.offsets[i]!, ...b });
  });
  const trace = a.trace ? stage(() => hutchinson(P, matvec, a.probes, rand)) : null;
  const density = a.density ? stage(() => slqDensity(P, matvec, a.probes, a.lanczosSteps, rand)) : null;
  const result: CurvatureResult = {
    params: p,
    model,
    parameters: P,
    samples: N,
    loss: op.loss,
    top: top ? Array.from(top.values) : [],
    residuals: top ? Array.from(top.residuals) : [],
    trace: trace && { mean: trace.mean, se: trace.se, probes: a.probes },
    density: density && { x: density.x, y: density.y, sigma: density.sigma, log: logDensity(density.quadratures) },
    layers,
    matvecs: op.matvecs,
    seconds: (performance.now() - t0) / 1000,
    fisherLab,
    partial,
  };
  return { result, tensors: {} };
}
