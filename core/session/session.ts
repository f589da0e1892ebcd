// A session file (.kairo) is a safetensors file: tensors as usual, and the JSON manifest
// (versions, every lab's config, seeds and results) in the header's __metadata__.kairo.
// Python's `safetensors.safe_open(path)` therefore reads the weights directly.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { readRegularFile } from '../files.ts';
import { checkTensors } from './check.ts';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { LabId, LabStates, TensorInfo } from '../contract.ts';
import { invalid, KairoError } from '../errors.ts';
import { LAB_IDS, LABS, tensorsReferenced as labTensors } from '../labs/index.ts';
import { parseOrThrow } from '../validate.ts';
import { APP_VERSION } from '../version.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.ts';

export const SESSION_SCHEMA_VERSION = 1;
/** Node reads at most 2 GiB into one buffer, so larger sessions are refused when saved, not when opened. */
export const MAX_SESSION_BYTES = 2 ** 31 - 1;
const FORMAT = 'kairo-session';

export interface SessionDoc {
  labs: LabStates;
  tensors: Record<string, NamedTensor>;
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

/** Files saved before checksums have none; any other file's checksums must match. */
function verifyChecksums(
  label: string,
  manifest: string,
  tensors: Record<string, NamedTensor>,
  stored: string | undefined,
): void {
  if (stored === undefined) return;
  let c: { manifest?: unknown; tensors?: unknown };
  try {
    c = JSON.parse(stored) as typeof c;
  } catch {
    throw invalid(`${label}: its checksums are not valid JSON (file damaged?)`);
  }
  if (c.manifest !== sha256(manifest)) throw invalid(`${label}: the manifest does not match its checksum (file damaged)`);
  const want = c.tensors && typeof c.tensors === 'object' ? (c.tensors as Record<string, unknown>) : {};
  for (const name of Object.keys(tensors)) {
    if (!Object.hasOwn(want, name)) throw invalid(`${label}: tensor "${name}" has no checksum (file damaged)`);
    if (want[name] !== sha256(bytesOf(tensors[name]!)))
      throw invalid(`${label}: tensor "${name}" does not match its checksum (file damaged)`);
  }
  for (const name of Object.keys(want))
    if (!Object.hasOwn(tensors, name)) throw invalid(`${label}: tensor "${name}" is listed in the checksums but missing`);
}

export function decodeSession(buf: Uint8Array, label: string): SessionDoc & { savedAt: string } {
  const { metadata, tensors } = decodeSafetensors(buf, label);
  if (metadata.kairo === undefined) throw invalid(`${label}: a safetensors file, but not a Kairo session (no kairo manifest)`);
  verifyChecksums(label, metadata.kairo, tensors, metadata['kairo.sha256']);
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(metadata.kairo) as Record<string, unknown>;
  } catch {
    throw invalid(`${label}: session manifest is not valid JSON`);
  }
  if (!m || typeof m !== 'object' || m.format !== FORMAT) throw invalid(`${label}: manifest format is not "${FORMAT}"`);
  const v = m.schemaVersion;
  if (!Number.isInteger(v) || (v as number) < 1) throw invalid(`${label}: manifest schemaVersion is missing or invalid`);
  if ((v as number) > SESSION_SCHEMA_VERSION) {
    throw invalid(
      `${label}: saved by Kairo ${String(m.appVersion ?? '?')} with session schema ${v}; this Kairo (${APP_VERSION}) reads up to schema ${SESSION_SCHEMA_VERSION}, please update Kairo`,
    );
  }
  const labsIn = m.labs;
  if (!labsIn || typeof labsIn !== 'object') throw invalid(`${label}: manifest has no labs object`);
  for (const k of Object.keys(labsIn)) if (!LAB_IDS.includes(k as LabId)) throw invalid(`${label}: labs.${k}: unknown lab`);
  const labs = {} as Record<LabId, unknown>;
  for (const id of LAB_IDS) {
    const raw = (labsIn as Record<string, unknown>)[id];
    // A lab added after the file was written starts at its defaults.
    labs[id] = raw === undefined ? LABS[id].defaults() : parseLab(id, raw, `${label}: labs.${id}`);
  }
  const doc: SessionDoc = { labs: labs as LabStates, tensors };
  for (const name of tensorsReferenced(doc.labs)) {
    if (!Object.hasOwn(tensors, name)) throw invalid(`${label}: the manifest refers to tensor "${name}", which the file lacks`);
  }
  checkTensors(label, doc.labs, tensors);
  return { ...doc, savedAt: typeof m.savedAt === 'string' ? m.savedAt : '' };
}

export function readSession(path: string): SessionDoc & { savedAt: string } {
  return decodeSession(readRegularFile(path, MAX_SESSION_BYTES), basename(path));
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
    if (code) throw new KairoError('io', `cannot save ${path}: ${(e as Error).message.split('\n')[0]}`);
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
