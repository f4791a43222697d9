// WasmgradError: the one error type of the library (API.md "Errors").

/** C status codes (wasmgrad.h wg_status_code) by number; 0 is WG_OK. */
const C_CODES = [null, 'INVALID_ARGUMENT', 'SHAPE_MISMATCH', 'DTYPE_MISMATCH', 'GRAPH_FREED',
  'NOT_RECORDED', 'NOT_DIFFERENTIABLE', 'OUT_OF_MEMORY'];

export class WasmgradError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'WasmgradError';
    this.code = code;
  }
}

/** The code name of a C status number. */
export function codeOfStatus(status) {
  return C_CODES[status] ?? 'INVALID_ARGUMENT';
}

/** The C status number of a code name; codes that C does not have become INVALID_ARGUMENT. */
export function statusOfCode(code) {
  const status = C_CODES.indexOf(code);
  return status > 0 ? status : 1;
}

/** Throws INVALID_ARGUMENT; `where` is the public function name, e.g. 'nd.array'. */
export function invalid(where, message) {
  throw new WasmgradError('INVALID_ARGUMENT', `${where}: ${message}`);
}

/** A short, readable rendering of a user value for error messages. */
export function show(value, depth = 0) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  if (Array.isArray(value)) {
    // bounded depth: an array may contain itself
    if (value.length > 8 || depth > 2) return `an array of length ${value.length}`;
    return `[${value.map((v) => show(v, depth + 1)).join(', ')}]`;
  }
  if (value && typeof value === 'object') {
    const name = value.constructor?.name ?? 'Object';
    return `${/^([AEIO]|ND)/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return String(value);
}
