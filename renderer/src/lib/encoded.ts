// EncodedArray (base64 little-endian bytes, see core/contract.ts) back into a typed array.
import type { EncodedArray } from '../../../core/contract';

export function decodeArray(e: EncodedArray): Float32Array | Uint8Array | Int32Array {
  const bytes = Uint8Array.from(atob(e.base64), (c) => c.charCodeAt(0));
  if (e.dtype === 'uint8') return bytes;
  return e.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
}
