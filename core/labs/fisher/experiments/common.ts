// What the Fisher lab's experiments share: the network their flags describe, the dataset a
// network's inputs read, and the theory as the CLI prints it (snake_case, the scripts' names).
import {
  FISHER_NETWORK_FIELDS,
  type DatasetSource,
  type FisherNetworkParams,
  type FisherTheoryValues,
} from '../../../contract.ts';
import type { Parsed } from '../../kit/args.ts';
import { parseFlagged, readFlags } from '../../kit/flags.ts';
import { defaultNetwork, networkSchema } from '../state.ts';

/** The images a network's inputs are drawn from, or null for Gaussian inputs. */
export const imagesOf = (n: { inputs: string; source: DatasetSource }): DatasetSource | null =>
  n.inputs === 'images' ? n.source : null;

/** The network the flags describe (every flag at the form's default when absent). */
export function network(p: Parsed): FisherNetworkParams {
  const d = defaultNetwork();
  return parseFlagged(
    networkSchema,
    { ...readFlags(p, FISHER_NETWORK_FIELDS, d), source: d.source },
    'network',
    FISHER_NETWORK_FIELDS,
  );
}

export const theoryJson = (t: FisherTheoryValues | null) =>
  t && {
    kappa1: t.kappa1,
    kappa2: t.kappa2,
    m_lambda: t.mLambda,
    s_lambda: t.sLambda,
    lambda_max: t.lambdaMax,
    bulk: t.bulk,
    ...(t.note ? { note: t.note } : {}),
  };
