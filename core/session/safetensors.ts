// The safetensors layout (8-byte little-endian header length, JSON header, raw little-endian
// data), written deterministically so that equal content gives equal bytes, and read with
// every offset checked so that a damaged file is named, not half-loaded.
import type { TensorInfo } from '../contract.ts';
import { invalid } from '../errors.ts';
import { dict } from '../own.ts';

export type TensorData = Float32Array | Float64Array | Uint8Array | Int32Array;

export interface NamedTensor {
  dtype: TensorInfo['dtype'];
  shape: number[];
  data: TensorData;
}

/** A Map, so a dtype named "toString" or "__proto__" is simply not one of them. */
const BYTES: ReadonlyMap<string, number> = new Map<TensorInfo['dtype'], number>([
  ['F32', 4],
  ['F64', 8],
  ['U8', 1],
  ['I32', 4],
]);
const MAX_HEADER = 100 * 1024 * 1024;

/** A name from a file, as an error quotes it: long names are cut (errors stay one short line). */
export const clipName = (name: string): string => (name.length > 80 ? `${name.slice(0, 77)}…` : name);

export function dtypeOf(data: TensorData): TensorInfo['dtype'] {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  return 'U8';
}

function byteView(d: TensorData): Uint8Array {
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Returns the file as a list of chunks, so a writer can stream it without one giant copy. */
export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string>): Uint8Array[] {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw invalid(`tensor ${name}: shape ${t.shape.join('×')} does not match ${t.data.length} values`);
    const bytes = n * BYTES.get(t.dtype)!;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
  const raw = new TextEncoder().encode(json);
  const pad = (8 - (raw.length % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  return [prefix, headerBytes, ...names.map((n) => byteView(tensors[n]!.data))];
}

export interface DecodedSafetensors {
  metadata: Record<string, string>;
  tensors: Record<string, NamedTensor>;
}

export function decodeSafetensors(buf: Uint8Array, label: string): DecodedSafetensors {
  if (buf.length < 8) throw invalid(`${label}: not a Kairo session (file is ${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(buf.length - 8))
    throw invalid(`${label}: not a Kairo session, or truncated (header length ${n} exceeds the file)`);
  if (n > BigInt(MAX_HEADER))
    throw invalid(
      `${label}: its header is ${(Number(n) / 2 ** 20).toFixed(0)} MiB; Kairo reads session headers up to ${MAX_HEADER / 2 ** 20} MiB`,
    );
  const headerLen = Number(n);
  // The header is a JSON object from its first byte, as the reference implementation requires (a
  // byte-order mark or leading space there is damage, not formatting).
  if (buf[8] !== 0x7b) throw invalid(`${label}: not a Kairo session (its header does not start with "{")`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf.subarray(8, 8 + headerLen)));
  } catch {
    throw invalid(`${label}: session header is not valid JSON (file damaged?)`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw invalid(`${label}: session header is not an object`);
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  // Null-prototype records: a tensor or key named __proto__ is an ordinary entry here.
  const metadata = dict<string>();
  const tensors = dict<NamedTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!entry || typeof entry !== 'object') throw invalid(`${label}: __metadata__ is not an object`);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw invalid(`${label}: __metadata__.${clipName(k)} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `${label}: tensor "${clipName(name)}"`;
    const size = typeof e?.dtype === 'string' ? BYTES.get(e.dtype) : undefined;
    if (size === undefined) throw invalid(`${where} has unsupported dtype ${JSON.stringify(e?.dtype)?.slice(0, 40)}`);
    const dtype = e.dtype as TensorInfo['dtype'];
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw invalid(`${where} has an invalid shape`);
    const shape = e.shape as number[];
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) {
      throw invalid(`${where} has invalid data_offsets`);
    }
    const [begin, end] = offs as [number, number];
    const bytes = shape.reduce((a, b) => a * b, 1) * size;
    if (end - begin !== bytes) throw invalid(`${where}: data_offsets span ${end - begin} bytes, shape needs ${bytes}`);
    if (end > dataLen)
      throw invalid(`${label}: truncated: tensor "${clipName(name)}" ends at byte ${end} of ${dataLen} data bytes`);
    spans.push([begin, end, name]);
    // Copy into fresh memory: typed arrays need alignment, and a Node Buffer's slice() is a view.
    const copy = new Uint8Array(end - begin);
    copy.set(buf.subarray(dataStart + begin, dataStart + end));
    const data =
      dtype === 'F32'
        ? new Float32Array(copy.buffer)
        : dtype === 'F64'
          ? new Float64Array(copy.buffer)
          : dtype === 'I32'
            ? new Int32Array(copy.buffer)
            : copy;
    tensors[name] = { dtype, shape, data };
  }
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor)
      throw invalid(`${label}: tensor "${clipName(name)}" ${begin < cursor ? 'overlaps another' : 'leaves a gap before it'}`);
    cursor = end;
  }
  if (cursor !== dataLen) throw invalid(`${label}: ${dataLen - cursor} unexpected bytes after the last tensor`);
  return { metadata, tensors };
}
