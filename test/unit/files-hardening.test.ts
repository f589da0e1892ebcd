// Files from outside (issue 13): only regular files are read, within limits; gzip inflates no
// further than its header declares; labels stay sane; sessions carry checksums that name silent
// corruption; killed saves leave no temporary files behind after the next start.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Core } from '../../core/core.ts';
import { encodeIdx, readIdxFile, readIdxPair } from '../../core/data/idx.ts';
import { readRegularFile } from '../../core/files.ts';
import { defaultLabs } from '../../core/labs/index.ts';
import { cleanStaleTemps, readSession, writeSessionAtomic } from '../../core/session/session.ts';
import { tempDir } from '../helpers.ts';

test('special files are refused at once with what they are; size limits are named', () => {
  const d = tempDir();
  const fifo = join(d, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const t0 = Date.now();
  assert.throws(() => readRegularFile(fifo), /pipe: cannot read \(a named pipe \(FIFO\); Kairo reads regular files only\)/);
  assert.throws(() => readIdxFile('/dev/zero'), /\/dev\/zero: cannot read \(a character device/);
  assert.throws(() => readIdxFile(d), /cannot read \((a directory|is a directory)/);
  assert.ok(Date.now() - t0 < 2000, 'no blocking on the FIFO');
  const big = join(d, 'big.idx');
  writeFileSync(big, Buffer.alloc(3 * 1024 * 1024));
  assert.throws(
    () => readRegularFile(big, 2 * 1024 * 1024),
    /big\.idx: cannot read \(3 MB; the limit is 2 MB, set KAIRO_MAX_FILE_MB/,
  );
});

test('a gzip bomb inflates no further than its IDX header declares', () => {
  const d = tempDir();
  // Header: 10 items of 4×4 (160 data bytes), followed by 64 MiB of zeros that compress to ~64 KiB.
  const lying = Buffer.concat([Buffer.from(encodeIdx([10, 4, 4], new Uint8Array(160))), Buffer.alloc(64 * 1024 * 1024)]);
  const f = join(d, 'bomb.gz');
  writeFileSync(f, gzipSync(lying));
  const before = process.memoryUsage().rss;
  assert.throws(() => readIdxFile(f), /bomb\.gz: inflates to more than the 176 bytes its header declares/);
  assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'did not inflate the whole stream');
  // A header that declares more than the limit is refused before inflating.
  const huge = Buffer.from(encodeIdx([60000, 1000, 1000], new Uint8Array(0)));
  writeFileSync(f, gzipSync(huge));
  assert.throws(() => readIdxFile(f), /its header declares \d+ MB of data; the limit is/);
  // An honest gzipped file still reads.
  writeFileSync(f, gzipSync(Buffer.from(encodeIdx([2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)))));
  assert.deepEqual([...readIdxFile(f).data], [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('an IDX label beyond a sane class count is refused, naming it and where it is', () => {
  const d = tempDir();
  writeFileSync(join(d, 'i'), encodeIdx([3, 2, 2], new Uint8Array(12)));
  writeFileSync(join(d, 'l'), encodeIdx([3], Uint8Array.of(1, 255, 2)));
  assert.throws(
    () => readIdxPair(join(d, 'i'), join(d, 'l')),
    /^Error: l: label 255 at item 1; Kairo reads class labels 0–99$|l: label 255 at item 1; Kairo reads class labels 0–99/,
  );
});

const doc = () => ({
  labs: defaultLabs(),
  tensors: { 'x.y': { dtype: 'F32' as const, shape: [4], data: Float32Array.of(1, 2, 3, 4) } },
});

test('checksums name a silently corrupted tensor or manifest; Python-readable metadata is kept', () => {
  const d = tempDir();
  const f = join(d, 's.kairo');
  writeSessionAtomic(f, doc());
  const buf = readFileSync(f);
  const hlen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + hlen).toString());
  assert.equal(typeof header.__metadata__['kairo.sha256'], 'string');
  // Flip one bit in the tensor data: the file still parses, but the checksum names the tensor.
  const bad = Buffer.from(buf);
  bad[8 + hlen + 5]! ^= 0x10;
  writeFileSync(f, bad);
  assert.throws(() => readSession(f), /s\.kairo: tensor "x\.y" does not match its checksum \(file damaged\)/);
  // Change a digit inside the manifest (same length): the manifest checksum catches it.
  const text = buf.subarray(8, 8 + hlen).toString();
  const i = text.indexOf('\\"offset\\":0');
  assert.ok(i > 0);
  const m = Buffer.from(buf);
  m.write('5', 8 + Buffer.byteLength(text.slice(0, i + '\\"offset\\":'.length)), 'utf8');
  writeFileSync(f, m);
  assert.throws(() => readSession(f), /the manifest does not match its checksum/);
});

test('a session too large to reopen is refused at save; a header over 100 MiB says so', () => {
  const d = tempDir();
  assert.throws(
    () => writeSessionAtomic(join(d, 'big.kairo'), doc(), { maxBytes: 1000 }),
    /the session would be 0\.00 GiB; Kairo opens sessions up to 2 GiB/,
  );
  assert.deepEqual(readdirSync(d), []);
  const f = join(d, 'h.kairo');
  const b = Buffer.alloc(200 * 1024 * 1024 + 8);
  b.writeBigUInt64LE(BigInt(150 * 1024 * 1024), 0);
  writeFileSync(f, b);
  assert.throws(() => readSession(f), /h\.kairo: its header is 150 MiB; Kairo reads session headers up to 100 MiB/);
});

test('saves killed midway: the previous file loads, and the next start removes every temporary file', async () => {
  const d = tempDir();
  const path = join(d, 'keep.kairo');
  process.env.KAIRO_HOME = tempDir();
  const core = new Core({ platform: { carrier: 'web' } });
  await core.call('session.save', { path });
  await core.shutdown();
  const before = readFileSync(path);
  for (let k = 0; k < 4; k++) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/killed-writer.ts', path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => b.toString().includes('writing') && resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
  }
  // Each save first removes what its killed predecessor left: one temporary file remains.
  assert.equal(readdirSync(d).filter((f) => f.endsWith('.tmp')).length, 1);
  assert.ok(readFileSync(path).equals(before));
  // The next start (a core, reading the recent list) removes them; the file still opens.
  const next = new Core({ platform: { carrier: 'web' } });
  assert.deepEqual(
    readdirSync(d).filter((f) => f.endsWith('.tmp')),
    [],
  );
  await next.call('session.open', { path });
  await next.shutdown();
  // A temp file of a writer that is still alive is left alone.
  writeFileSync(join(d, `.keep.kairo.${process.pid}.${Date.now()}.tmp`), 'x');
  assert.equal(cleanStaleTemps(path), 0);
});

test('names from outside named like Object.prototype members are ordinary names, or unknown', async () => {
  const { decodeSafetensors, encodeSafetensors } = await import('../../core/session/safetensors.ts');
  const { decodeSession } = await import('../../core/session/session.ts');
  const concat = (cs: Uint8Array[]) => Buffer.concat(cs.map((c) => Buffer.from(c)));
  // A tensor called __proto__ is a tensor, not a prototype (JSON.parse makes it an own key).
  const json = Buffer.from('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const dec = decodeSafetensors(Buffer.concat([len, json, Buffer.of(7)]), 'p');
  assert.ok(Object.hasOwn(dec.tensors, '__proto__'), 'kept as an own entry');
  assert.deepEqual([...dec.tensors['__proto__']!.data], [7]);
  // A manifest that refers to a tensor named toString, which the file lacks, is refused.
  const labs = defaultLabs();
  labs.data.baseline = {
    params: {
      source: { kind: 'mnist' },
      epochs: 1,
      batchSize: 8,
      learningRate: 0.1,
      trainSize: 10,
      seed: 1,
      trackEvery: 0,
      trackTrace: false,
      warmStart: false,
    },
    curve: [],
    testAccuracy: null,
    testLoss: null,
    stepsDone: 0,
    partial: true,
    tensors: ['toString'],
    sharpness: null,
  };
  assert.throws(
    () =>
      decodeSession(
        concat(
          encodeSafetensors(
            {},
            { kairo: JSON.stringify({ format: 'kairo-session', schemaVersion: 1, appVersion: 'x', savedAt: '', labs }) },
          ),
        ),
        'r.kairo',
      ),
    /refers to tensor "toString", which the file lacks/,
  );
  // Job kinds and session tensors named after prototype members are unknown.
  process.env.KAIRO_HOME = tempDir();
  const core = new Core({ platform: { carrier: 'web' } });
  for (const kind of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    await assert.rejects(core.call('jobs.start', { kind, params: {} } as never), /unknown job kind/);
  }
  assert.deepEqual(core.jobs.list(), []);
  for (const name of ['constructor', '__proto__', 'toString'])
    await assert.rejects(core.call('session.tensor', { name }), /this session has no tensor/);
  await core.shutdown();
});

test('loaded tensors are checked against the lab: NaN weights, a dtype swap, a transposed matrix, a manifest that disagrees', async () => {
  const { decodeSession, encodeSession } = await import('../../core/session/session.ts');
  const { defaultVaeTrain } = await import('../../core/labs/vae/state.ts');
  process.env.KAIRO_HOME = tempDir();
  const core = new Core({ platform: { carrier: 'web' } });
  const job = await core.call('jobs.start', {
    kind: 'vae.train',
    params: { ...defaultVaeTrain(), hidden: [16], latent: 3, epochs: 1, trainSize: 300 },
  });
  assert.equal((await core.jobs.wait(job.id)).state, 'done');
  const f = join(tempDir(), 'v.kairo');
  await core.call('session.save', { path: f });
  await core.shutdown();
  const good = decodeSession(readFileSync(f), 'v.kairo');
  const concat = (cs: Uint8Array[]) => Buffer.concat(cs.map((c) => Buffer.from(c)));
  const reload = (mutate: (d: typeof good) => void) => {
    const d = structuredClone(good);
    mutate(d);
    return () => decodeSession(concat(encodeSession(d, 't')), 'm.kairo');
  };
  assert.doesNotThrow(reload(() => {}));
  assert.throws(
    reload((d) => ((d.tensors['vae.model.enc.0.W']!.data as Float32Array)[5] = NaN)),
    /m\.kairo: tensor "vae\.model\.enc\.0\.W" holds NaN at index 5/,
  );
  assert.throws(
    reload((d) => {
      const t = d.tensors['vae.concepts']!;
      d.tensors['vae.concepts'] = { dtype: 'I32', shape: t.shape, data: new Int32Array(t.data.buffer.slice(0)) };
    }),
    /tensor "vae\.concepts" is I32; Kairo writes it as F32/,
  );
  assert.throws(
    reload((d) => {
      const t = d.tensors['vae.model.enc.0.W']!;
      d.tensors['vae.model.enc.0.W'] = { ...t, shape: [...t.shape].reverse() };
    }),
    /tensor "vae\.model\.enc\.0\.W" has shape 16×784; this session's vae lab needs 784×16/,
  );
  assert.throws(
    reload((d) => (d.labs.vae.result!.params.latent = 4)),
    /tensor "vae\.axes" has shape 3×3; this session's vae lab needs 3×4/,
  );
});
