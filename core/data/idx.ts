// IDX reader (the MNIST file format: big-endian header, then raw bytes). Every check names the
// file and the first problem found, because users point Kairo at files they downloaded by hand.
import { basename } from 'node:path';
import { constants as zlib, gunzipSync } from 'node:zlib';
import { invalid } from '../errors.ts';
import { maxFileBytes, peekRegularFile, readRegularFile } from '../files.ts';

export interface IdxArray {
  /** Dimensions after the item count, e.g. [28, 28] for images, [] for labels. */
  itemShape: number[];
  count: number;
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/** The most classes an IDX labels file may declare through its largest label (EMNIST has 62). */
export const MAX_IDX_CLASSES = 100;

/**
 * Inflates a gzipped IDX file no further than its own header declares: the header is read from
 * a partial inflation of the first bytes, and the whole inflation stops one byte past the
 * declared size (a 1 MiB file used to inflate to 1 GiB before it was refused).
 */
function gunzipIdx(raw: Uint8Array, label: string): Uint8Array {
  let head: Uint8Array;
  try {
    head = gunzipSync(raw.subarray(0, Math.min(raw.length, 4096)), { finishFlush: zlib.Z_SYNC_FLUSH });
  } catch (e) {
    throw invalid(`${label}: gzip data is corrupt (${(e as Error).message.split('\n')[0]})`);
  }
  let declared = maxFileBytes();
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[3]! >= 1 && head[3]! <= 4 && head.length >= 4 + 4 * head[3]!) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let n = 4 + 4 * head[3]!;
    let data = 1;
    for (let i = 0; i < head[3]!; i++) data *= view.getUint32(4 + 4 * i, false);
    n += data;
    if (n > declared)
      throw invalid(
        `${label}: its header declares ${(n / 2 ** 20).toFixed(0)} MB of data; the limit is ${(declared / 2 ** 20).toFixed(0)} MB (KAIRO_MAX_FILE_MB)`,
      );
    declared = n;
  }
  try {
    return gunzipSync(raw, { maxOutputLength: declared + 1 });
  } catch (e) {
    if (e instanceof RangeError) throw invalid(`${label}: inflates to more than the ${declared} bytes its header declares`);
    throw invalid(`${label}: gzip data is corrupt (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Parses an IDX buffer (optionally gzipped). `label` names the file in messages. */
export function parseIdx(raw: Uint8Array, label: string): IdxArray {
  let buf = raw;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipIdx(buf, label);
  if (buf.length < 4) throw invalid(`${label}: not an IDX file (only ${buf.length} bytes)`);
  // The message never quotes the file's bytes: the path may be anything the user (or a session) named.
  if (buf[0] !== 0 || buf[1] !== 0)
    throw invalid(`${label}: not an IDX file (its first bytes are not the IDX magic number 00 00 08 0N)`);
  const type = buf[2]!;
  const ndims = buf[3]!;
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16)}`;
    throw invalid(`${label}: IDX element type is ${name}; Kairo reads unsigned-byte IDX files`);
  }
  if (ndims < 1 || ndims > 4) throw invalid(`${label}: IDX file has ${ndims} dimensions; expected 1 to 4`);
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) throw invalid(`${label}: file is truncated inside its header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = buf.length - headerBytes;
  if (actual < expected) {
    throw invalid(`${label}: file is truncated: header says ${dims.join('×')} = ${expected} bytes of data, file has ${actual}`);
  }
  if (actual > expected) {
    throw invalid(`${label}: file has ${actual - expected} unexpected bytes after the ${dims.join('×')} data`);
  }
  return { count: dims[0]!, itemShape: dims.slice(1), data: buf.subarray(headerBytes) };
}

/**
 * What can be told of an IDX file from its header alone, without reading it: a regular file within
 * the size limit, gzip or the unsigned-byte IDX magic, and (uncompressed) a size that matches the
 * dimensions it declares. The full checks run where the file is read, in a job's worker.
 */
export async function peekIdxFile(path: string): Promise<number[] | null> {
  const label = basename(path);
  const { head, size } = await peekRegularFile(path, 20);
  // A gzipped file's header is inside the stream: the full read checks it.
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return null;
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0)
    throw invalid(`${label}: not an IDX file (its first bytes are not the IDX magic number 00 00 08 0N)`);
  if (head[2] !== 0x08) throw invalid(`${label}: IDX element type is not unsigned byte; Kairo reads unsigned-byte IDX files`);
  const ndims = head[3]!;
  if (ndims < 1 || ndims > 4) throw invalid(`${label}: IDX file has ${ndims} dimensions; expected 1 to 4`);
  if (head.length < 4 + 4 * ndims) throw invalid(`${label}: file is truncated inside its header`);
  const dims = Array.from({ length: ndims }, (_, i) => head.readUInt32BE(4 + 4 * i));
  const data = dims.reduce((a, b) => a * b, 1);
  if (size !== 4 + 4 * ndims + data)
    throw invalid(`${label}: its header declares ${data} bytes of data, the file has ${size - 4 - 4 * ndims}`);
  return dims;
}

export function readIdxFile(path: string): IdxArray {
  return parseIdx(readRegularFile(path), basename(path));
}

export interface LabelledImages {
  count: number;
  /** [h, w] */
  shape: number[];
  images: Uint8Array;
  labels: Uint8Array;
  classes: number;
  classCounts: number[];
}

/** Pairs an images file with a labels file and checks that they describe the same items. */
export function pairIdx(images: IdxArray, labels: IdxArray, imagesLabel: string, labelsLabel: string): LabelledImages {
  if (images.itemShape.length !== 2) {
    throw invalid(`${imagesLabel}: images must have 3 dimensions (count×height×width), found ${images.itemShape.length + 1}`);
  }
  const [h, w] = images.itemShape as [number, number];
  if (h < 1 || w < 1 || h > 1024 || w > 1024) throw invalid(`${imagesLabel}: image size ${h}×${w} is outside 1..1024`);
  if (images.count === 0) throw invalid(`${imagesLabel}: the file holds no images`);
  if (labels.itemShape.length !== 0) {
    throw invalid(`${labelsLabel}: labels must have 1 dimension, found ${labels.itemShape.length + 1} (is this an images file?)`);
  }
  if (labels.count !== images.count) {
    throw invalid(`${imagesLabel} holds ${images.count} images but ${labelsLabel} holds ${labels.count} labels`);
  }
  let max = 0;
  let at = 0;
  labels.data.forEach((l, i) => {
    if (l > max) ((max = l), (at = i));
  });
  if (max >= MAX_IDX_CLASSES)
    throw invalid(`${labelsLabel}: label ${max} at item ${at}; Kairo reads class labels 0–${MAX_IDX_CLASSES - 1}`);
  const classes = max + 1;
  const classCounts = new Array<number>(classes).fill(0);
  for (const l of labels.data) classCounts[l]!++;
  return { count: images.count, shape: [h, w], images: images.data, labels: labels.data, classes, classCounts };
}

export function readIdxPair(imagesPath: string, labelsPath: string): LabelledImages {
  return pairIdx(readIdxFile(imagesPath), readIdxFile(labelsPath), basename(imagesPath), basename(labelsPath));
}

/** Writes an uncompressed unsigned-byte IDX buffer: used by tests and by users exporting subsets. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
