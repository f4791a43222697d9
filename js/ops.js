// Operators: each is one C call, one error check, one handle wrap.
// Elementwise, comparison and reduction operators are generated at init from the wasm's
// operator table (ops.def); the others have their own C entry points and are written here.
import { invalid, show } from './errors.js';
import { wg } from './loader.js';
import { putInts, readCString, lastError } from './memory.js';
import { NDArray, INT32_MAX, astypeAs, refuseForeign, wrap, handleOf, handleList, arrayHandle, dtypeCode, parseShape, parseAxes, intOption, options } from './ndarray.js';

const INT32_MIN = -2147483648;

// ---- helpers ---------------------------------------------------------------------------

/** A JS number operand. */
function scalar(where, value, what) {
  if (typeof value !== 'number') {
    refuseForeign(where, what, value);
    invalid(where, `${what} must be an NDArray or a number, got ${show(value)}`);
  }
  return value;
}

/**
 * Calls C with temporary handles made from JS values and releases them afterwards:
 * body(temp) registers each one with temp(handle) and returns the C call's result.
 */
function withTemps(where, body) {
  const temps = [];
  const temp = (handle) => (temps.push(handle), handle);
  let handle = 0;
  let error = null;
  try {
    handle = body(temp);
    if (handle === 0) error = lastError(where); // read before wg_release clears it
  } finally {
    for (const t of temps) wg.wg_release(t);
  }
  if (error) throw error;
  return wrap(handle, where);
}

/** int32 indices or labels: an NDArray, or JS integers made into a temporary int32 tensor. */
function withIndices(where, value, what, call) {
  if (value instanceof NDArray) return wrap(call(handleOf(value, where, what)), where);
  const integers = (v, depth = 0) => (Array.isArray(v) ? depth < 8 && v.every((e) => integers(e, depth + 1)) : Number.isInteger(v));
  if (!integers(value)) {
    refuseForeign(where, what, value);
    invalid(where, `${what} must be an int32 NDArray or (nested arrays of) integers, got ${show(value)}`);
  }
  return withTemps(where, (temp) => call(temp(arrayHandle(where, value, { dtype: 'int32' }))));
}

/** Writes the axes (null: all, as naxes = -1) and calls C with (naxes, ptr). */
function withAxes(where, axis, call) {
  const axes = parseAxes(where, axis);
  const [ptr] = putInts(where, axes ?? []);
  return call(axes ? axes.length : -1, ptr);
}

/** Reduction arguments: (x, { axis, keepdims }) or positional (x, axis, keepdims). */
function reduceArgs(where, axisOrOpts, keepdims) {
  const isOpts = axisOrOpts !== null && typeof axisOrOpts === 'object' && !Array.isArray(axisOrOpts);
  const opts = isOpts ? options(where, axisOrOpts) : { axis: axisOrOpts, keepdims };
  if (opts.keepdims !== undefined && typeof opts.keepdims !== 'boolean') {
    invalid(where, `keepdims must be true or false, got ${show(opts.keepdims)}`);
  }
  return opts;
}

function reduction(where, call) {
  return (x, axisOrOpts, keepdims) => {
    const opts = reduceArgs(where, axisOrOpts, keepdims);
    const h = handleOf(x, where);
    return wrap(withAxes(where, opts.axis, (n, ptr) => call(h, n, ptr, opts.keepdims ? 1 : 0, opts)), where);
  };
}

/** A list of sizes given as one array or as separate numbers: reshape(x, [2, 3]) or reshape(x, 2, 3). */
function listArg(args) {
  return args.length === 1 && (Array.isArray(args[0]) || args[0] === undefined || args[0] === null) ? args[0] : args;
}

// ---- generated from the operator table ---------------------------------------------------

const CLASS_UNARY = 0;
const CLASS_BINARY = 1;
const CLASS_COMPARE = 2;
const CLASS_REDUCE = 3;

/** Short method names of API.md: x.sub(y) is x.subtract(y). */
const METHOD_ALIASES = { sub: 'subtract', mul: 'multiply', div: 'divide', pow: 'power', neg: 'negative' };

function binary(op, where) {
  return (a, b) => {
    if (a instanceof NDArray && b instanceof NDArray) return wrap(wg.wg_binary(op, handleOf(a, where, 'a'), handleOf(b, where, 'b')), where);
    if (a instanceof NDArray) return wrap(wg.wg_binary_scalar(op, handleOf(a, where, 'a'), scalar(where, b, 'b'), 0), where);
    if (b instanceof NDArray) return wrap(wg.wg_binary_scalar(op, handleOf(b, where, 'b'), scalar(where, a, 'a'), 1), where);
    // Two numbers: a 0-d float32 array for a.
    const s = scalar(where, b, 'b');
    return withTemps(where, (temp) => wg.wg_binary_scalar(op, temp(arrayHandle(where, scalar(where, a, 'a'))), s, 0));
  };
}

const MAKERS = {
  [CLASS_UNARY]: (op, where) => (x) => wrap(wg.wg_unary(op, handleOf(x, where, 'x')), where),
  [CLASS_BINARY]: binary,
  [CLASS_COMPARE]: binary,
  [CLASS_REDUCE]: (op, where) => reduction(where, (h, n, ptr, keep) => wg.wg_reduce(op, h, n, ptr, keep)),
};

/** Adds nd.<name> and NDArray.prototype.<name> for every public operator of the C table. */
export function installOperators(nd) {
  const count = wg.wg_op_count();
  for (let op = 0; op < count; op++) {
    const name = readCString(wg.wg_op_name(op));
    const make = MAKERS[wg.wg_op_class(op)];
    if (name.startsWith('_') || !make) continue; // internal, or written by hand below
    nd[name] = make(op, `nd.${name}`);
    addMethod(name, nd[name]);
  }
  for (const [short, long] of Object.entries(METHOD_ALIASES)) {
    if (NDArray.prototype[long]) NDArray.prototype[short] = NDArray.prototype[long];
  }
}

/** x.name(...args) is nd.name(x, ...args). */
function addMethod(name, fn) {
  Object.defineProperty(NDArray.prototype, name, {
    value(...args) {
      return fn(this, ...args);
    },
    writable: true,
    configurable: true,
  });
}

// ---- written by hand (class OTHER and composites with their own C call) ---------------------

export const mean = reduction('nd.mean', (h, n, ptr, keep) => wg.wg_mean(h, n, ptr, keep));
export const logsumexp = reduction('nd.logsumexp', (h, n, ptr, keep) => wg.wg_logsumexp(h, n, ptr, keep));
const normReduce = reduction('nd.norm', (h, n, ptr, keep, opts) => wg.wg_norm(h, opts.ord ?? 2, n, ptr, keep));

/** norm(x, { ord = 2, axis, keepdims }): without axis, the norm of all elements. */
export function norm(x, opts) {
  const { ord } = options('nd.norm', opts);
  if (ord !== undefined && typeof ord !== 'number') invalid('nd.norm', `ord must be a number (1 or 2), got ${show(ord)}`);
  return normReduce(x, opts);
}

/** clip(x, min, max): null or undefined leaves that side unbounded. */
export function clip(x, min, max) {
  const where = 'nd.clip';
  const bound = (v, what) => (v === undefined || v === null ? NaN : scalar(where, v, what));
  return wrap(wg.wg_clip(handleOf(x, where, 'x'), bound(min, 'min'), bound(max, 'max')), where);
}

/** where(cond, a, b): a number operand becomes a 0-d array of the other operand's dtype. */
export function where(cond, a, b) {
  const at = 'nd.where';
  const c = handleOf(cond, at, 'cond');
  const dtype = a instanceof NDArray ? a.dtype : b instanceof NDArray ? b.dtype : 'float32';
  const operand = (v, what, temp) => {
    if (v instanceof NDArray) return handleOf(v, at, what);
    return temp(arrayHandle(at, scalar(at, v, what), { dtype }));
  };
  return withTemps(at, (temp) => wg.wg_where(c, operand(a, 'a', temp), operand(b, 'b', temp)));
}

export function astype(x, dtype) {
  return astypeAs('nd.astype', x, dtype);
}

/** reshape(x, shape) or reshape(x, ...sizes); one size may be -1. */
export function reshape(x, ...shape) {
  const where = 'nd.reshape';
  const h = handleOf(x, where);
  const dims = parseShape(where, listArg(shape), { allowMinusOne: true });
  return wrap(wg.wg_reshape(h, dims.length, ...putInts(where, dims)), where);
}

/** transpose(x) reverses the axes; transpose(x, axes) or transpose(x, ...axes) permutes. */
export function transpose(x, ...axes) {
  const where = 'nd.transpose';
  const h = handleOf(x, where);
  const perm = parseAxes(where, listArg(axes), 'axes') ?? [];
  return wrap(wg.wg_transpose(h, perm.length, ...putInts(where, perm)), where);
}

export function broadcastTo(x, ...shape) {
  const where = 'nd.broadcastTo';
  const h = handleOf(x, where);
  const dims = parseShape(where, listArg(shape));
  return wrap(wg.wg_broadcast_to(h, dims.length, ...putInts(where, dims)), where);
}

export function expandDims(x, axis) {
  const where = 'nd.expandDims';
  const h = handleOf(x, where);
  if (axis === undefined) invalid(where, 'needs an axis, e.g. nd.expandDims(x, 0)');
  return wrap(wg.wg_expand_dims(h, intOption(where, axis, 'axis')), where);
}

/** squeeze(x, axis?): without axis, every axis of size 1. */
export function squeeze(x, axis) {
  const h = handleOf(x, 'nd.squeeze');
  return wrap(withAxes('nd.squeeze', axis, (n, ptr) => wg.wg_squeeze(h, n, ptr)), 'nd.squeeze');
}

/** flip(x, axis?): without axis, every axis. */
export function flip(x, axis) {
  const h = handleOf(x, 'nd.flip');
  return wrap(withAxes('nd.flip', axis, (n, ptr) => wg.wg_flip(h, n, ptr)), 'nd.flip');
}

function joiner(where, cEntry) {
  return (xs, axis = 0) => {
    if (!Array.isArray(xs) || xs.length === 0) {
      refuseForeign(where, 'xs', xs);
      invalid(where, `expects a non-empty array of NDArrays, got ${show(xs)}`);
    }
    const handles = handleList(where, xs, 'xs');
    const ax = intOption(where, axis, 'axis');
    const [ptr] = putInts(where, handles);
    return wrap(cEntry(handles.length, ptr, ax), where);
  };
}
export const concat = joiner('nd.concat', (n, ptr, axis) => wg.wg_concat(n, ptr, axis));
export const stack = joiner('nd.stack', (n, ptr, axis) => wg.wg_stack(n, ptr, axis));

/**
 * slice(x, begin, end, step): per axis from the first, Python slice semantics (in C);
 * a missing or null entry means the whole axis in the direction of the step.
 */
export function slice(x, begin, end, step) {
  const where = 'nd.slice';
  const h = handleOf(x, where);
  const [begins, ends, steps] = [[begin, 'begin'], [end, 'end'], [step, 'step']].map(([v, what]) => {
    if (v === undefined || v === null) return [];
    const list = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || !list.every((e) => e === null || e === undefined || Number.isInteger(e))) {
      invalid(where, `${what} must be an array of integers (or null entries), got ${show(v)}`);
    }
    return list;
  });
  const n = Math.max(begins.length, ends.length, steps.length);
  // INT32_MAX is C's "default" marker: user indices stay below it (C clamps them anyway).
  const bound = (v) => Math.min(Math.max(v, INT32_MIN), INT32_MAX - 1);
  const [b, e, s] = [[], [], []];
  for (let d = 0; d < n; d++) {
    b.push(begins[d] == null ? INT32_MAX : bound(begins[d]));
    e.push(ends[d] == null ? INT32_MAX : bound(ends[d]));
    s.push(steps[d] == null ? 1 : bound(steps[d]));
  }
  return wrap(wg.wg_slice(h, n, ...putInts(where, b, e, s)), where);
}

export function take(x, indices, axis = 0) {
  const where = 'nd.take';
  const h = handleOf(x, where);
  const ax = intOption(where, axis, 'axis');
  return withIndices(where, indices, 'indices', (idx) => wg.wg_take(h, idx, ax));
}

export function dot(a, b) {
  return wrap(wg.wg_dot(handleOf(a, 'nd.dot', 'a'), handleOf(b, 'nd.dot', 'b')), 'nd.dot');
}

export function matmul(a, b) {
  return wrap(wg.wg_matmul(handleOf(a, 'nd.matmul', 'a'), handleOf(b, 'nd.matmul', 'b')), 'nd.matmul');
}

/** x · weightᵀ + bias (bias optional), as MXNet's FullyConnected. */
export function fullyConnected(x, weight, bias) {
  const where = 'nd.fullyConnected';
  const hb = bias === undefined || bias === null ? 0 : handleOf(bias, where, 'bias');
  return wrap(wg.wg_fully_connected(handleOf(x, where, 'x'), handleOf(weight, where, 'weight'), hb), where);
}

/** softmax(x, { axis = -1 }) or softmax(x, axis). */
function softmaxLike(where, cEntry) {
  return (x, axisOrOpts) => {
    const isOpts = axisOrOpts !== null && typeof axisOrOpts === 'object';
    const axis = isOpts ? options(where, axisOrOpts).axis : axisOrOpts;
    return wrap(cEntry(handleOf(x, where), intOption(where, axis ?? undefined, 'axis', -1)), where);
  };
}
export const softmax = softmaxLike('nd.softmax', (h, axis) => wg.wg_softmax(h, axis));
export const logSoftmax = softmaxLike('nd.logSoftmax', (h, axis) => wg.wg_log_softmax(h, axis));

/** Mean over the batch of -log softmax(logits)[label]; labels are int32 class indices. */
export function softmaxCrossEntropy(logits, labels) {
  const where = 'nd.softmaxCrossEntropy';
  const h = handleOf(logits, where, 'logits');
  return withIndices(where, labels, 'labels', (l) => wg.wg_softmax_cross_entropy(h, l));
}

export const handWritten = {
  mean, logsumexp, norm, clip, where, astype, reshape, transpose, broadcastTo, expandDims, squeeze,
  flip, concat, stack, slice, take, dot, matmul, fullyConnected, softmax, logSoftmax, softmaxCrossEntropy,
};

for (const [name, fn] of Object.entries(handWritten)) {
  if (name !== 'astype') addMethod(name, fn);
}
// x.concat(others, axis) joins x first; others is an NDArray or an array of them.
for (const name of ['concat', 'stack']) {
  addMethod(name, (x, others, axis) => handWritten[name]([x, ...(Array.isArray(others) ? others : [others])], axis));
}
