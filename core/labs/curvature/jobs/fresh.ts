// A fresh random network of the Fisher lab as a curvature problem: the same weights and inputs
// for the same flags and seed (core/labs/fisher/jobs/network.ts builds both), the labels of the
// same images where the inputs are images, and the Fisher lab's own λ_max beside it.
import { fromMlp } from '../../../../models/curvature/from-mlp.ts';
import type { Problem } from '../../../../models/curvature/products.ts';
import type { FisherNetworkParams } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import { freshLabels } from '../experiments/common.ts';
import { build, DENSE_LIMIT, measure, theoryFor, type Built } from '../../fisher/jobs/network.ts';

export interface Fresh {
  problem: Problem;
  built: Built;
  model: string;
}

export function freshProblem(p: FisherNetworkParams): Fresh {
  const built = build(p);
  const { net, theta } = fromMlp(built.net);
  const labels = freshLabels(p);
  if (labels) {
    const top = labels.reduce((a, b) => Math.max(a, b), 0);
    if (top >= p.outputs) throw invalid(`outputs: the labels go up to ${top}, so the network needs at least ${top + 1} outputs`);
  }
  const inputs = p.inputs === 'images' ? 'images' : 'N(0, I) inputs';
  return {
    problem: { net, theta, X: built.X, N: built.T, loss: p.loss, labels, targets: null },
    built,
    model: `fresh ${p.activation} MLP ${built.widths.join('-')} on ${built.T} ${inputs}`,
  };
}

/** The Fisher lab's λ_max of the same network (its dual Gram) and the mean-field prediction; null where its dual is out of reach. */
export function fisherLabOf(p: FisherNetworkParams, built: Built) {
  const n = built.T * p.outputs;
  if (n > DENSE_LIMIT && p.loss === 'ce') return null;
  const m = measure(built, 'none', p.loss);
  return {
    lambdaMax: m.stats.lambdaMax,
    method: m.method === 'dense' ? `dense ${n} × ${n} dual Gram` : `Lanczos on the ${n} × ${n} dual Gram`,
    theoryLambdaMax: theoryFor(p)?.lambdaMax ?? null,
  };
}
