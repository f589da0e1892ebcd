// The curvature lab's slice of a session: schemas (validated on load and at jobs.start, so
// nonsense is refused with one line naming the field) and defaults.
import { z } from 'zod';
import {
  CURVATURE_FIELDS,
  CURVATURE_IMPORT_FIELDS,
  CURVATURE_MODELS,
  CURVATURE_SESSION_FIELDS,
  CURVATURE_TRACK_FIELDS,
  defaultsOf,
  type CurvatureLabState,
  type CurvatureParams,
  type CurvatureTrackParams,
} from '../../contract.ts';
import { shapeOf } from '../../params.ts';
import { datasetSourceSchema } from '../data/state.ts';
import { defaultNetwork, networkSchema } from '../fisher/state.ts';

const finite = z.number().finite();
const int = z.number().int();
const path = z.string().min(1).max(4096);

const filesSchema = z.object({ kind: z.literal('pytorch'), weights: path, layers: path }).strict();
const importSchema = z
  .object({ ...shapeOf(CURVATURE_IMPORT_FIELDS), files: filesSchema.nullable(), source: datasetSourceSchema })
  .strict();
const analysisSchema = z.object(shapeOf(CURVATURE_FIELDS)).strict();
// Files saved before session models existed have no `session`: it loads at its defaults.
const sessionSchema = z.object(shapeOf(CURVATURE_SESSION_FIELDS)).strict().default(defaultsOf(CURVATURE_SESSION_FIELDS));

/** Matrices that need targets: the loss's own curvature, or per-sample gradients. */
export const needsTargets = (m: string) => m === 'hessian' || m === 'empirical-fisher';

const spectrumObject = z
  .object({
    model: z.enum(CURVATURE_MODELS),
    network: networkSchema,
    imported: importSchema,
    session: sessionSchema,
    analysis: analysisSchema,
  })
  .strict();
/** What a run may be asked; rules needing the data (k < P, labels < outputs) are checked at jobs.start. */
export const spectrumSchema = spectrumObject.superRefine((p, ctx) => {
  if (p.model === 'import' && !p.imported.files)
    ctx.addIssue({
      code: 'custom',
      path: ['imported', 'files'],
      message: "choose the network's weights (.safetensors) and layers (.json)",
    });
  if (p.model === 'session' && p.session.lab === 'hopfield' && !needsTargets(p.analysis.matrix))
    ctx.addIssue({
      code: 'custom',
      path: ['analysis', 'matrix'],
      message:
        "the Boltzmann machine's NLL is not a convex loss of network outputs, so it has no Gauss–Newton matrix: choose the Hessian or the empirical Fisher",
    });
  if (p.model === 'fresh') {
    if (p.network.norm !== 'none')
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'norm'],
        message: 'the curvature lab takes networks without normalisation (batch statistics couple the samples)',
      });
    if (needsTargets(p.analysis.matrix) && p.network.inputs !== 'images')
      ctx.addIssue({
        code: 'custom',
        path: ['analysis', 'matrix'],
        message: `the ${p.analysis.matrix} needs labelled data: inputs images, or the GGN or Fisher`,
      });
  }
});

const trackObject = z.object({ ...shapeOf(CURVATURE_TRACK_FIELDS), network: networkSchema }).strict();
export const trackSchema = trackObject.superRefine((p, ctx) => {
  if (p.network.inputs !== 'images')
    ctx.addIssue({ code: 'custom', path: ['network', 'inputs'], message: 'gradient descent needs labelled data: inputs images' });
  if (p.network.norm !== 'none')
    ctx.addIssue({
      code: 'custom',
      path: ['network', 'norm'],
      message: 'the curvature lab takes networks without normalisation',
    });
  if (p.every > p.steps) ctx.addIssue({ code: 'custom', path: ['every'], message: `at most the ${p.steps} steps` });
});

const layerSchema = z
  .object({ name: z.string().max(200), parameters: int.min(0), share: finite, blockLambdaMax: finite })
  .strict();
const resultSchema = z
  .object({
    params: spectrumSchema,
    model: z.string().max(500),
    parameters: int.min(1),
    samples: int.min(1),
    loss: finite.nullable(),
    top: z.array(finite),
    residuals: z.array(finite),
    trace: z
      .object({ mean: finite, se: finite, probes: int.min(1) })
      .strict()
      .nullable(),
    density: z
      .object({
        x: z.array(finite),
        y: z.array(finite),
        sigma: finite,
        // Results from before the log axis have none.
        log: z
          .object({ x: z.array(finite), y: z.array(finite), sigma: finite, below: finite })
          .strict()
          .nullable()
          .default(null),
      })
      .strict()
      .nullable(),
    layers: z.array(layerSchema),
    matvecs: int.min(0),
    seconds: finite,
    fisherLab: z
      .object({ lambdaMax: finite, method: z.string().max(200), theoryLambdaMax: finite.nullable() })
      .strict()
      .nullable(),
    partial: z.boolean(),
  })
  .strict();
const trackResultSchema = z
  .object({
    params: trackSchema,
    model: z.string().max(500),
    parameters: int.min(1),
    steps: z.array(int.min(0)),
    lambdaMax: z.array(finite),
    trace: z.array(finite).nullable(),
    losses: z.array(finite),
    twoOverLr: finite,
    gdSeconds: finite,
    trackSeconds: finite,
    partial: z.boolean(),
  })
  .strict();

export const curvatureLabSchema = z
  .object({
    draft: spectrumObject,
    result: resultSchema.nullable(),
    trackDraft: trackObject,
    track: trackResultSchema.nullable(),
  })
  .strict();

export const defaultSpectrum = (): CurvatureParams => ({
  model: 'fresh',
  network: defaultNetwork(),
  imported: { ...defaultsOf(CURVATURE_IMPORT_FIELDS), files: null, source: { kind: 'mnist' } },
  session: defaultsOf(CURVATURE_SESSION_FIELDS),
  analysis: defaultsOf(CURVATURE_FIELDS),
});

/** The classic edge-of-stability setting (Cohen et al. 2021), shrunk: a tanh MLP, MSE on one-hot labels, full batch. */
export const defaultTrack = (): CurvatureTrackParams => ({
  ...defaultsOf(CURVATURE_TRACK_FIELDS),
  network: {
    ...defaultNetwork(),
    activation: 'tanh',
    width: 64,
    outputs: 10,
    samples: 500,
    inputs: 'images',
    loss: 'mse',
    sigmaW2: 1,
    sigmaB2: 0,
  },
});

export const defaultCurvatureLab = (): CurvatureLabState => ({
  draft: defaultSpectrum(),
  result: null,
  trackDraft: defaultTrack(),
  track: null,
});
