import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { dataPage, dataSummary } from '../../core/labs/data/service.ts';
import { encodeIdx, pairIdx, parseIdx, readIdxPair } from '../../core/data/idx.ts';
import { tempDir } from '../helpers.ts';

const images = (n: number, h = 2, w = 3) =>
  encodeIdx(
    [n, h, w],
    Uint8Array.from({ length: n * h * w }, (_, i) => i % 256),
  );
const labels = (ls: number[]) => encodeIdx([ls.length], Uint8Array.from(ls));

test('a hand-made IDX pair parses to its exact bytes, counts and classes', () => {
  const img = parseIdx(images(4), 'img');
  assert.equal(img.count, 4);
  assert.deepEqual(img.itemShape, [2, 3]);
  assert.deepEqual([...img.data.subarray(0, 7)], [0, 1, 2, 3, 4, 5, 6]);
  const pair = pairIdx(img, parseIdx(labels([0, 2, 2, 1]), 'lab'), 'img', 'lab');
  assert.equal(pair.classes, 3);
  assert.deepEqual(pair.classCounts, [1, 1, 2]);
});

test('gzipped IDX files are read transparently', () => {
  const a = parseIdx(gzipSync(images(3)), 'gz');
  assert.deepEqual([...a.data], [...parseIdx(images(3), 'raw').data]);
});

test('malformed IDX files give precise one-line errors', () => {
  const bad = (buf: Uint8Array, re: RegExp) =>
    assert.throws(
      () => parseIdx(buf, 'f.idx'),
      (e: Error) => re.test(e.message) && !e.message.includes('\n'),
    );
  // The message names the file, never its bytes (issue 13: an error once quoted /etc/shadow's first bytes).
  bad(
    new TextEncoder().encode('{"not": "idx"}'),
    /^f\.idx: not an IDX file \(its first bytes are not the IDX magic number 00 00 08 0N\)$/,
  );
  bad(Uint8Array.from([0, 0, 8]), /only 3 bytes/);
  const floatType = images(1);
  floatType[2] = 0x0d;
  bad(floatType, /element type is float/);
  bad(images(5).subarray(0, 30), /truncated: header says 5×2×3 = 30 bytes of data, file has 14/);
  bad(Uint8Array.from([...images(1), 9, 9]), /2 unexpected bytes after/);
  bad(Uint8Array.from([0, 0, 8, 3, 0, 0]), /truncated inside its header/);
  bad(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), /gzip data is corrupt/);
});

test('pairing checks counts, dimensions and roles', () => {
  const p = (a: Uint8Array, b: Uint8Array) => () => pairIdx(parseIdx(a, 'i'), parseIdx(b, 'l'), 'i', 'l');
  assert.throws(p(images(4), labels([1, 2, 3])), /i holds 4 images but l holds 3 labels/);
  assert.throws(p(labels([1, 2]), labels([1, 2])), /images must have 3 dimensions/);
  assert.throws(p(images(2), images(2)), /labels must have 1 dimension, found 3 \(is this an images file\?\)/);
  assert.throws(p(encodeIdx([0, 2, 2], new Uint8Array()), labels([])), /holds no images/);
});

test('missing files are named', () => {
  const d = tempDir();
  assert.throws(() => readIdxPair(join(d, 'nope'), join(d, 'nope2')), /nope: cannot read \(no such file\)/);
});

test('full MNIST loads with its published per-class counts', () => {
  const s = dataSummary({ source: { kind: 'mnist' } });
  assert.equal(s.train.count, 60000);
  assert.equal(s.test!.count, 10000);
  assert.deepEqual(s.train.shape, [28, 28]);
  // Counts published with the dataset (LeCun et al.), independent of this parser.
  assert.deepEqual(s.train.classCounts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(s.test!.classCounts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

test('a page holds the requested images and honours the class filter', () => {
  const d = tempDir();
  writeFileSync(join(d, 'i'), images(6));
  writeFileSync(join(d, 'l'), labels([3, 1, 3, 0, 3, 1]));
  const source = { kind: 'idx' as const, name: 'tiny', trainImages: join(d, 'i'), trainLabels: join(d, 'l') };
  const page = dataPage({ source, split: 'train', offset: 1, count: 10, classFilter: 3 });
  assert.equal(page.total, 3);
  assert.deepEqual(page.indices, [2, 4]);
  assert.deepEqual(page.labels, [3, 3]);
  const bytes = Buffer.from(page.images.base64, 'base64');
  assert.deepEqual(page.images.shape, [2, 2, 3]);
  assert.deepEqual([...bytes], [12, 13, 14, 15, 16, 17, 24, 25, 26, 27, 28, 29]);
  assert.throws(() => dataPage({ source, split: 'test', offset: 0, count: 10, classFilter: null }), /tiny has no test split/);
  assert.throws(() => dataPage({ source, split: 'train', offset: -1, count: 10, classFilter: null }), /data\.page\.offset/);
});
