// The one contract between the renderer and the core. Both carriers (Electron IPC and the
// WebSocket host) move exactly these JSON envelopes, so everything here must stay JSON-safe:
// no typed arrays, Maps, Dates or undefined values. Binary payloads travel as EncodedArray.
// The renderer imports this file. It and the files it re-exports (core/contract/base.ts and
// core/labs/<lab>/contract.ts, one per lab: a new lab adds its line here) import nothing else.

export const CONTRACT_VERSION = 1;

export * from './contract/base.ts';
export * from './contract/params.ts';
export * from './labs/data/contract.ts';
import type { DataContract } from './labs/data/contract.ts';
export * from './labs/vae/contract.ts';
import type { VaeContract } from './labs/vae/contract.ts';
export * from './labs/fisher/contract.ts';
import type { FisherContract } from './labs/fisher/contract.ts';
export * from './labs/ngd/contract.ts';
import type { NgdContract } from './labs/ngd/contract.ts';
export * from './labs/continual/contract.ts';
import type { ContinualContract } from './labs/continual/contract.ts';
export * from './labs/field/contract.ts';
import type { FieldContract } from './labs/field/contract.ts';
export * from './labs/hopfield/contract.ts';
import type { HopfieldContract } from './labs/hopfield/contract.ts';
export * from './labs/augment/contract.ts';
import type { AugmentContract } from './labs/augment/contract.ts';
export * from './labs/curvature/contract.ts';
import type { CurvatureContract } from './labs/curvature/contract.ts';
export * from './labs/sweep/contract.ts';
import type { SweepContract } from './labs/sweep/contract.ts';
export * from './labs/runs/contract.ts';
import type { RunsContract } from './labs/runs/contract.ts';

/** Every lab's contract, by lab id, in sidebar order: a new lab adds its entry (and the two lines above). */
export interface LabContracts {
  data: DataContract;
  vae: VaeContract;
  fisher: FisherContract;
  ngd: NgdContract;
  continual: ContinualContract;
  field: FieldContract;
  hopfield: HopfieldContract;
  augment: AugmentContract;
  curvature: CurvatureContract;
  sweep: SweepContract;
  runs: RunsContract;
}

import type { DensityGrid } from './labs/hopfield/contract.ts';
import type { EncodedArray, KairoErrorValue } from './contract/base.ts';

// ---------- compute backend ----------

export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason: string;
}

export interface BackendInfo {
  name: string;
  threads: number;
  simd: boolean;
  /**
   * Whether its kernels use fused multiply-add (built with WebAssembly relaxed SIMD, where the
   * runtime has it): the WASM backend's float32 products and convolutions, or for a float64 job
   * its float64 products.
   */
  fma: boolean;
  /** The GPU a WebGPU backend runs on: vendor, architecture, Dawn's backend type; null for the others. */
  adapter: string | null;
  tried: BackendAttempt[];
}

export interface AppInfo {
  version: string;
  contractVersion: number;
  sessionSchemaVersion: number;
  carrier: 'electron' | 'web';
  backend: BackendInfo;
  /** The labs, in sidebar order, and their titles. */
  labs: LabId[];
  labTitles: Record<LabId, string>;
}

// ---------- labs and sessions ----------

export type LabId = keyof LabContracts;
export type LabStates = { [L in LabId]: LabContracts[L]['state'] };

/** Each lab's jobs and methods, merged: (A | B) → A & B. */
type Merged<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export interface TensorInfo {
  dtype: 'F32' | 'U8' | 'I32' | 'F64';
  shape: number[];
}

export interface SessionView {
  path: string | null;
  dirty: boolean;
  /** The open file carried no checksums (a file from before they existed): its contents are unverified until saved again. */
  unsigned: boolean;
  labs: LabStates;
  tensors: Record<string, TensorInfo>;
}

// ---------- jobs ----------

/** Every lab's jobs: parameters and result of each kind. */
export type JobKinds = Merged<LabContracts[LabId]['jobs']>;
export type JobKind = keyof JobKinds;

/** 'diverged': the job's numbers went non-finite; `error` says what and at which step, and nothing was stored. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'diverged';

export interface JobProgress {
  /** 0..1 */
  fraction: number;
  step: number;
  totalSteps: number;
  elapsedSeconds: number;
  etaSeconds: number | null;
  samplesPerSecond: number | null;
  metrics: Record<string, number>;
  /** A small live view of the model, for jobs that have one (sent with some progress events). */
  preview: JobPreview | null;
}

export type JobPreview =
  | { kind: 'density'; grid: DensityGrid }
  /** uint8 [n, h, w] image grids: test images beside their reconstructions, and samples from the prior. */
  | { kind: 'vae'; reconstructions: EncodedArray; samples: EncodedArray };

export interface JobInfo {
  id: string;
  kind: JobKind;
  label: string;
  state: JobState;
  progress: JobProgress | null;
  error: KairoErrorValue | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /**
   * The job that started this one (a sweep's run), or absent: its result is its parent's, not the
   * session's, and a lab's page does not take it for its own job.
   */
  parent?: string;
}

// ---------- methods ----------

/** The methods the core itself answers. */
export interface CoreMethods {
  'app.info': { params: Record<string, never>; result: AppInfo };
  /**
   * What a lab's quick look measured in the session's current results: the fragments its line quotes
   * (core/labs/<lab>/quick-look.ts), as that line writes them; null where the lab has no quick look
   * or holds no result it can be read from.
   */
  'app.quickLookQuotes': { params: { lab: LabId }; result: string[] | null };
  /** A session tensor for display (e.g. a recall run's projections or image strips). */
  'session.tensor': { params: { name: string }; result: EncodedArray };
  'jobs.start': { params: { [K in JobKind]: { kind: K; params: JobKinds[K]['params'] } }[JobKind]; result: JobInfo };
  'jobs.cancel': { params: { id: string }; result: JobInfo };
  'jobs.list': { params: Record<string, never>; result: JobInfo[] };
  'session.get': { params: Record<string, never>; result: SessionView };
  'session.update': { params: { lab: LabId; state: LabStates[LabId] }; result: SessionView };
  'session.new': { params: Record<string, never>; result: SessionView };
  /** overwrite: false refuses (code 'exists') to replace another existing file, so the UI can ask first. */
  'session.save': { params: { path: string | null; overwrite?: boolean }; result: SessionView };
  /** The unsaved session an earlier run left (a crash, a killed host, a quit), if any. */
  'session.recovery': { params: Record<string, never>; result: { path: string | null; savedAt: string } | null };
  /** Opens that copy as the current session (unsaved, belonging to its file). */
  'session.recover': { params: Record<string, never>; result: SessionView };
  'session.discardRecovery': { params: Record<string, never>; result: null };
  'session.open': { params: { path: string }; result: SessionView };
  'session.recent': { params: Record<string, never>; result: string[] };
  /** Asks the platform for a path. Native dialogs exist only in Electron: `supported: false` tells the renderer to ask itself. */
  'platform.pickPath': {
    params: { purpose: 'session-open' | 'session-save' | 'idx-file' | 'model-file' | 'sweep-dir'; suggested: string | null };
    result: { supported: boolean; path: string | null };
  };
}

/** Every method: the core's and each lab's. */
export type Methods = CoreMethods & Merged<LabContracts[LabId]['methods']>;
export type Method = keyof Methods;
export type ParamsOf<M extends Method> = Methods[M]['params'];
export type ResultOf<M extends Method> = Methods[M]['result'];

// ---------- server-pushed events ----------

export type MenuCommand =
  'session.new' | 'session.open' | 'session.save' | 'session.saveAs' | { openRecent: string } | { showLab: LabId };

export interface Events {
  'job.update': JobInfo;
  /** Sent once when a job ends in 'done' or a partial 'cancelled' and its result was stored in the session. */
  'session.changed': SessionView;
  menu: { command: MenuCommand };
}
export type Topic = keyof Events;

// ---------- envelopes ----------

export interface RequestEnvelope<M extends Method = Method> {
  t: 'req';
  id: number;
  method: M;
  params: ParamsOf<M>;
}
export type ResponseEnvelope =
  { t: 'res'; id: number; ok: true; result: unknown } | { t: 'res'; id: number; ok: false; error: KairoErrorValue };
export interface EventEnvelope<T extends Topic = Topic> {
  t: 'evt';
  topic: T;
  payload: Events[T];
}
export type ServerEnvelope = ResponseEnvelope | EventEnvelope;

/** Progress events are throttled to this rate on the way out of a worker. */
export const PROGRESS_HZ = 25;
