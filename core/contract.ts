// The one contract between the renderer and the core. Both carriers (Electron IPC and the
// WebSocket host) move exactly these JSON envelopes, so everything here must stay JSON-safe:
// no typed arrays, Maps, Dates or undefined values. Binary payloads travel as EncodedArray.
// This file is imported by the renderer, so it must not import anything.

export const CONTRACT_VERSION = 1;

// ---------- errors ----------

export type ErrorCode =
  | 'bad_request' // malformed envelope, unknown method, wrong parameter types
  | 'invalid_input' // well-formed request whose content is unusable (bad file, nonsense value)
  | 'not_found'
  | 'io'
  | 'cancelled'
  | 'crashed'
  | 'unauthorized'
  | 'internal';

export interface KairoErrorValue {
  code: ErrorCode;
  /** One line, readable by a person, naming the first problem found. */
  message: string;
}

// ---------- binary payloads ----------

export interface EncodedArray {
  dtype: 'uint8' | 'float32';
  shape: number[];
  /** Little-endian bytes, base64. */
  base64: string;
}

// ---------- data ----------

export type DatasetSource =
  | { kind: 'mnist' }
  | {
      kind: 'idx';
      name: string;
      trainImages: string;
      trainLabels: string;
      testImages?: string | null;
      testLabels?: string | null;
    };

export type SplitName = 'train' | 'test';

export interface SplitSummary {
  count: number;
  /** Shape of one image, e.g. [28, 28]. */
  shape: number[];
  /** Number of classes (max label + 1). */
  classes: number;
  classCounts: number[];
}

export interface DatasetSummary {
  name: string;
  source: DatasetSource;
  train: SplitSummary;
  test: SplitSummary | null;
}

export interface DataPage {
  split: SplitName;
  /** Number of items matching the filter. */
  total: number;
  offset: number;
  /** Indices into the split of the items returned. */
  indices: number[];
  labels: number[];
  /** uint8, shape [n, h, w]. */
  images: EncodedArray;
}

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
  tried: BackendAttempt[];
}

export interface AppInfo {
  version: string;
  contractVersion: number;
  sessionSchemaVersion: number;
  carrier: 'electron' | 'web';
  backend: BackendInfo;
  labs: LabId[];
}

// ---------- labs and sessions ----------

export type LabId = 'data';

export interface BaselineParams {
  source: DatasetSource;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Use only the first N training images (0 = all). */
  trainSize: number;
  seed: number;
}

export interface CurvePoint {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
}

export interface BaselineResult {
  params: BaselineParams;
  curve: CurvePoint[];
  testAccuracy: number | null;
  testLoss: number | null;
  stepsDone: number;
  /** True when the run was cancelled and this is the model as trained so far. */
  partial: boolean;
  /** Names of session tensors holding the trained weights. */
  tensors: string[];
}

export interface DataLabState {
  source: DatasetSource;
  split: SplitName;
  offset: number;
  classFilter: number | null;
  baseline: BaselineResult | null;
  baselineDraft: Omit<BaselineParams, 'source'>;
}

export interface LabStates {
  data: DataLabState;
}

export interface TensorInfo {
  dtype: 'F32' | 'U8' | 'I32' | 'F64';
  shape: number[];
}

export interface SessionView {
  path: string | null;
  dirty: boolean;
  labs: LabStates;
  tensors: Record<string, TensorInfo>;
}

// ---------- jobs ----------

export interface JobKinds {
  'data.baseline': { params: BaselineParams; result: BaselineResult };
}
export type JobKind = keyof JobKinds;

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  /** 0..1 */
  fraction: number;
  step: number;
  totalSteps: number;
  elapsedSeconds: number;
  etaSeconds: number | null;
  samplesPerSecond: number | null;
  metrics: Record<string, number>;
}

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
}

// ---------- methods ----------

export interface Methods {
  'app.info': { params: Record<string, never>; result: AppInfo };
  'data.summary': { params: { source: DatasetSource }; result: DatasetSummary };
  'data.page': {
    params: { source: DatasetSource; split: SplitName; offset: number; count: number; classFilter: number | null };
    result: DataPage;
  };
  'jobs.start': { params: { [K in JobKind]: { kind: K; params: JobKinds[K]['params'] } }[JobKind]; result: JobInfo };
  'jobs.cancel': { params: { id: string }; result: JobInfo };
  'jobs.list': { params: Record<string, never>; result: JobInfo[] };
  'session.get': { params: Record<string, never>; result: SessionView };
  'session.update': { params: { lab: LabId; state: LabStates[LabId] }; result: SessionView };
  'session.new': { params: Record<string, never>; result: SessionView };
  'session.save': { params: { path: string | null }; result: SessionView };
  'session.open': { params: { path: string }; result: SessionView };
  'session.recent': { params: Record<string, never>; result: string[] };
  /** Asks the platform for a path. Native dialogs exist only in Electron: `supported: false` tells the renderer to ask itself. */
  'platform.pickPath': {
    params: { purpose: 'session-open' | 'session-save' | 'idx-file'; suggested: string | null };
    result: { supported: boolean; path: string | null };
  };
}
export type Method = keyof Methods;
export type ParamsOf<M extends Method> = Methods[M]['params'];
export type ResultOf<M extends Method> = Methods[M]['result'];

// ---------- server-pushed events ----------

export type MenuCommand =
  | 'session.new'
  | 'session.open'
  | 'session.save'
  | 'session.saveAs'
  | { openRecent: string }
  | { showLab: LabId };

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
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: KairoErrorValue };
export interface EventEnvelope<T extends Topic = Topic> {
  t: 'evt';
  topic: T;
  payload: Events[T];
}
export type ServerEnvelope = ResponseEnvelope | EventEnvelope;

/** Progress events are throttled to this rate on the way out of a worker. */
export const PROGRESS_HZ = 25;
