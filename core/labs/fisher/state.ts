// The Fisher/NTK lab's slice of a session: schemas (validated on load and on every request,
// so nonsense hyper-parameters get a one-line error naming the field) and defaults.
import { z } from 'zod';
import type { FisherLabState, FisherNetworkParams } from '../../contract.ts';
import { datasetSourceSchema } from '../data/state.ts';

const finite = z.number().finite();
const int = z.number().int();
const seed = int.min(0).max(2 ** 31 - 1);
const activation = z.enum(['relu', 'tanh', 'erf', 'linear']);

export const networkSchema = z
  .object({
    activation,
    depth: int.min(2).max(64),
    // Theory works at any width; jobs that build the network check their own limits.
    width: int.min(1).max(1e9),
    inputDim: int.min(1).max(1e9),
    outputs: int.min(1).max(1000),
    samples: int.min(1).max(1e9),
    sigmaW2: finite.gt(0).max(100),
    sigmaB2: finite.min(0).max(100),
    weights: z.enum(['gaussian', 'orthogonal']),
    norm: z.enum(['none', 'bn-last', 'bn-hidden', 'ln']),
    loss: z.enum(['mse', 'ce']),
    inputs: z.enum(['gaussian', 'images']),
    source: datasetSourceSchema,
    seed,
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.loss === 'ce' && p.outputs < 2)
      ctx.addIssue({ code: 'custom', path: ['outputs'], message: 'cross-entropy needs at least 2 outputs' });
    if (p.norm === 'bn-hidden' && p.samples < 2)
      ctx.addIssue({ code: 'custom', path: ['samples'], message: 'batch norm needs at least 2 samples' });
  });

const theory = z
  .object({
    kappa1: finite,
    kappa2: finite,
    m_lambda: finite,
    s_lambda: finite,
    lambda_max: finite,
    bulk: finite,
    note: z.string().nullable(),
    layers: z.array(
      z
        .object({
          q1: finite.nullable(),
          q2: finite.nullable(),
          qh1: finite,
          qh2: finite,
          qt1: finite.nullable(),
          qt2: finite.nullable(),
        })
        .strict(),
    ),
  })
  .strict();
const stats = z.object({ P: int.min(1), m_lambda: finite, s_lambda: finite.nullable(), lambda_max: finite }).strict();

const spectrum = z
  .object({
    network: networkSchema,
    stats,
    theory: theory.nullable(),
    method: z.enum(['dense', 'lanczos']),
    seconds: finite,
    tensors: z.object({ eigenvalues: z.string(), gram: z.string() }).strict(),
    comparison: z
      .array(
        z
          .object({
            norm: z.enum(['none', 'bn-last', 'bn-hidden', 'ln']),
            lambda_max: finite,
            m_lambda: finite,
            theory_lambda_max: finite.nullable(),
          })
          .strict(),
      )
      .nullable(),
  })
  .strict();

const sweepDraft = z
  .object({
    axis: z.enum(['width', 'depth', 'samples', 'outputs']),
    values: z.array(int.min(1).max(8192)).min(1).max(16),
    seeds: int.min(1).max(20),
  })
  .strict();
export const sweepSchema = sweepDraft.extend({ network: networkSchema }).strict();
const sweep = z
  .object({
    params: sweepSchema,
    points: z.array(
      z
        .object({
          value: int,
          mean: stats,
          sd: z.object({ m_lambda: finite, s_lambda: finite, lambda_max: finite }).strict(),
          theory: theory.nullable(),
        })
        .strict(),
    ),
    partial: z.boolean(),
  })
  .strict();

const lrDraft = z.object({ factors: z.array(finite.gt(0).max(100)).min(1).max(10), steps: int.min(1).max(10000) }).strict();
export const lrSchema = lrDraft.extend({ network: networkSchema }).strict();
const lr = z
  .object({
    params: lrSchema,
    lambdaMax: finite,
    curves: z.array(z.object({ factor: finite, eta: finite, losses: z.array(z.number()), diverged: z.boolean() }).strict()),
    partial: z.boolean(),
  })
  .strict();

export const isometrySchema = z
  .object({
    activation,
    width: int.min(2).max(1024),
    depths: z.array(int.min(1).max(128)).min(1).max(8),
    sigmaW2: finite.gt(0).max(100),
    sigmaB2: finite.min(0).max(100),
    seed,
  })
  .strict();
const isometry = z
  .object({
    params: isometrySchema,
    runs: z.array(z.object({ depth: int, weights: z.enum(['gaussian', 'orthogonal']), eigenvalues: z.array(finite) }).strict()),
  })
  .strict();

const blocks = z
  .object({ network: networkSchema, units: int.min(1), layerOf: z.array(int.min(0)), tensor: z.string(), offOnRatio: finite })
  .strict();

export const fisherLabSchema = z
  .object({
    network: networkSchema,
    spectrum: spectrum.nullable(),
    sweepDraft,
    sweep: sweep.nullable(),
    lrDraft,
    lr: lr.nullable(),
    isometryDraft: isometrySchema,
    isometry: isometry.nullable(),
    blocks: blocks.nullable(),
  })
  .strict();

export const defaultNetwork = (): FisherNetworkParams => ({
  activation: 'relu',
  depth: 3,
  width: 256,
  inputDim: 256,
  outputs: 2,
  samples: 100,
  sigmaW2: 2,
  sigmaB2: 0.05,
  weights: 'gaussian',
  norm: 'none',
  loss: 'mse',
  inputs: 'gaussian',
  source: { kind: 'mnist' },
  seed: 1,
});

export const defaultFisherLab = (): FisherLabState => ({
  network: defaultNetwork(),
  spectrum: null,
  sweepDraft: { axis: 'width', values: [32, 64, 128, 256, 512], seeds: 3 },
  sweep: null,
  lrDraft: { factors: [0.5, 0.9, 1.1, 2], steps: 50 },
  lr: null,
  isometryDraft: { activation: 'linear', width: 128, depths: [2, 4, 8, 16], sigmaW2: 1, sigmaB2: 0, seed: 1 },
  isometry: null,
  blocks: null,
});
