// Seeded mutations of a file's bytes, for the fuzz runs: blind byte damage and structured edits
// of a safetensors header (numbers, dtypes, shapes, offsets, names), so that both the parser and
// the checks behind it are reached.
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
