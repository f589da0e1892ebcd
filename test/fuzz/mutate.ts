// Seeded mutations of a file's bytes, for the fuzz runs: blind byte damage and structured edits
// of a safetensors header (numbers, dtypes, shapes, offsets, names), so that both the parser and
// the checks behind it are reached.
import { createHash } from 'node:crypto';
import { mulberry32 } from '../../models/common/rng.ts';

export type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

/** Blind damage anywhere in the file. */
export function mutateBytes(buf: Buffer, r: Rand): Buffer {
  const b = Buffer.from(buf);
  switch (int(r, 7)) {
    case 0: // flip bits
      for (let k = 1 + int(r, 8); k > 0; k--) b[int(r, b.length)]! ^= 1 << int(r, 8);
      return b;
    case 1: // set bytes to extremes
      for (let k = 1 + int(r, 4); k > 0; k--) b[int(r, b.length)] = pick(r, [0, 0xff, 0x7f, 0x80]);
      return b;
    case 2: // truncate
      return b.subarray(0, int(r, b.length));
    case 3: // append junk
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + int(r, 64) }, () => int(r, 256)))]);
    case 4: {
      // duplicate a slice somewhere else
      const a = int(r, b.length);
      const len = Math.min(b.length - a, 1 + int(r, 256));
      const at = int(r, b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(a, a + len), b.subarray(at)]);
    }
    case 5: {
      // zero a run
      const a = int(r, b.length);
      b.fill(0, a, Math.min(b.length, a + 1 + int(r, 512)));
      return b;
    }
    default: {
      // rewrite a length-like 4- or 8-byte field near the start
      const at = int(r, Math.min(b.length, 32));
      if (at + 4 <= b.length) b.writeUInt32BE(pick(r, [0, 1, 0xffffffff, 0x7fffffff, 60000, int(r, 1 << 30)]), at);
      return b;
    }
  }
}

/** Structured damage to a safetensors file's JSON header (the data section left as it is). */
export function mutateSafetensorsHeader(buf: Buffer, r: Rand): Buffer {
  const n = Number(buf.readBigUInt64LE(0));
  let text = buf.subarray(8, 8 + n).toString('utf8');
  const data = buf.subarray(8 + n);
  const edits: (() => void)[] = [
    () =>
      (text = text.replace(/\d+/g, (m) =>
        r() < 0.05 ? String(pick(r, [0, -1, 1e9, 2 ** 53, Number(m) + 1, Number(m) * 2])) : m,
      )),
    () =>
      (text = text.replace(/"(F32|F64|I32|U8)"/g, (m) =>
        r() < 0.3 ? `"${pick(r, ['F32', 'F64', 'I32', 'U8', 'BF16', 'F16', 'I64', 'BOOL'])}"` : m,
      )),
    () =>
      (text = text.replace(/"shape":\[([\d,]*)\]/g, (m, s: string) =>
        r() < 0.3 ? `"shape":[${s.split(',').reverse().join(',')}]` : m,
      )),
    () =>
      (text = text.replace(/"(vae|data|fisher)\.[\w.-]+"/g, (m) =>
        r() < 0.1 ? pick(r, ['"__proto__"', '"constructor"', '"toString"', '"x"', '""']) : m,
      )),
    () =>
      (text = text.replace(/(true|false|null)/g, (m) =>
        r() < 0.2 ? pick(r, ['true', 'false', 'null', '0', '"x"', '[]', '{}']) : m,
      )),
    () =>
      (text = text.replace(/NaN|"mean"|"test"|"bernoulli"|"mlp"/g, (m) =>
        r() < 0.3 ? pick(r, ['"NaN"', '1e999', '"sample"', '"train"', '"gaussian"', '"conv"', '-1']) : m,
      )),
    () => (text = text.slice(0, int(r, text.length)) + text.slice(int(r, text.length))),
  ];
  for (let k = 1 + int(r, 3); k > 0; k--) pick(r, edits)();
  const head = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(r() < 0.9 ? head.length : int(r, head.length * 2 + 16)));
  return Buffer.concat([len, head, data]);
}

export { mulberry32 };

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Damage a checksum cannot catch, because it is recomputed (anyone can): edits to the manifest's
 * labs that change what the model is, and damage to the checksum's key. `mustRefuse` says the
 * edit makes the state and tensors disagree, so loading it is a failure; other edits (a number in
 * a curve) may load, and must then load exactly what the file says.
 */
export function mutateSemantic(buf: Buffer, r: Rand): { buf: Buffer; mustRefuse: boolean; what: string } {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const meta = header.__metadata__ as Record<string, string>;
  const m = JSON.parse(meta.kairo!) as { labs: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  const vae = m.labs.vae as { result: Record<string, unknown> & { params: Record<string, unknown> }; runs: unknown[] };
  let resign = true;
  const edits: [string, boolean, () => void][] = [
    ['labs = {}', true, () => (m.labs = {})],
    ['labs = []', true, () => ((m as Record<string, unknown>).labs = [])],
    ['a second hidden layer', true, () => (vae.result.params.hidden = [...(vae.result.params.hidden as number[]), 16])],
    ['another latent size', true, () => (vae.result.params.latent = (vae.result.params.latent as number) + 1)],
    ['a duplicated recall run', true, () => vae.runs.push(structuredClone(vae.runs[0]))],
    ['no recall runs', true, () => (vae.runs = [])],
    ['another image shape', true, () => (vae.result.imageShape = [14, 56])],
    ['a tensor dropped from the list', true, () => (vae.result.tensors as string[]).pop()],
    [
      'the checksum key damaged',
      true,
      () => {
        const k = pick(r, ['kairo.sha257', 'kairo.sha25', 'kaiRo.sha256', 'kairo.SHA256', 'xkairo.sha256']);
        meta[k] = meta['kairo.sha256']!;
        delete meta['kairo.sha256'];
        resign = false;
      },
    ],
    ['a curve value changed', false, () => ((vae.result.steps as { loss: number }[])[0]!.loss += 1)],
  ];
  const [what, mustRefuse, edit] = pick(r, edits);
  edit();
  meta.kairo = JSON.stringify(m);
  if (resign && meta['kairo.sha256']) {
    const c = JSON.parse(meta['kairo.sha256']) as Record<string, unknown>;
    c.manifest = createHash('sha256').update(meta.kairo).digest('hex');
    meta['kairo.sha256'] = JSON.stringify(c);
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  return { buf: Buffer.concat([len, Buffer.from(text), buf.subarray(8 + n)]), mustRefuse, what };
}

/** A sweep file: huge grids, malformed sections and values, or a manifest of a folder damaged. */
export function mutateSweep(r: Rand): { spec: unknown; manifest: unknown; what: string; good: unknown } {
  const good = { command: ['fisher', 'theory'], fixed: { samples: 10 }, grid: { width: [100, 200], depth: [2, 3] } };
  const big = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
  const cases: [string, () => unknown][] = [
    ['a 1000³ grid', () => ({ command: ['fisher', 'theory'], grid: { width: big(1000), samples: big(1000), seed: big(1000) } })],
    [
      'a grid × random count over the cap',
      () => ({ ...good, random: { count: 100000, seed: 1, params: { outputs: { min: 1, max: 3 } } } }),
    ],
    ['grid values not a list', () => ({ ...good, grid: { width: pick(r, [5, 'x', {}, null, []]) } })],
    ['a command that is not a pair', () => ({ ...good, command: pick(r, ['x', ['fisher'], [1, 2], null, {}]) })],
    ['an unknown flag', () => ({ ...good, grid: { widht: [1] } })],
    ['a value of the wrong type', () => ({ ...good, fixed: { samples: pick(r, [NaN, null, {}, [1, 'a'], '--x', true]) } })],
    ['zip lists of unequal lengths', () => ({ ...good, zip: { 'sigma-w2': [1, 2], 'sigma-b2': [0] } })],
    ['not an object', () => pick(r, [null, 3, 'x', [], [good]])],
    ['a prototype key', () => JSON.parse('{"command":["fisher","theory"],"grid":{"__proto__":[1]}}')],
    ['the good spec', () => good],
  ];
  const [what, make] = pick(r, cases);
  const spec = make();
  const count = int(r, 6);
  const manifest = pick(r, [
    { format: 'kairo-sweep', spec, count: 4, hashes: ['a', 'b', 'c', 'd'] },
    { format: 'kairo-sweep', spec: good, count, hashes: Array.from({ length: count }, () => 'x') },
    { format: 'kairo-sweep', spec: good, count: 'x', hashes: 3 },
    { format: 'kairo-sweep', spec: { command: 'x' }, count: 0, hashes: [] },
    { format: 'other' },
    [],
  ]);
  return { spec, manifest, what, good };
}
