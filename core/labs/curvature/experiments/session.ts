// A model trained in the open session, as the curvature job reads it: the lab's result and its
// tensors, handed over at jobs.start as they are then (a model that is training is refused, since
// it is about to be replaced), and the checks that need them (P, and N within its training set).
import type { CurvatureSessionModel, JobKind } from '../../../contract.ts';
import { getDataset } from '../../../data/datasets.ts';
import { invalid, KairoError } from '../../../errors.ts';
import type { JobInputs } from '../../../jobs/types.ts';
import type { StartContext } from '../../lab.ts';

const TRAINING_KIND: { readonly [M in CurvatureSessionModel]: JobKind } = {
  vae: 'vae.train',
  data: 'data.baseline',
  field: 'field.train',
  hopfield: 'hopfield.train',
};
/** The session tensors of each model (a VAE's result also names its concept vectors and previews). */
const TENSORS: { readonly [M in CurvatureSessionModel]: (name: string) => boolean } = {
  vae: (n) => n.startsWith('vae.model.'),
  data: (n) => n.startsWith('data.baseline.'),
  field: (n) => n.startsWith('field.model.'),
  hopfield: (n) => ['hopfield.W', 'hopfield.b', 'hopfield.c', 'hopfield.train'].includes(n),
};
const WHERE: { readonly [M in CurvatureSessionModel]: string } = {
  vae: 'no trained VAE in this session: train one in the VAE lab first',
  data: 'no softmax baseline in this session: train one in the Datasets lab first',
  field: 'no trained field network in this session: train one in the field lab first',
  hopfield: 'no trained Boltzmann machine in this session: train one in the Hopfield–Boltzmann lab first',
};
const TRAINING: { readonly [M in CurvatureSessionModel]: string } = {
  vae: 'VAE',
  data: 'baseline',
  field: 'field network',
  hopfield: 'Boltzmann machine',
};

/** The model's lab result, its tensors and the number of training images it saw. */
export function sessionInputs(
  ctx: Pick<StartContext, 'session' | 'active'>,
  lab: CurvatureSessionModel,
): JobInputs & { P: number; images: number } {
  if (ctx.active.includes(TRAINING_KIND[lab]))
    throw new KairoError('invalid_input', `a ${TRAINING[lab]} is training; analyse it when it has finished`);
  const labs = ctx.session.labs;
  let result: unknown;
  let names: string[];
  let images: number;
  if (lab === 'vae') {
    const r = labs.vae.result;
    if (!r) throw invalid(WHERE.vae);
    const n = getDataset(r.params.source).train.count;
    [result, names, images] = [r, r.tensors, r.params.trainSize > 0 ? Math.min(r.params.trainSize, n) : n];
  } else if (lab === 'data') {
    const r = labs.data.baseline;
    if (!r) throw invalid(WHERE.data);
    const n = getDataset(r.params.source).train.count;
    [result, names, images] = [r, r.tensors, r.params.trainSize > 0 ? Math.min(r.params.trainSize, n) : n];
  } else if (lab === 'field') {
    const r = labs.field.result;
    if (!r) throw invalid(WHERE.field);
    [result, names, images] = [r, r.tensors, r.params.trainSize];
  } else {
    const r = labs.hopfield.result;
    if (!r) throw invalid(WHERE.hopfield);
    [result, names, images] = [r, r.tensors, r.patterns];
  }
  const tensors: JobInputs['tensors'] = {};
  let P = 0;
  for (const n of names.filter(TENSORS[lab])) {
    const t = ctx.session.tensor(n);
    if (!t) throw invalid(`the session lacks the tensor ${n} of its ${lab} model`);
    tensors[n] = t;
    P += t.data.length;
  }
  if (lab === 'hopfield') {
    // θ is what the run trained: W always, b and c when they were trained; the patterns are data.
    const r = labs.hopfield.result!;
    P = tensors['hopfield.W']!.data.length + (r.params.trainB ? r.nv : 0) + (r.params.trainC ? r.params.hidden : 0);
  }
  return { tensors, state: { lab, result }, P, images };
}
