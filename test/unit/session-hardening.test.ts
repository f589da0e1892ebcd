// Issue 29, items 3, 4 and 6: a checksum that one damaged byte cannot switch off, and what a
// checksum cannot vouch for (anyone can recompute one) checked against the model: the state and
// the tensors must describe one model. Each case was a file that loaded (or crashed) before.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { defaultHopfieldTrain } from '../../core/labs/hopfield/state.ts';
import { defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { defaultRecall } from '../../core/labs/vae/state.ts';
import { decodeSession, encodeSession, readSession, type LoadedSession } from '../../core/session/session.ts';
import { decodeSafetensors, encodeSafetensors } from '../../core/session/safetensors.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
let vae: LoadedSession;
let hop: LoadedSession;

const run = async (kind: string, params: unknown) => {
  const end = await core.jobs.wait((await core.call('jobs.start', { kind, params } as never)).id);
  assert.equal(end.state, 'done', end.error?.message);
};
const saved = async () => {
  const f = join(tempDir(), 's.kairo');
  await core.call('session.save', { path: f });
  return readSession(f);
};

before(async () => {
  await run('vae.train', { ...defaultVaeTrain(), hidden: [16], latent: 2, epochs: 1, trainSize: 300 });
  await run('vae.recall', { ...defaultRecall(), noise: [0.1], samples: 20, iterations: 2, strips: 2 });
  vae = await saved();
  core.call('session.new', {});
  await run('hopfield.train', { ...defaultHopfieldTrain(), epochs: 2 });
  hop = await saved();
});
after(() => core.shutdown());

const bytes = (cs: Uint8Array[]) => Buffer.concat(cs.map((c) => Buffer.from(c)));
/** Re-encodes an edited document with fresh, valid checksums: only the model checks can refuse it. */
const resigned = (doc: LoadedSession, edit: (d: LoadedSession) => void) => {
  const d = structuredClone(doc);
  edit(d);
  return () => decodeSession(bytes(encodeSession(d, 't')), 'm.kairo');
};

test('state edits that keep valid checksums are refused against the model', () => {
  assert.doesNotThrow(resigned(vae, () => {}));
  assert.doesNotThrow(resigned(hop, () => {}));
  // Hidden layers [16] → [16, 16]: the second layer's weights are nowhere.
  assert.throws(
    resigned(vae, (d) => (d.labs.vae.result!.params.hidden = [16, 16])),
    /^KairoError: m\.kairo: labs\.vae's parameters need tensor "vae\.model\.[^"]+", which its state does not list/,
  );
  // The same recall run twice.
  assert.throws(
    resigned(vae, (d) => d.labs.vae.runs.push(structuredClone(d.labs.vae.runs[0]!))),
    /tensor "vae\.recall\.[^"]+" is referred to twice/,
  );
  assert.throws(
    resigned(vae, (d) => {
      const r = structuredClone(d.labs.vae.runs[0]!);
      r.tensors = { projection: 'vae.x.p', labels: 'vae.x.l', strips: 'vae.x.s' };
      for (const [k, v] of Object.entries(r.tensors)) d.tensors[v] = d.tensors[d.labs.vae.runs[0]!.tensors[k as 'labels']]!;
      d.labs.vae.runs.push(r);
    }),
    /two recall runs have the same id/,
  );
  // A tensor nothing refers to (it would silently vanish at the next save).
  assert.throws(
    resigned(vae, (d) => (d.tensors['vae.stray'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) })),
    /tensor "vae\.stray" is in the file, but nothing in the session refers to it/,
  );
  // One lab's state naming another lab's tensor.
  assert.throws(
    resigned(hop, (d) => {
      d.labs.hopfield.result!.tensors.push('vae.concepts');
      d.tensors['vae.concepts'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    }),
    /labs\.hopfield refers to tensor "vae\.concepts", which is not the hopfield lab's/,
  );
  // An AttnBM relabelled as a GB-RBM: same tensor shapes, other numbers from retrieve.
  assert.throws(
    resigned(hop, (d) => (d.labs.hopfield.result!.params.model = 'gbrbm')),
    /a gbrbm with \d+ hidden units has \d+ components, the file says \d+/,
  );
  // A pattern count far above the stored patterns (it overflowed the stack in the density view).
  assert.throws(
    resigned(hop, (d) => (d.labs.hopfield.result!.patterns = 1e6)),
    /patterns is 1000000, but the file holds \d+ training patterns/,
  );
  // An image shape that does not multiply to the visible units.
  assert.throws(
    resigned(hop, (d) => (d.labs.hopfield.result!.imageShape = [3, 5])),
    /image shape 3×5 does not fit 2 visible units/,
  );
});

/** The file's header as JSON, edited, written back with its data untouched (checksums as they were). */
function editHeader(doc: LoadedSession, edit: (h: Record<string, unknown>, meta: Record<string, string>) => void): Buffer {
  const buf = bytes(encodeSession(doc, 't'));
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  edit(header, header.__metadata__);
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  return Buffer.concat([len, Buffer.from(text), buf.subarray(8 + n)]);
}

test('the checksum cannot be switched off by damaging its key, and its value must be well-formed', () => {
  const load = (b: Buffer) => () => decodeSession(b, 'd.kairo');
  // A flipped bit in the key's name leaves an unknown kairo.* key…
  assert.throws(
    load(
      editHeader(vae, (_h, m) => {
        m['kairo.sha257'] = m['kairo.sha256']!;
        delete m['kairo.sha256'];
      }),
    ),
    /^KairoError: d\.kairo: unknown metadata key "kairo\.sha257" \(file damaged\?\)$/,
  );
  // …or a foreign key and no checksum: a schema-2 file always carries one.
  const unsigned = (schema: number) =>
    editHeader(vae, (_h, m) => {
      m['kaiRo.sha256'] = m['kairo.sha256']!;
      delete m['kairo.sha256'];
      m.kairo = JSON.stringify({ ...JSON.parse(m.kairo!), schemaVersion: schema });
    });
  assert.throws(load(unsigned(2)), /d\.kairo: has no checksums \(kairo\.sha256\), which every file of session schema 2 carries/);
  // A schema-1 file may predate checksums: it loads, and says it is unsigned.
  const old = decodeSession(unsigned(1), 'old.kairo');
  assert.equal(old.signed, false);
  assert.equal(decodeSession(bytes(encodeSession(vae, 't')), 'new.kairo').signed, true);
  for (const v of ['null', '[]', '{"manifest": 3, "tensors": {}}', '{"manifest": "x"}'])
    assert.throws(
      load(editHeader(vae, (_h, m) => (m['kairo.sha256'] = v))),
      /^KairoError: d\.kairo: its checksums are not \{manifest, tensors\} \(file damaged\?\)$/,
      v,
    );
  // The manifest's labs must be an object of lab states, even when its checksum is recomputed.
  for (const labs of [[], 'x', null]) {
    const b = editHeader(vae, (_h, m) => {
      m.kairo = JSON.stringify({ ...JSON.parse(m.kairo!), labs });
      m['kairo.sha256'] = JSON.stringify({
        ...JSON.parse(m['kairo.sha256']!),
        manifest: createHash('sha256').update(m.kairo).digest('hex'),
      });
    });
    assert.throws(load(b), /d\.kairo: manifest's labs must be an object of lab states/);
  }
  // labs = {}: every lab at its defaults, and the model's tensors (and its run's checkpoint copies) orphans.
  const empty = editHeader(vae, (_h, m) => {
    m.kairo = JSON.stringify({ ...JSON.parse(m.kairo!), labs: {} });
    m['kairo.sha256'] = JSON.stringify({
      ...JSON.parse(m['kairo.sha256']!),
      manifest: createHash('sha256').update(m.kairo).digest('hex'),
    });
  });
  assert.throws(load(empty), /tensor "(runs\.r1\.)?vae\.[^"]+" is in the file, but nothing in the session refers to it/);
});

test('safetensors: a byte-order mark before the header and dtype names from Object.prototype are refused', () => {
  const good = bytes(encodeSafetensors({ t: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, {}));
  const n = Number(good.readBigUInt64LE(0));
  const header = good.subarray(8, 8 + n).toString('utf8');
  const withHeader = (text: string) => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
    return Buffer.concat([len, Buffer.from(text), good.subarray(8 + n)]);
  };
  assert.doesNotThrow(() => decodeSafetensors(withHeader(header), 'x'));
  assert.throws(
    () => decodeSafetensors(withHeader(`\ufeff${header.trimEnd()}`), 'x'),
    /x: not a Kairo session \(its header does not start with "\{"\)/,
  );
  for (const dtype of ['toString', '__proto__', 'constructor', 'hasOwnProperty'])
    assert.throws(
      () => decodeSafetensors(withHeader(header.replace('"F32"', JSON.stringify(dtype))), 'x'),
      new RegExp(`x: tensor "t" has unsupported dtype "${dtype}"$`),
    );
});

test('every damaged-file error names the file in one line, never an internal message', () => {
  const f = join(tempDir(), 'n.kairo');
  writeFileSync(
    f,
    editHeader(vae, (_h, m) => (m['kairo.sha256'] = 'null')),
  );
  assert.throws(
    () => readSession(f),
    (e: Error) => /^n\.kairo: /.test(e.message) && !e.message.includes('\n'),
  );
});
