// What the continual-learning experiments share: the model settings every form keeps, the chain
// the flags describe, and errors per task as the CLI and the run records show them.
import { CL_CHAIN_FIELDS, CL_MODEL_FIELDS, defaultsOf, type ClChainParams, type LabStates } from '../../../contract.ts';
import { invalid } from '../../../errors.ts';
import { numFlag, type Parsed } from '../../kit/args.ts';
import { flagNames, readFlags } from '../../kit/flags.ts';
import { curve } from '../../kit/runs.ts';

/** errors[t][m] (task t+1 after stage m+1) as one curve per task over the stages it has seen. */
export const perTask = (label: string, errors: number[][]) =>
  errors.map((row, t) =>
    curve(
      `task ${t + 1} ${label}`,
      'stage',
      row.slice(t),
      row.slice(t).map((_, m) => m + t + 1),
    ),
  );

export type Model = LabStates['continual']['model'];
export const modelOf = (p: Model): Model => ({
  kernel: p.kernel,
  kernelExpr: p.kernelExpr,
  dim: p.dim,
  targetTerms: p.targetTerms,
  noise: p.noise,
  ridge: p.ridge,
  draws: p.draws,
  testPoints: p.testPoints,
  seed: p.seed,
});

/** The chain: --sizes, or the two stages --n1 and --n2 the scripts use. */
/** The flags of `continual kernel` (and, with the network's own, `continual network`). */
export const KERNEL_FLAGS = [...flagNames(CL_MODEL_FIELDS, CL_CHAIN_FIELDS), 'n1', 'n2', 'out'];

export function chainParams(p: Parsed): ClChainParams {
  const model = readFlags(p, CL_MODEL_FIELDS, defaultsOf(CL_MODEL_FIELDS));
  const chain = readFlags(p, CL_CHAIN_FIELDS, defaultsOf(CL_CHAIN_FIELDS));
  if (p.flags.has('sizes') && (p.flags.has('n1') || p.flags.has('n2'))) throw invalid('give --sizes or --n1/--n2, not both');
  if (!p.flags.has('sizes')) chain.sizes = [numFlag(p, 'n1', chain.sizes[0]!), numFlag(p, 'n2', chain.sizes[1]!)];
  return { ...model, ...chain };
}

/** Errors after each stage in the scripts' names: error_task1, error_task2, … */
export const stagesJson = (errors: number[][]) =>
  errors[0]!.map((_, m) => ({
    stage: m + 1,
    ...Object.fromEntries(errors.map((row, t) => [`error_task${t + 1}`, row[m]])),
  }));
