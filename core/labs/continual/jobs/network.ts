// The same protocol with a network, in a worker: sequential training in the NTK regime beside
// the linearised network's prediction.
import { mulberry32 } from '../../../../models/common/rng.ts';
import { runNetworkChain, teacherChainData, type ChainData } from '../../../../models/continual/network.ts';
import { chainTeachers } from '../../../../models/continual/theory.ts';
import { permutation } from '../../../../models/common/rng.ts';
import { unitRows } from '../../../../models/ngd/data.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import type { ClNetworkParams } from '../../../contract.ts';
import type { JobContext, JobOutput } from '../../../jobs/types.ts';
import { parseOrThrow } from '../../../validate.ts';
import { networkSchema } from '../state.ts';
import { correctionOf, kernelOf, guarded } from './kernel.ts';

/** Base dichotomies of the ten digits (±1 per class, both signs present), chained like the teachers. */
function mnistChainData(p: ClNetworkParams, rand: () => number): ChainData {
  const ds = getDataset({ kind: 'mnist' });
  const n = p.sizes.length;
  const need = p.sizes.reduce((a, b) => a + b, 0);
  const train = permutation(ds.train.count, rand).subarray(0, need);
  const test = permutation(ds.test!.count, rand).subarray(0, p.testPoints);
  const d = ds.train.shape[0]! * ds.train.shape[1]!;
  const total = need + p.testPoints;
  const X = new Float64Array(total * d);
  pixelRows(ds.train, train, X.subarray(0, need * d));
  pixelRows(ds.test!, test, X.subarray(need * d));
  // |x|² = d: the NTK parameterisation's σ_w/√d then gives pre-activations of order 1.
  unitRows(X, total, d);
  for (let i = 0; i < X.length; i++) X[i]! *= Math.sqrt(d);
  const classes = [...Array.from(train, (i) => ds.train.labels[i]!), ...Array.from(test, (i) => ds.test!.labels[i]!)];
  const signs = Array.from({ length: n }, () => {
    for (;;) {
      const s = Array.from({ length: 10 }, () => (rand() < 0.5 ? -1 : 1));
      if (s.some((x) => x > 0) && s.some((x) => x < 0)) return s;
    }
  });
  const beta = chainTeachers(n, p.similarity);
  const targets = Array.from({ length: n }, (_, t) =>
    Float64Array.from(classes, (c) => beta[t]!.reduce((a, b, j) => a + b * signs[j]![c]!, 0)),
  );
  return { X, d, counts: [...p.sizes, p.testPoints], targets };
}

export async function runNetwork(raw: ClNetworkParams, ctx: JobContext): Promise<JobOutput<'continual.network'>> {
  const p = parseOrThrow(networkSchema, raw, 'continual.network');
  const rand = mulberry32(p.seed);
  const data =
    p.data === 'mnist'
      ? mnistChainData(p, rand)
      : teacherChainData(kernelOf(p), p.dim, p.targetTerms, p.sizes, p.similarity, p.testPoints, rand);
  const r = guarded(() =>
    runNetworkChain(
      data,
      {
        correction: correctionOf(p),
        noise: p.noise,
        width: p.width,
        depth: p.depth,
        meanField: p.parameterisation === 'mean-field',
        steps: p.steps,
        lrFactor: p.lrFactor,
      },
      rand,
      ctx.cancelled,
      (stage, step) => ctx.progress({ step: stage * p.steps + step, totalSteps: p.sizes.length * p.steps }),
    ),
  );
  return {
    result: {
      params: p,
      measured: r.measured,
      predicted: r.predicted,
      predictedNote: r.predictedNote,
      kernelChange: r.kernelChange,
      stageLoss: r.stageLoss,
      partial: r.partial,
    },
    tensors: {},
  };
}
