// `kairo curvature --network fresh …` and `kairo curvature --import F.safetensors --layers F.json …`:
// the flags to a spectrum job, and its result as the JSON scripts read (snake_case).
import { resolve } from 'node:path';
import {
  CURVATURE_FIELDS,
  CURVATURE_IMPORT_FIELDS,
  CURVATURE_SESSION_FIELDS,
  defaultsOf,
  FISHER_NETWORK_FIELDS,
  type CurvatureParams,
  type CurvatureResult,
} from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import type { Parsed } from '../../kit/args.ts';
import { sessionFlags, type SubCommand } from '../../kit/cli.ts';
import { IDX_FLAGS, idxSource } from '../../kit/data-source.ts';
import { flagNames, parseFlagged, readFlags } from '../../kit/flags.ts';
import { network } from '../../fisher/experiments/common.ts';
import { defaultSpectrum, spectrumSchema } from '../state.ts';
import { round } from './common.ts';

/** The run the flags describe: a fresh network (the Fisher lab's flags), an imported one, or a session's model. */
export function spectrumParams(p: Parsed): CurvatureParams {
  if (p.flags.has('run') && !p.flags.has('session'))
    throw invalid('--run ID names a run of a session: give --session F.kairo --model vae|data|field|hopfield too');
  const fresh = p.flags.get('network');
  const weights = p.flags.get('import');
  const session = p.flags.get('session');
  if (fresh !== undefined && fresh !== 'fresh') throw invalid(`--network: fresh is the only choice (got ${String(fresh)})`);
  if ([fresh, weights, session].filter((x) => x !== undefined).length !== 1)
    throw invalid(
      'give one of --network fresh, --import F.safetensors --layers F.json, or --session F.kairo --model vae|data|field|hopfield',
    );
  if (p.flags.has('model') && session === undefined)
    throw invalid('--model names a model of a session: give --session F.kairo too');
  const d = defaultSpectrum();
  const analysis = readFlags(p, CURVATURE_FIELDS, defaultsOf(CURVATURE_FIELDS));
  let params: CurvatureParams;
  if (session !== undefined) {
    if (!p.flags.has('model')) throw invalid('--session needs --model vae|data|field|hopfield: which lab’s trained model');
    params = { ...d, model: 'session', session: readFlags(p, CURVATURE_SESSION_FIELDS, d.session), analysis };
  } else if (fresh) params = { ...d, model: 'fresh', network: network(p), analysis };
  else {
    const layers = p.flags.get('layers');
    if (typeof layers !== 'string') throw invalid('--import needs --layers F.json (the layers of the nn.Sequential, in order)');
    params = {
      ...d,
      model: 'import',
      imported: {
        ...readFlags(p, CURVATURE_IMPORT_FIELDS, d.imported),
        files: { kind: 'pytorch', weights: resolve(String(weights)), layers: resolve(layers) },
        source: idxSource(p),
      },
      analysis,
    };
  }
  return parseFlagged(
    spectrumSchema,
    params,
    'curvature',
    CURVATURE_FIELDS,
    CURVATURE_IMPORT_FIELDS,
    CURVATURE_SESSION_FIELDS,
    FISHER_NETWORK_FIELDS,
  );
}

export const spectrumJson = (r: CurvatureResult) => ({
  model: r.model,
  matrix: r.params.analysis.matrix,
  parameters: r.parameters,
  samples: r.samples,
  loss: r.loss,
  top: r.top,
  residuals: r.residuals.map((x) => round(x, 3)),
  trace: r.trace && { mean: r.trace.mean, se: r.trace.se },
  density: r.density && {
    x: r.density.x,
    y: r.density.y,
    ...(r.density.log ? { log_x: r.density.log.x, log_y: r.density.log.y, below_floor: r.density.log.below } : {}),
  },
  layers: r.layers.map((l) => ({ name: l.name, parameters: l.parameters, share: l.share, block_lambda_max: l.blockLambdaMax })),
  fisher_lab: r.fisherLab && {
    lambda_max: r.fisherLab.lambdaMax,
    method: r.fisherLab.method,
    theory_lambda_max: r.fisherLab.theoryLambdaMax,
  },
  matvecs: r.matvecs,
  seconds: round(r.seconds, 3),
  ...(r.partial ? { partial: true } : {}),
});

export const spectrumCli: SubCommand = {
  sub: 'spectrum',
  flags: [
    ...flagNames(FISHER_NETWORK_FIELDS, CURVATURE_FIELDS, CURVATURE_IMPORT_FIELDS, CURVATURE_SESSION_FIELDS),
    ...IDX_FLAGS,
    'network',
    'import',
    'layers',
    'session',
    'run',
  ],
  run: async (p, out, ctx) => {
    const params = spectrumParams(p);
    // --run ID: that run's checkpoint of the --model lab instead of the lab's current model.
    if (params.model === 'session') await sessionFlags(p, ctx, params.session.lab, { required: true });
    const { result } = await ctx.runJob('curvature.spectrum', params);
    out(spectrumJson(result));
    return 0;
  },
};
