// The curvature problem of a model trained in the session, worker side: its weights (handed over
// at jobs.start), the first N images of its own training set in its own draw, and the loss its lab
// trains: the baseline's cross-entropy, the field network's (1/2NC) Σ (f − y)² on its ±targets
// with unit-norm inputs, the VAE's negative ELBO with ε drawn from the seed.
import { gaussian, mulberry32 } from '../../../../models/common/rng.ts';
import { fieldProblem, fromSoftmax, type LabNetwork } from '../../../../models/curvature/from-labs.ts';
import { operatorOf, operatorOfModel, type CurvatureMatrix, type Operator } from '../../../../models/curvature/products.ts';
import { boltzmannOperator } from '../../../../models/curvature/boltzmann.ts';
import { elboTerms, vaeModel, vaeNetworks } from '../../../../models/curvature/vae.ts';
import type {
  BaselineResult,
  CurvatureParams,
  CurvatureSessionModel,
  FieldTrainResult,
  HopfieldTrainResult,
  VaeTrainResult,
} from '../../../contract.ts';
import { getDataset, pixelRows } from '../../../data/datasets.ts';
import type { JobInputs } from '../../../jobs/types.ts';
import { fieldSpec, loadData } from '../../field/jobs/data.ts';
import { configOf, trainingOrder } from '../../vae/config.ts';
import { firstImages } from './problem.ts';

export interface SessionProblem {
  operator(matrix: CurvatureMatrix): Operator;
  names: string[];
  N: number;
  model: string;
}

const valuesOf = (inputs: JobInputs, prefix: string) =>
  Object.fromEntries(
    Object.entries(inputs.tensors)
      .filter(([n]) => n.startsWith(prefix))
      .map(([n, t]) => [n.slice(prefix.length), t.data as ArrayLike<number>]),
  );

const sequential =
  (
    ln: LabNetwork,
    X: Float64Array,
    N: number,
    rest: Pick<Parameters<typeof operatorOf>[0], 'loss' | 'labels' | 'targets' | 'lossScale'>,
  ) =>
  (matrix: CurvatureMatrix) =>
    operatorOf({ net: ln.net, theta: ln.theta, X, N, ...rest, ...(ln.scale ? { scale: ln.scale } : {}) }, matrix);

export function sessionProblem(p: CurvatureParams['session'], inputs: JobInputs): SessionProblem {
  const { lab, result } = inputs.state as { lab: CurvatureSessionModel; result: unknown };
  const N = p.samples;
  if (lab === 'data') {
    const r = result as BaselineResult;
    const v = valuesOf(inputs, 'data.baseline.');
    const ln = fromSoftmax(v.W!, v.b!);
    const d = firstImages(r.params.source, N);
    return {
      operator: sequential(ln, d.X, N, { loss: 'ce', labels: d.labels, targets: null }),
      names: ln.names,
      N,
      model: `the Datasets lab's softmax baseline on its first ${N} training images`,
    };
  }
  if (lab === 'field') {
    const r = result as FieldTrainResult;
    const v = valuesOf(inputs, 'field.model.');
    const data = loadData(r.params);
    const spec = { ...fieldSpec(r.params), inputDim: data.D, classes: v.bout!.length };
    const fp = fieldProblem(spec, v, data.X, N, data.labels.subarray(0, N), data.Y);
    return {
      operator: (matrix) => operatorOf(fp.problem, matrix),
      names: fp.names,
      N,
      model: `the field lab's ${r.params.kind} network (width ${r.params.width}) on its first ${N} training images`,
    };
  }
  if (lab === 'hopfield') {
    const r = result as HopfieldTrainResult;
    const t = (n: string) => inputs.tensors[`hopfield.${n}`]!.data;
    const spec = { kind: r.params.model, K: r.params.hidden, nv: r.nv, trainB: r.params.trainB, trainC: r.params.trainC };
    const V = t('train').subarray(0, N * r.nv);
    return {
      operator: (matrix) => {
        if (matrix !== 'hessian' && matrix !== 'empirical-fisher') throw new Error(`the Boltzmann machine has no ${matrix}`);
        return boltzmannOperator(spec, t('W'), t('b'), t('c'), V, N, matrix);
      },
      names: [`W: ${spec.K}×${spec.nv}`, 'b', 'c'],
      N,
      model: `the Hopfield–Boltzmann lab's ${r.params.model === 'gbrbm' ? 'GB-RBM' : 'AttnBM'} (${r.params.hidden} hidden) on its first ${N} training patterns`,
    };
  }
  const r = result as VaeTrainResult;
  const tr = getDataset(r.params.source).train;
  const cfg = configOf(r.params, tr.shape);
  const order = trainingOrder(tr.count, r.params).subarray(0, N);
  const X = pixelRows(tr, order, new Float64Array(N * tr.shape[0]! * tr.shape[1]!));
  const { nets, theta, names } = vaeNetworks(cfg, valuesOf(inputs, 'vae.model.'));
  const rand = mulberry32(p.seed ^ 0x5bd1e995);
  const eps = Float64Array.from({ length: N * cfg.latent }, () => gaussian(rand));
  const model = vaeModel(nets, theta, X, N, eps);
  const terms = elboTerms(
    { D: nets.D, d: nets.d, decoder: cfg.decoder, gaussianSigma: cfg.gaussianSigma, beta: cfg.beta },
    model.out,
    X,
    N,
  );
  return {
    operator: (matrix) => operatorOfModel(model, terms, matrix),
    names,
    N,
    model: `the VAE lab's ${cfg.arch === 'conv' ? `convolutional VAE (dense ${cfg.hidden[0]}, latent ${cfg.latent})` : `VAE ${[nets.D, ...cfg.hidden, cfg.latent].join('-')}`} on its first ${N} training images (ε of seed ${p.seed})`,
  };
}
