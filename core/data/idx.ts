// IDX reader (the MNIST file format: big-endian header, then raw bytes). Every check names the
// file and the first problem found, because users point Kairo at files they downloaded by hand.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { invalid } from '../errors.ts';

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

/** Parses an IDX buffer (optionally gzipped). `label` names the file in messages. */
export function parseIdx(raw: Uint8Array, label: string): IdxArray {
  let buf = raw;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw invalid(`${label}: gzip data is corrupt (${(e as Error).message})`);
    }
  }
  if (buf.length < 4) throw invalid(`${label}: not an IDX file (only ${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    const hex = Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw invalid(`${label}: not an IDX file (magic bytes ${hex}, expected 00 00 08 0N)`);
  }
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
    throw invalid(
      `${label}: file is truncated: header says ${dims.join('×')} = ${expected} bytes of data, file has ${actual}`,
    );
  }
  if (actual > expected) {
    throw invalid(`${label}: file has ${actual - expected} unexpected bytes after the ${dims.join('×')} data`);
  }
  return { count: dims[0]!, itemShape: dims.slice(1), data: buf.subarray(headerBytes) };
}

export function readIdxFile(path: string): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw invalid(`${path}: cannot read (${why})`);
  }
  return parseIdx(raw, basename(path));
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
  for (const l of labels.data) if (l > max) max = l;
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
