// What the continual-learning experiments share: the model settings every form keeps, the chain
// the flags describe, and errors per task as the CLI and the run records show them.
import {
  CL_CHAIN_FIELDS,
  CL_CORRECTION_FIELDS,
  CL_MODEL_FIELDS,
  defaultsOf,
  type ClCorrectionParams,
  type ClModelParams,
  type LabStates,
  type ValuesOf,
} from '../../../contract.ts';
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

/** The flags of the kernel model's chain: `continual network` takes these, `continual kernel` these and the correction's. */
export const KERNEL_FLAGS = [...flagNames(CL_MODEL_FIELDS, CL_CHAIN_FIELDS), 'n1', 'n2', 'out'];

/** The chain: --sizes, or the two stages --n1 and --n2 the scripts use. */
export function chainParams(p: Parsed): ClModelParams & ValuesOf<typeof CL_CHAIN_FIELDS> {
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

/** The correction's flags; `--step auto` is the rule c = N_m/Σ N_k (the form's step rule). */
export function correctionParams(p: Parsed): ClCorrectionParams {
  // A setting for another correction than the one named would be silently unused: refuse it.
  const named = p.flags.get('correction');
  for (const [flag, owner] of [
    ['replay', 'replay'],
    ['anchor-weight', 'anchor'],
    ['step', 'balanced'],
    ['step-rule', 'balanced'],
    ['ewc-weight', 'ewc'],
    ['fisher', 'ewc'],
  ] as const)
    if (p.flags.has(flag) && named !== owner) throw invalid(`--${flag} sets the ${owner} correction: add --correction ${owner}`);
  if (p.flags.get('step') !== 'auto') return readFlags(p, CL_CORRECTION_FIELDS, defaultsOf(CL_CORRECTION_FIELDS));
  if (p.flags.has('step-rule')) throw invalid('give --step auto or --step-rule, not both');
  const flags = new Map(p.flags);
  flags.delete('step');
  return { ...readFlags({ ...p, flags }, CL_CORRECTION_FIELDS, defaultsOf(CL_CORRECTION_FIELDS)), stepRule: 'auto' };
}

/** The correction as the CLI prints it: its name and the one setting it uses. */
export function correctionJson(p: ClCorrectionParams): Record<string, string | number> {
  switch (p.correction) {
    case 'none':
      return { name: 'none' };
    case 'replay':
      return { name: 'replay', replay: p.replay };
    case 'anchor':
      return { name: 'anchor', anchor_weight: p.anchorWeight };
    case 'balanced':
      return { name: 'balanced', step: p.stepRule === 'auto' ? 'auto' : p.step };
    case 'ewc':
      return { name: 'ewc', ewc_weight: p.ewcWeight, fisher: p.fisher };
  }
}

/** The correction's fields of a job's parameters: the draft the lab keeps for the correction card. */
export const correctionDraftOf = (p: ClCorrectionParams): ClCorrectionParams => ({
  correction: p.correction,
  replay: p.replay,
  anchorWeight: p.anchorWeight,
  step: p.step,
  ewcWeight: p.ewcWeight,
  fisher: p.fisher,
  stepRule: p.stepRule,
});
