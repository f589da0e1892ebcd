import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeSafetensors, encodeSafetensors } from '../../core/session/safetensors.ts';
import {
  decodeSession,
  encodeSession,
  readSession,
  SESSION_SCHEMA_VERSION,
  writeSessionAtomic,
  type SessionDoc,
} from '../../core/session/session.ts';
import { defaultLabs } from '../../core/labs/index.ts';
import { SessionService } from '../../core/session/service.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));

function sampleDoc(): SessionDoc {
  const labs = defaultLabs();
  labs.data.split = 'test';
  labs.data.offset = 300;
  labs.data.classFilter = 7;
  labs.data.baseline = {
    params: {
      source: { kind: 'mnist' },
      epochs: 2,
      batchSize: 64,
      learningRate: 0.1,
      trainSize: 1000,
      seed: 42,
      trackEvery: 0,
      trackTrace: false,
      warmStart: false,
    },
    curve: [{ step: 1, epoch: 0.1, loss: 2.302585092994046, accuracy: 0.109375 }],
    testAccuracy: 0.9123,
    testLoss: 0.31,
    stepsDone: 1,
    partial: true,
    tensors: ['data.baseline.W', 'data.baseline.b'],
    sharpness: null,
  };
  return {
    labs,
    tensors: {
      'data.baseline.W': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, Math.PI, -0]) },
      'data.baseline.b': { dtype: 'F32', shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) },
    },
  };
}

test('save → load → save gives identical bytes apart from the timestamp', () => {
  const at = '2026-01-02T03:04:05.000Z';
  const first = concat(encodeSession(sampleDoc(), at));
  const loaded = decodeSession(first, 's.kairo');
  assert.equal(loaded.savedAt, at);
  const second = concat(encodeSession(loaded, at));
  assert.ok(first.equals(second));
  assert.deepEqual(loaded.labs, sampleDoc().labs);
  assert.ok(Object.is(loaded.tensors['data.baseline.W']!.data[5], -0));
  // Every dtype a lab writes survives the file exactly (the session checks refuse tensors no lab refers to, so
  // the layout itself is checked here).
  const all = {
    counts: { dtype: 'I32' as const, shape: [2], data: Int32Array.from([-5, 2 ** 30]) },
    raw: { dtype: 'U8' as const, shape: [3], data: Uint8Array.from([0, 128, 255]) },
    exact: { dtype: 'F64' as const, shape: [1], data: Float64Array.from([1 / 3]) },
  };
  const back = decodeSafetensors(concat(encodeSafetensors(all, {})), 't').tensors;
  for (const [k, t] of Object.entries(all)) assert.deepEqual([...back[k]!.data], [...t.data], k);
});

test('the file follows the safetensors layout, checked by an independent Python reader', () => {
  const d = tempDir();
  const path = join(d, 'x.kairo');
  writeSessionAtomic(path, sampleDoc());
  const script = `
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
meta = json.loads(h['__metadata__']['kairo'])
e = h['data.baseline.W']
lo, hi = e['data_offsets']
w = struct.unpack('<6f', b[8 + n + lo: 8 + n + hi])
print(json.dumps({'aligned': (8 + n) % 8 == 0, 'dtype': e['dtype'], 'shape': e['shape'], 'w': w, 'schema': meta['schemaVersion'], 'split': meta['labs']['data']['split']}))
`;
  const out = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }));
  assert.deepEqual(out, {
    aligned: true,
    dtype: 'F32',
    shape: [2, 3],
    w: [1, -2, 3.5, Math.fround(1e-30), Math.fround(Math.PI), -0],
    schema: SESSION_SCHEMA_VERSION,
    split: 'test',
  });
});

test('loading names the first problem precisely', () => {
  const good = concat(encodeSession(sampleDoc(), 'now'));
  const fails = (buf: Uint8Array, re: RegExp) =>
    assert.throws(
      () => decodeSession(buf, 'f.kairo'),
      (e: Error) => re.test(e.message) && !e.message.includes('\n'),
    );
  fails(new Uint8Array(3), /not a Kairo session \(file is 3 bytes\)/);
  fails(good.subarray(0, good.length - 4), /truncated: tensor "raw"|unexpected|truncated/);
  fails(good.subarray(0, 100), /header length \d+ exceeds the file/);
  const garbled = Buffer.from(good);
  garbled[8] = 0x78; // the header's opening brace
  fails(garbled, /header does not start with "\{"/);
  const broken = Buffer.from(good);
  broken[9] = 0x78; // inside the header
  fails(broken, /header is not valid JSON/);
  fails(concat(encodeSafetensors({}, { other: 'x' })), /not a Kairo session \(no kairo manifest\)/);
  const withManifest = (m: unknown) => concat(encodeSafetensors({}, { kairo: JSON.stringify(m) }));
  // Schema 1: from before checksums, so these unsigned manifests reach the checks that follow.
  const base = { ...JSON.parse(decodeSafetensors(good, 'g').metadata.kairo!), schemaVersion: 1 };
  fails(
    withManifest({ ...base, schemaVersion: SESSION_SCHEMA_VERSION + 1, appVersion: '9.0.0' }),
    new RegExp(
      `saved by Kairo 9\\.0\\.0 with session schema ${SESSION_SCHEMA_VERSION + 1}; this Kairo .* reads up to schema ${SESSION_SCHEMA_VERSION}, please update Kairo`,
    ),
  );
  fails(withManifest({ ...base, format: 'other' }), /manifest format is not "kairo-session"/);
  fails(
    withManifest({ ...base, labs: { ...base.labs, data: { ...base.labs.data, split: 'validation' } } }),
    /labs\.data\.split: Invalid enum value/,
  );
  fails(withManifest({ ...base, labs: { ...base.labs, data: { ...base.labs.data, offset: -3 } } }), /labs\.data\.offset/);
  fails(withManifest({ ...base, labs: { ...base.labs, nonsense: {} } }), /labs\.nonsense: unknown lab/);
  fails(withManifest(base), /refers to tensor "data\.baseline\.W", which the file lacks/);
  // Tensor bookkeeping: overlapping spans and wrong byte counts.
  const header = (h: object, data: number) => {
    const json = Buffer.from(JSON.stringify({ __metadata__: { kairo: JSON.stringify({ ...base, labs: {} }) }, ...h }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([len, json, Buffer.alloc(data)]);
  };
  fails(
    header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
    /overlaps another/,
  );
  fails(header({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /span 8 bytes, shape needs 12/);
  fails(header({ a: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, 2), /unsupported dtype "BF16"/);
});

test('a lab missing from an older file starts at its defaults', () => {
  const base = JSON.parse(
    decodeSafetensors(concat(encodeSession({ labs: defaultLabs(), tensors: {} }, 't')), 'g').metadata.kairo!,
  );
  const doc = decodeSession(
    concat(encodeSafetensors({}, { kairo: JSON.stringify({ ...base, schemaVersion: 1, labs: {} }) })),
    'old.kairo',
  );
  assert.deepEqual(doc.labs, defaultLabs());
});

test('a writer killed mid-save leaves the previous file intact', async () => {
  const d = tempDir();
  const path = join(d, 'keep.kairo');
  writeSessionAtomic(path, sampleDoc());
  const before = readFileSync(path);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/killed-writer.ts', path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('writing') && resolve());
    child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
  assert.ok(
    readdirSync(d).some((f) => f.endsWith('.tmp')),
    'the writer was inside its temporary file',
  );
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.ok(readFileSync(path).equals(before));
  assert.deepEqual(readSession(path).labs, sampleDoc().labs);
});

test('the session service changes nothing when a file fails to open', () => {
  const d = tempDir();
  const svc = new SessionService();
  svc.update('data', { ...defaultLabs().data, offset: 500 });
  writeFileSync(join(d, 'bad.kairo'), 'garbage that is long enough to have a header');
  assert.throws(() => svc.open(join(d, 'bad.kairo')), /bad\.kairo: not a Kairo session/);
  assert.equal(svc.view().labs.data.offset, 500);
  assert.equal(svc.view().dirty, true);
  assert.throws(
    () => svc.update('data', { ...defaultLabs().data, baselineDraft: { ...defaultLabs().data.baselineDraft, epochs: 0 } }),
    /labs\.data\.baselineDraft\.epochs: Number must be greater than or equal to 1/,
  );
  assert.equal(svc.view().labs.data.offset, 500);
});

test('saving adds the file to the recent list, newest first, without duplicates', async () => {
  const d = tempDir();
  const { readRecent } = await import('../../core/session/recent.ts');
  const svc = new SessionService(() => {}, true);
  svc.save(join(d, 'a'));
  svc.save(join(d, 'b.kairo'));
  svc.open(join(d, 'a.kairo'));
  assert.deepEqual(readRecent().slice(0, 2), [join(d, 'a.kairo'), join(d, 'b.kairo')]);
  assert.equal(svc.view().path, join(d, 'a.kairo'));
  assert.equal(svc.view().dirty, false);
});

test('a session saved before the Fisher statistics were renamed to camelCase opens, migrated, and saves back in the new names', () => {
  // test/fixtures/sessions/fisher-snake-case.kairo was written by commit 02bd47b (m_lambda, lambda_max, theory_lambda_max).
  const old = readSession('test/fixtures/sessions/fisher-snake-case.kairo');
  const sp = old.labs.fisher.spectrum!;
  assert.deepEqual(sp.stats, { P: 450, mLambda: 0.2123654685516624, sLambda: 4.57492703796659, lambdaMax: 36.65022310347975 });
  assert.deepEqual(sp.comparison![0], {
    norm: 'none',
    lambdaMax: 36.65022310347975,
    mLambda: 0.2123654685516624,
    theoryLambdaMax: 18.89026748777377,
  });
  assert.equal(typeof sp.theory!.lambdaMax, 'number');
  const pts = old.labs.fisher.sweep!.points;
  assert.deepEqual(Object.keys(pts[0]!.sd).sort(), ['lambdaMax', 'mLambda', 'sLambda']);
  assert.ok(pts[0]!.mean.lambdaMax > 0);
  const s = new SessionService();
  s.open('test/fixtures/sessions/fisher-snake-case.kairo');
  const file = join(tempDir(), 'migrated.kairo');
  s.save(file);
  const text = readFileSync(file).toString('latin1');
  assert.ok(!/m_lambda|lambda_max/.test(text) && /lambdaMax/.test(text), 'saved with the new names');
  assert.deepEqual(readSession(file).labs.fisher, old.labs.fisher);
});

test('saving into a missing folder names the folder, never the temporary file', () => {
  const d = tempDir();
  const target = join(d, 'missing', 'x.kairo');
  assert.throws(
    () => writeSessionAtomic(target, { labs: defaultLabs(), tensors: {} }),
    (e: Error) =>
      e.message === `cannot save ${target}: the folder ${join(d, 'missing')} does not exist` && !e.message.includes('.tmp'),
  );
  // A file where the folder should be is no folder either.
  writeFileSync(join(d, 'file'), 'x');
  assert.throws(
    () => writeSessionAtomic(join(d, 'file', 'x.kairo'), { labs: defaultLabs(), tensors: {} }),
    /the folder .*file does not exist/,
  );
});
