// Arrays on their way over the contract (EncodedArray: little-endian bytes, base64) and the
// byte images the views draw.
import type { EncodedArray } from '../contract.ts';

export function encodeU8(shape: number[], bytes: Uint8Array): EncodedArray {
  return { dtype: 'uint8', shape, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

export function encodeF32(shape: number[], data: ArrayLike<number>): EncodedArray {
  const a = data instanceof Float32Array ? data : Float32Array.from(data);
  return { dtype: 'float32', shape, base64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') };
}

export function encodeI32(shape: number[], data: Int32Array): EncodedArray {
  return { dtype: 'int32', shape, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

/** Pixels in [0, 1] (clipped) as bytes. */
export function pixelsToBytes(X: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = Math.round(255 * Math.min(1, Math.max(0, X[i]!)));
  return out;
}
