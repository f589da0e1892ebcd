// Every lab Kairo shows, with the schema its session slice must satisfy. A lab issue adds
// one entry here; the session file, the sidebar and `app.info` all read this list.
import type { z } from 'zod';
import type { LabId, LabStates } from '../contract.ts';
import { dataLabSchema, defaultDataLab } from './data/state.ts';
import { defaultHopfieldLab, hopfieldLabSchema } from './hopfield/state.ts';
import { defaultVaeLab, vaeLabSchema } from './vae/state.ts';
import { defaultFisherLab, fisherLabSchema } from './fisher/state.ts';
import { defaultFieldLab, fieldLabSchema } from './field/state.ts';
import { defaultSweepLab, sweepLabSchema } from './sweep/state.ts';

interface LabDef<K extends LabId> {
  title: string;
  schema: z.ZodType<LabStates[K]>;
  defaults: () => LabStates[K];
}

export const LABS: { [K in LabId]: LabDef<K> } = {
  data: { title: 'Datasets', schema: dataLabSchema as z.ZodType<LabStates['data']>, defaults: defaultDataLab },
  vae: { title: 'VAE recall', schema: vaeLabSchema as z.ZodType<LabStates['vae']>, defaults: defaultVaeLab },
  fisher: {
    title: 'Fisher / NTK spectra',
    schema: fisherLabSchema as z.ZodType<LabStates['fisher']>,
    defaults: defaultFisherLab,
  },
  field: { title: 'Random neural fields', schema: fieldLabSchema as z.ZodType<LabStates['field']>, defaults: defaultFieldLab },
  hopfield: {
    title: 'Hopfield–Boltzmann',
    schema: hopfieldLabSchema as z.ZodType<LabStates['hopfield']>,
    defaults: defaultHopfieldLab,
  },
  sweep: { title: 'Sweeps', schema: sweepLabSchema as z.ZodType<LabStates['sweep']>, defaults: defaultSweepLab },
};

export const LAB_IDS = Object.keys(LABS) as LabId[];

export function defaultLabs(): LabStates {
  return Object.fromEntries(LAB_IDS.map((id) => [id, LABS[id].defaults()])) as unknown as LabStates;
}
