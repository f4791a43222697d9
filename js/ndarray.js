// NDArray: a JS handle on one reference to a C tensor, and copying data in and out.
// Operators are added to NDArray.prototype by ops.js.
import { WasmgradError, invalid, show } from './errors.js';
import { wg, requireInit } from './loader.js';
import { putInts, readInts, lastError, throwLastError, checkStatus, track, release } from './memory.js';
import { runBackward } from './autograd.js';

export const DTYPES = ['float32', 'float64', 'int32']; // wg_dtype order
const CTORS = [Float32Array, Float64Array, Int32Array];
export const INT32_MAX = 2147483647;
const MAX_DIMS = 8; // WG_MAX_DIMS in wasmgrad.h
const READ_BLOCK = 16384; // WG_READ_BLOCK in wasmgrad.h: elements per wg_tensor_read_block

// toTypedArray's copy. In Node, a large one is allocated without zeroing it first (every element
// is written right after): Buffer.allocUnsafeSlow makes a plain ArrayBuffer of exactly that
// size, and skipping the zeroing takes a 4 MB copy from 0.47 to 0.31 ms (measured). Browsers
// have no such allocation.
const NodeBuffer = typeof globalThis.Buffer?.allocUnsafeSlow === 'function' ? globalThis.Buffer : null;
const UNZEROED_MIN_BYTES = 65536;

function uninitializedArray(Ctor, size) {
  const bytes = size * Ctor.BYTES_PER_ELEMENT;
  if (NodeBuffer === null || bytes < UNZEROED_MIN_BYTES) return new Ctor(size);
  const memory = NodeBuffer.allocUnsafeSlow(bytes);
  return new Ctor(memory.buffer, memory.byteOffset, size);
}

/** The C code of a dtype name; undefined gives `fallback`. */
export function dtypeCode(where, dtype, fallback = 0) {
  if (dtype === undefined) return fallback;
  const code = DTYPES.indexOf(dtype);
  if (code < 0) invalid(where, `unknown dtype ${show(dtype)}; use 'float32', 'float64' or 'int32'`);
  return code;
}

/** A shape: a number or an array of sizes (non-negative integers, or -1 where allowed). */
export function parseShape(where, shape, { what = 'shape', allowMinusOne = false } = {}) {
  const list = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(list)) invalid(where, `${what} must be a number or an array of numbers, got ${show(shape)}`);
  list.forEach((size, i) => {
    const ok = Number.isInteger(size) && size <= INT32_MAX && (size >= 0 || (allowMinusOne && size === -1));
    if (!ok) {
      const name = list === shape ? `${what}[${i}]` : what;
      invalid(where, `${name} is ${show(size)}; sizes must be non-negative integers${allowMinusOne ? ' (or one -1)' : ''}`);
    }
  });
  return list.slice();
}

/** Axes: undefined/null (all axes) → null, a number or an array of integers → an array. */
export function parseAxes(where, axis, what = 'axis') {
  if (axis === undefined || axis === null) return null;
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list) || !list.every(Number.isInteger)) {
    invalid(where, `${what} must be an integer or an array of integers, got ${show(axis)}`);
  }
  return list;
}

/** An integer option (e.g. an axis), with its default. */
export function intOption(where, value, what, fallback) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || Math.abs(value) > INT32_MAX) invalid(where, `${what} must be an integer, got ${show(value)}`);
  return value;
}

/** An options argument: undefined or a plain object. */
export function options(where, opts) {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts) || ArrayBuffer.isView(opts) || opts instanceof NDArray) {
    invalid(where, `options must be an object ({ name: value, ... }), got ${show(opts)}`);
  }
  return opts;
}

const INTERNAL = Symbol('wasmgrad.internal');
// Every copy of the library (js/, the dist bundle, a second import) marks its NDArrays with
// this registered symbol, so that an array of another instance gets a precise error.
const BRAND = Symbol.for('wasmgrad.NDArray');
let handleField; // reads NDArray's private #handle, set in its static block
let isOwn; // whether a value really is an NDArray of this instance (not just its prototype)

export class NDArray {
  #handle; // 0 once disposed
  #dtype;
  #shape;
  #size;
  #grad = null; // the last wrapper returned by .grad

  constructor(token, handle) {
    if (token !== INTERNAL) invalid('new NDArray', 'make arrays with nd.array(data), nd.zeros(shape) or another nd function');
    this.#handle = handle;
    this.#dtype = wg.wg_tensor_dtype(handle);
    this.#shape = readInts(wg.wg_tensor_shape(handle), wg.wg_tensor_ndim(handle));
    this.#size = this.#shape.reduce((a, b) => a * b, 1);
    track(this, handle);
  }

  static {
    handleField = (x) => x.#handle;
    isOwn = (x) => #handle in x;
  }

  get [BRAND]() {
    return true;
  }

  get shape() {
    return this.#shape.slice();
  }

  get dtype() {
    return DTYPES[this.#dtype];
  }

  get size() {
    return this.#size;
  }

  get ndim() {
    return this.#shape.length;
  }

  get isDisposed() {
    return this.#handle === 0;
  }

  /** The gradient of a variable after backward, or null. The same wrapper until it changes. */
  get grad() {
    const g = wg.wg_grad_of(handleOf(this, 'NDArray.grad')) >>> 0;
    if (g === 0) {
      if (wg.wg_status() !== 0) throwLastError('NDArray.grad');
      return null;
    }
    const cached = this.#grad;
    if (cached !== null && cached.#handle === g) {
      wg.wg_release(g); // the cached wrapper already owns a reference to it
      return cached;
    }
    // The previous wrapper stays valid (the user may hold it); tidy or finalization frees it.
    return (this.#grad = wrap(g, 'NDArray.grad'));
  }

  dispose() {
    if (this.#handle === 0) return;
    release(this, this.#handle);
    this.#handle = 0;
    this.#grad = null;
  }

  /** Makes this array a variable: backward fills `.grad`. */
  attachGrad(opts) {
    const { gradReq = 'write' } = options('NDArray.attachGrad', opts);
    const req = ['write', 'add'].indexOf(gradReq);
    if (req < 0) invalid('NDArray.attachGrad', `gradReq must be 'write' or 'add', got ${show(gradReq)}`);
    checkStatus(wg.wg_attach_grad(handleOf(this, 'NDArray.attachGrad'), req), 'NDArray.attachGrad');
    return this;
  }

  /** backward(headGrad?, opts?); headGrad may be left out: backward({ retainGraph: true }). */
  backward(headGrad, opts) {
    const where = 'NDArray.backward';
    if (headGrad !== undefined && headGrad !== null && !(headGrad instanceof NDArray) && opts === undefined) {
      return runBackward(where, this, options(where, headGrad));
    }
    return runBackward(where, this, { ...options(where, opts), headGrads: headGrad ?? undefined });
  }

  detach() {
    return wrap(wg.wg_detach(handleOf(this, 'NDArray.detach')), 'NDArray.detach');
  }

  astype(dtype) {
    return astypeAs('NDArray.astype', this, dtype);
  }

  /** A flat copy: Float32Array, Float64Array or Int32Array. */
  toTypedArray() {
    const handle = handleOf(this, 'NDArray.toTypedArray');
    const Ctor = CTORS[this.#dtype];
    if (this.#size === 0) return new Ctor(0);
    // new + set copies twice as fast as slice() on a view of wasm memory (V8, measured)
    const copy = uninitializedArray(Ctor, this.#size);
    if (this.#size > READ_BLOCK && wg.wg_tensor_deferred(handle)) {
      // a deferred elementwise result (src/fusion.c) is computed a block at a time and copied
      // from cache, never written out whole to be read back
      for (let first = 0; first < this.#size; first += READ_BLOCK) {
        const count = Math.min(READ_BLOCK, this.#size - first);
        copy.set(new Ctor(wg.memory.buffer, wg.wg_tensor_read_block(handle, first, count) >>> 0, count), first);
      }
    } else {
      copy.set(new Ctor(wg.memory.buffer, wg.wg_tensor_data(handle) >>> 0, this.#size));
    }
    return copy;
  }

  /** Nested JS arrays; a number for a 0-d array. */
  toArray() {
    handleOf(this, 'NDArray.toArray');
    return nest(this.toTypedArray(), this.#shape);
  }

  item() {
    handleOf(this, 'NDArray.item');
    if (this.#size !== 1) invalid('NDArray.item', `needs an array of one element, this one has shape [${this.#shape}]; use toArray()`);
    return this.toTypedArray()[0];
  }

  toString() {
    if (this.#handle === 0) return '<NDArray disposed>';
    const summary = `<NDArray ${this.#shape.join('x') || 'scalar'} ${this.dtype}>`;
    if (this.#size > 1000) return summary;
    const float32 = this.#dtype === 0;
    return `${format(this.toArray(), 0, float32)}\n${summary}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }
}

/** Wraps a new reference returned by C; 0 means the call failed. */
export function wrap(handle, where) {
  if (handle === 0) throwLastError(where);
  return new NDArray(INTERNAL, handle >>> 0);
}

/** x.astype(dtype), reporting errors as `where` (nd.astype shares it). */
export function astypeAs(where, x, dtype) {
  const code = dtypeCode(where, dtype, -1);
  if (code < 0) invalid(where, "expects a dtype: 'float32', 'float64' or 'int32'");
  return wrap(wg.wg_astype(handleOf(x, where, 'x'), code), where);
}

/** Throws the INVALID_ARGUMENT for a value `x` given where an NDArray of this instance belongs. */
function notAnArray(where, what, x) {
  refuseForeign(where, what, x);
  invalid(where, `${what} must be an NDArray, got ${show(x)}; make one with nd.array(...)`);
}

/** Throws if `x` is an NDArray of another instance, or an object with NDArray's prototype only. */
export function refuseForeign(where, what, x) {
  if (x?.[BRAND] === true && !(x instanceof NDArray)) {
    invalid(where, `${what} is an NDArray of another instance of wasmgrad (another copy of the library, or a ` +
      'Worker\'s); arrays cannot move between instances: copy it with nd.array(x.toTypedArray(), { shape: x.shape, dtype: x.dtype })');
  }
  if (x instanceof NDArray) {
    invalid(where, `${what} is an object with NDArray's prototype but no array behind it; make arrays with nd.array(...)`);
  }
}

/** The handle of an NDArray argument, with the errors a user needs to see. */
export function handleOf(x, where, what = 'the array') {
  if (!(x instanceof NDArray) || !isOwn(x)) {
    requireInit(where); // no NDArray exists before init: say that first
    notAnArray(where, what, x);
  }
  const handle = handleField(x);
  if (handle === 0) throw new WasmgradError('DISPOSED', `${where}: ${what} was disposed (dispose() or nd.tidy); keep it by returning it from the tidy function`);
  return handle;
}

/** A list argument: one NDArray or an array of them (for heads, variables, concat). */
export function handleList(where, xs, what) {
  const list = Array.isArray(xs) ? xs : [xs];
  return list.map((x, i) => handleOf(x, where, Array.isArray(xs) ? `${what}[${i}]` : what));
}

// ---- data in -------------------------------------------------------------------------

/**
 * A new C tensor (one reference, not wrapped) holding `data`: a number, a boolean,
 * nested arrays of numbers, a typed array or an NDArray.
 */
export function arrayHandle(where, data, opts) {
  const { dtype, shape } = options(where, opts);
  if (data instanceof NDArray) return copyHandle(where, data, dtype, shape);
  const { flat, dims, code } = flatten(where, data, dtype);
  let outShape = dims;
  if (shape !== undefined) {
    outShape = parseShape(where, shape);
    const size = outShape.reduce((a, b) => a * b, 1);
    if (size !== flat.length) {
      throw new WasmgradError('SHAPE_MISMATCH', `${where}: shape [${outShape}] holds ${size} elements but the data has ${flat.length}`);
    }
  }
  const handle = wg.wg_empty(code, outShape.length, ...putInts(where, outShape)) >>> 0;
  if (handle === 0) throwLastError(where);
  if (flat.length > 0) new CTORS[code](wg.memory.buffer, wg.wg_tensor_data(handle) >>> 0, flat.length).set(flat);
  return handle;
}

function copyHandle(where, x, dtype, shape) {
  const code = dtype === undefined ? undefined : dtypeCode(where, dtype);
  const dims = shape === undefined ? undefined : parseShape(where, shape);
  let handle = wg.wg_detach(handleOf(x, where, 'data'));
  if (handle === 0) throwLastError(where);
  // Each step makes a new reference from the previous one, which is then released.
  const step = (next) => {
    const error = next === 0 ? lastError(where) : null;
    wg.wg_release(handle);
    if (error) throw error;
    handle = next;
  };
  if (code !== undefined) step(wg.wg_astype(handle, code));
  if (dims !== undefined) step(wg.wg_reshape(handle, dims.length, ...putInts(where, dims)));
  return handle >>> 0;
}

function flatten(where, data, dtype) {
  if (typeof data === 'number' || typeof data === 'boolean') {
    const code = dtypeCode(where, dtype);
    return { flat: new CTORS[code]([Number(data)]), dims: [], code };
  }
  if (isTyped(data)) {
    checkAttached(where, data);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      invalid(where, 'BigInt typed arrays are not supported; convert to Float64Array or Int32Array');
    }
    const natural = CTORS.findIndex((Ctor) => data instanceof Ctor);
    const code = dtypeCode(where, dtype, Math.max(natural, 0));
    return { flat: data instanceof CTORS[code] ? data : new CTORS[code](data), dims: [data.length], code };
  }
  if (!Array.isArray(data)) {
    if (data?.[BRAND] === true) notAnArray(where, 'data', data);
    invalid(where, `data must be a number, nested arrays of numbers or a typed array, got ${show(data)}`);
  }
  // Rows may be arrays or typed arrays: [[1, 2], [3, 4]] or [Float32Array, Float32Array].
  const isRow = (v) => Array.isArray(v) || isTyped(v);
  const dims = [];
  for (let level = data; isRow(level); level = level[0]) {
    if (!Array.isArray(level)) checkAttached(where, level);
    // an array that contains itself would nest forever (and crash V8), deep nesting overflow the stack
    if (dims.length === MAX_DIMS) invalid(where, `data is nested more than ${MAX_DIMS} deep (or contains itself); wasmgrad arrays have at most ${MAX_DIMS} dimensions`);
    dims.push(level.length);
    if (level.length === 0) break;
  }
  const code = dtypeCode(where, dtype);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count * CTORS[code].BYTES_PER_ELEMENT > INT32_MAX) { // as C's limit; a typed array this big threw a RangeError
    throw new WasmgradError('OUT_OF_MEMORY', `${where}: data of shape [${dims}] needs ${count * CTORS[code].BYTES_PER_ELEMENT} bytes as ${DTYPES[code]}, more than wasm memory can hold`);
  }
  const flat = new CTORS[code](count);
  let next = 0;
  const fill = (value, depth, path) => {
    if (depth === dims.length) {
      if (typeof value !== 'number' && typeof value !== 'boolean') {
        invalid(where, `element ${path} is ${show(value)}; data must hold only numbers (a nested array deeper than its siblings is ragged)`);
      }
      flat[next++] = Number(value);
    } else if (!isRow(value) || (!Array.isArray(value) && checkAttached(where, value)) || value.length !== dims[depth]) {
      const got = isRow(value) ? `an array of length ${value.length}` : show(value);
      invalid(where, `ragged data: element ${path} is ${got} where an array of ${dims[depth]} was expected; every row must have the same length`);
    } else {
      for (let i = 0; i < value.length; i++) fill(value[i], depth + 1, `${path}[${i}]`);
    }
  };
  fill(data, 0, '');
  return { flat, dims, code };
}

function isTyped(value) {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/**
 * A typed array whose buffer was transferred (postMessage, structuredClone) reads as empty:
 * refuse it instead of making an empty array. Only an empty view can be detached; making a
 * view on a detached buffer throws. Returns false (for use inside conditions).
 */
function checkAttached(where, typed) {
  if (typed.byteLength > 0 || typed.buffer instanceof SharedArrayBuffer) return false;
  try {
    new Uint8Array(typed.buffer);
  } catch {
    invalid(where, `the ${typed.constructor.name}'s buffer is detached (it was transferred, e.g. by postMessage); pass the data before transferring it, or a copy`);
  }
  return false;
}

// ---- data out ------------------------------------------------------------------------

function nest(flat, shape) {
  if (shape.length === 0) return flat[0];
  // stride: elements per entry of dimension `dim`
  const build = (dim, start, stride) => {
    const n = shape[dim];
    if (dim === shape.length - 1) return Array.from(flat.subarray(start, start + n));
    const inner = stride / n;
    return Array.from({ length: n }, (_, i) => build(dim + 1, start + i * inner, inner));
  };
  return build(0, 0, flat.length);
}

function format(value, indent, float32) {
  if (typeof value === 'number') return float32 ? String(Number(value.toPrecision(7))) : String(value);
  if (value.every((v) => typeof v === 'number')) return `[${value.map((v) => format(v, 0, float32)).join(', ')}]`;
  return `[${value.map((v) => format(v, indent + 1, float32)).join(`,\n${' '.repeat(indent + 1)}`)}]`;
}
