// A session file (.kairo) is a safetensors file: tensors as usual, and the JSON manifest
// (versions, every lab's config, seeds and results) in the header's __metadata__.kairo.
// Python's `safetensors.safe_open(path)` therefore reads the weights directly.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { readRegularFile } from '../files.ts';
import { checkConsistency, checkTensors } from './check.ts';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { LabId, LabStates, TensorInfo } from '../contract.ts';
import { firstLine, invalid, KairoError } from '../errors.ts';
import { LAB_IDS, LABS, tensorsReferenced as labTensors } from '../labs/index.ts';
import { parseOrThrow } from '../validate.ts';
import { APP_VERSION } from '../version.ts';
import { clipName, decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.ts';

/**
 * 2: every file carries `kairo.sha256`. A file of schema 1 may predate checksums and loads
 * unsigned (and says so); from schema 2 a missing checksum means damage, so one flipped byte in
 * the key's name cannot switch the check off.
 */
export const SESSION_SCHEMA_VERSION = 2;
const FIRST_SIGNED_SCHEMA = 2;
/** The metadata keys Kairo writes; any other `kairo.*` key is damage (e.g. a flipped `kairo.sha256`). */
const KAIRO_KEYS = new Set(['kairo', 'kairo.sha256']);
/** Node reads at most 2 GiB into one buffer, so larger sessions are refused when saved, not when opened. */
export const MAX_SESSION_BYTES = 2 ** 31 - 1;
const FORMAT = 'kairo-session';

export interface SessionDoc {
  labs: LabStates;
  tensors: Record<string, NamedTensor>;
}

/** A loaded file: its document, when it was saved, and whether it carried checksums. */
export interface LoadedSession extends SessionDoc {
  savedAt: string;
  signed: boolean;
}

export function tensorInfos(doc: SessionDoc): Record<string, TensorInfo> {
  const out: Record<string, TensorInfo> = {};
  for (const name of Object.keys(doc.tensors).sort())
    out[name] = { dtype: doc.tensors[name]!.dtype, shape: doc.tensors[name]!.shape };
  return out;
}

/** Validates one lab's state; the message names the field. */
export function parseLab<K extends LabId>(id: K, state: unknown, where = `labs.${id}`): LabStates[K] {
  return parseOrThrow(LABS[id].schema, state, where);
}

/** Every tensor a session's state refers to; a lab adds its references here. */
/** Every session tensor some lab's state refers to (each lab's definition says which). */
export function tensorsReferenced(labs: LabStates): string[] {
  return labTensors(labs);
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (t: NamedTensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/**
 * SHA-256 of the manifest text and of every tensor's bytes, stored as a second metadata string
 * (`kairo.sha256`), so Python's safetensors still reads the file and silent corruption is named
 * on load.
 */
function checksums(manifest: string, tensors: Record<string, NamedTensor>): string {
  return JSON.stringify({
    manifest: sha256(manifest),
    tensors: Object.fromEntries(
      Object.keys(tensors)
        .sort()
        .map((n) => [n, sha256(bytesOf(tensors[n]!))]),
    ),
  });
}

export function encodeSession(doc: SessionDoc, savedAt: string): Uint8Array[] {
  const manifest = {
    format: FORMAT,
    schemaVersion: SESSION_SCHEMA_VERSION,
    appVersion: APP_VERSION,
    savedAt,
    labs: Object.fromEntries(LAB_IDS.map((id) => [id, parseLab(id, doc.labs[id])])),
  };
  const text = JSON.stringify(manifest);
  return encodeSafetensors(doc.tensors, { kairo: text, 'kairo.sha256': checksums(text, doc.tensors) });
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const quote = (v: unknown): string => clipName(JSON.stringify(v) ?? String(v));

/** The stored checksums must be well-formed and match the manifest and every tensor, both ways. */
function verifyChecksums(label: string, manifest: string, tensors: Record<string, NamedTensor>, stored: string): void {
  let c: unknown;
  try {
    c = JSON.parse(stored);
  } catch {
    throw invalid(`${label}: its checksums are not valid JSON (file damaged?)`);
  }
  if (!isRecord(c) || typeof c.manifest !== 'string' || !isRecord(c.tensors))
    throw invalid(`${label}: its checksums are not {manifest, tensors} (file damaged?)`);
  if (c.manifest !== sha256(manifest)) throw invalid(`${label}: the manifest does not match its checksum (file damaged)`);
  const want = c.tensors;
  for (const name of Object.keys(tensors)) {
    if (!Object.hasOwn(want, name)) throw invalid(`${label}: tensor ${quote(name)} has no checksum (file damaged)`);
    if (want[name] !== sha256(bytesOf(tensors[name]!)))
      throw invalid(`${label}: tensor ${quote(name)} does not match its checksum (file damaged)`);
  }
  for (const name of Object.keys(want))
    if (!Object.hasOwn(tensors, name)) throw invalid(`${label}: tensor ${quote(name)} is listed in the checksums but missing`);
}

export function decodeSession(buf: Uint8Array, label: string): LoadedSession {
  const { metadata, tensors } = decodeSafetensors(buf, label);
  if (metadata.kairo === undefined) throw invalid(`${label}: a safetensors file, but not a Kairo session (no kairo manifest)`);
  for (const k of Object.keys(metadata))
    if ((k === 'kairo' || k.startsWith('kairo.')) && !KAIRO_KEYS.has(k))
      throw invalid(`${label}: unknown metadata key ${quote(k)} (file damaged?)`);
  let m: unknown;
  try {
    m = JSON.parse(metadata.kairo);
  } catch {
    throw invalid(`${label}: session manifest is not valid JSON`);
  }
  if (!isRecord(m) || m.format !== FORMAT) throw invalid(`${label}: manifest format is not "${FORMAT}"`);
  const v = m.schemaVersion;
  if (!Number.isInteger(v) || (v as number) < 1) throw invalid(`${label}: manifest schemaVersion is missing or invalid`);
  if ((v as number) > SESSION_SCHEMA_VERSION) {
    throw invalid(
      `${label}: saved by Kairo ${clipName(String(m.appVersion ?? '?'))} with session schema ${v}; this Kairo (${APP_VERSION}) reads up to schema ${SESSION_SCHEMA_VERSION}, please update Kairo`,
    );
  }
  const stored = metadata['kairo.sha256'];
  if (stored !== undefined) verifyChecksums(label, metadata.kairo, tensors, stored);
  else if ((v as number) >= FIRST_SIGNED_SCHEMA)
    throw invalid(`${label}: has no checksums (kairo.sha256), which every file of session schema ${v} carries (file damaged)`);
  const labsIn = m.labs;
  if (!isRecord(labsIn)) throw invalid(`${label}: manifest's labs must be an object of lab states`);
  for (const k of Object.keys(labsIn))
    if (!LAB_IDS.includes(k as LabId)) throw invalid(`${label}: labs.${clipName(k)}: unknown lab`);
  const labs = {} as Record<LabId, unknown>;
  for (const id of LAB_IDS) {
    const raw = labsIn[id];
    // A lab added after the file was written starts at its defaults.
    labs[id] = raw === undefined ? LABS[id].defaults() : parseLab(id, raw, `${label}: labs.${id}`);
  }
  const doc: SessionDoc = { labs: labs as LabStates, tensors };
  for (const name of tensorsReferenced(doc.labs)) {
    if (!Object.hasOwn(tensors, name))
      throw invalid(`${label}: the manifest refers to tensor ${quote(name)}, which the file lacks`);
  }
  checkConsistency(label, doc.labs, tensors);
  checkTensors(label, doc.labs, tensors);
  return { ...doc, savedAt: typeof m.savedAt === 'string' ? m.savedAt : '', signed: stored !== undefined };
}

export function readSession(path: string): LoadedSession {
  const label = basename(path);
  const buf = readRegularFile(path, MAX_SESSION_BYTES);
  try {
    return decodeSession(buf, label);
  } catch (e) {
    // Whatever a damaged file trips over is the file's problem, named with the file.
    if (e instanceof KairoError) throw e;
    throw invalid(`${label}: cannot be read as a Kairo session (${firstLine(e instanceof Error ? e.message : String(e))})`);
  }
}

const TEMP = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes temporary files an interrupted save of `target` left beside it (Kairo's own naming,
 * `.<name>.<pid>.<ms>.tmp`): those whose writer is no longer running, or older than a day.
 * Returns how many were removed.
 */
export function cleanStaleTemps(target: string): number {
  const dir = dirname(target);
  const name = basename(target);
  let removed = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const f of entries) {
    const m = TEMP.exec(f);
    if (!m || m[1] !== name) continue;
    const pid = Number(m[2]);
    const stale = (pid !== process.pid && !alive(pid)) || Date.now() - Number(m[3]) > 86_400_000;
    if (!stale) continue;
    try {
      if (statSync(join(dir, f)).isFile()) {
        rmSync(join(dir, f), { force: true });
        removed++;
      }
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

export interface WriteOptions {
  /** Called after each chunk reaches the temporary file; tests use it to kill a writer mid-save. */
  onChunk?: (written: number) => void;
  /** The size refused at save; MAX_SESSION_BYTES unless a test lowers it. */
  maxBytes?: number;
  now?: () => Date;
}

/**
 * Write to a temporary file beside the target, fsync it, rename over the target, fsync the
 * directory. A crash at any point leaves either the old file or the new one, never a mix.
 */
export function writeSessionAtomic(path: string, doc: SessionDoc, opts: WriteOptions = {}): void {
  const chunks = encodeSession(doc, (opts.now?.() ?? new Date()).toISOString());
  const total = chunks.reduce((s, c) => s + c.length, 0);
  if (total > (opts.maxBytes ?? MAX_SESSION_BYTES)) {
    throw invalid(
      `cannot save ${path}: the session would be ${(total / 2 ** 30).toFixed(2)} GiB; Kairo opens sessions up to 2 GiB (clear recall runs or sweeps to shrink it)`,
    );
  }
  // A missing or unwritable folder is named as such, before a temporary file's name can show up in the error.
  let folder: import('node:fs').Stats | null = null;
  try {
    folder = statSync(dirname(path));
  } catch {
    folder = null;
  }
  if (!folder?.isDirectory()) throw new KairoError('io', `cannot save ${path}: the folder ${dirname(path)} does not exist`);
  cleanStaleTemps(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let written = 0;
    const CHUNK = 1 << 20;
    for (const c of chunks) {
      for (let off = 0; off < c.length; off += CHUNK) {
        const part = c.subarray(off, Math.min(c.length, off + CHUNK));
        let done = 0;
        while (done < part.length) done += writeSync(fd, part, done);
        written += part.length;
        opts.onChunk?.(written);
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    // The reason, not Node's message: that one names the temporary file, which the user never chose.
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : code;
    if (code) throw new KairoError('io', `cannot save ${path}: ${why}`);
    throw e;
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}
