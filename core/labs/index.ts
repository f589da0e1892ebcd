// Every lab Kairo has, in sidebar order. A new lab adds its definition here (and its contract to
// core/contract.ts); the core, the session file, `app.info`, the jobs, the worker, the CLI and the
// Electron menu all read this list.
import type { JobKind, LabId, LabStates } from '../contract.ts';
import type { JobDef, LabCommand, LabDef } from './lab.ts';
import { dataLab } from './data/lab.ts';
import { vaeLab } from './vae/lab.ts';
import { fisherLab } from './fisher/lab.ts';
import { ngdLab } from './ngd/lab.ts';
import { continualLab } from './continual/lab.ts';
import { fieldLab } from './field/lab.ts';
import { hopfieldLab } from './hopfield/lab.ts';
import { augmentLab } from './augment/lab.ts';
import { curvatureLab } from './curvature/lab.ts';
import { sweepLab } from './sweep/lab.ts';
import { runsLab } from './runs/lab.ts';

export const LABS: { readonly [K in LabId]: LabDef<K> } = {
  data: dataLab,
  vae: vaeLab,
  fisher: fisherLab,
  ngd: ngdLab,
  continual: continualLab,
  field: fieldLab,
  hopfield: hopfieldLab,
  augment: augmentLab,
  curvature: curvatureLab,
  sweep: sweepLab,
  runs: runsLab,
};

export const LAB_IDS = Object.keys(LABS) as LabId[];

export function defaultLabs(): LabStates {
  return Object.fromEntries(LAB_IDS.map((id) => [id, LABS[id].defaults()])) as unknown as LabStates;
}

/** A lab's definition, as its generic form: callers index it by names that come from outside. */
export const labDef = (id: LabId): LabDef<LabId> => LABS[id] as unknown as LabDef<LabId>;

const JOBS = new Map<string, JobDef<JobKind>>(
  LAB_IDS.flatMap((id) => Object.entries(labDef(id).jobs as Record<string, JobDef<JobKind>>)),
);
const METHODS = new Map(
  LAB_IDS.flatMap((id) => Object.entries(labDef(id).methods as Record<string, (ctx: never, p: never) => unknown>)),
);

/** The definition of a job kind, or undefined for a name that is none. */
export const jobDef = (kind: string): JobDef<JobKind> | undefined => JOBS.get(kind);
export const JOB_KINDS = [...JOBS.keys()] as JobKind[];
/** A lab method by name (`fisher.theory`, …), or undefined. */
export const labMethod = (name: string) => METHODS.get(name);
export const LAB_METHODS = [...METHODS.keys()];

/** Every session tensor some lab's state refers to. */
export function tensorsReferenced(labs: LabStates): string[] {
  return LAB_IDS.flatMap((id) => (labDef(id).tensors as (s: unknown) => string[])(labs[id]));
}

/** The CLI's lab commands by name (`kairo vae …`), loaded on first use. */
export async function cliCommands(): Promise<Map<string, LabCommand & { sweepable: boolean }>> {
  const out = new Map<string, LabCommand & { sweepable: boolean }>();
  for (const id of LAB_IDS) {
    const cli = LABS[id].cli;
    if (cli) out.set(cli.name, { ...(await cli.load()), sweepable: cli.sweepable });
  }
  return out;
}

/** The commands `kairo sweep` may run (every lab command but the sweep's own and the dataset inspector). */
export async function labCommands(): Promise<ReadonlyMap<string, LabCommand>> {
  return new Map([...(await cliCommands())].filter(([, c]) => c.sweepable));
}

/** The runs ledger, which the core writes when a job ends (core/labs/runs/). */
export { recordRun, summaryOf } from './runs/ledger.ts';
