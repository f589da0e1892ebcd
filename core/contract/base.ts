// What every part of the contract shares: error values, binary payloads, JSON values.
// Imported by core/contract.ts and the labs' contract files; imports nothing.

export type ErrorCode =
  | 'bad_request' // malformed envelope, unknown method, wrong parameter types
  | 'invalid_input' // well-formed request whose content is unusable (bad file, nonsense value)
  | 'not_found'
  | 'exists' // the file asked to be written exists: overwrite only when the user says so
  | 'io'
  | 'cancelled'
  | 'crashed'
  | 'unauthorized'
  | 'diverged' // a job's numbers went NaN or infinite: the message says what, and at which step
  | 'internal';

export interface KairoErrorValue {
  code: ErrorCode;
  /** One line, readable by a person, naming the first problem found. */
  message: string;
}

// ---------- binary payloads ----------

export interface EncodedArray {
  dtype: 'uint8' | 'float32' | 'int32';
  shape: number[];
  /** Little-endian bytes, base64. */
  base64: string;
}

/** Any value JSON can hold. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };
