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

/** λ_max of the loss Hessian recorded during a training run (core/contract/params.ts SHARPNESS_FIELDS). */
export interface SharpnessCurve {
  /** Steps at which it was measured (0 is before the first step) and the values. */
  steps: number[];
  lambdaMax: number[];
  /** Hutchinson's trace at the same steps, when asked. */
  trace: number[] | null;
  /** 2/η: gradient descent on a quadratic with curvature above it diverges. */
  twoOverLr: number;
  /** The images the Hessian averages over. */
  samples: number;
  /** Seconds spent measuring, and training: the tracking's cost. */
  seconds: number;
  trainSeconds: number;
}
