// The `nd` namespace: creation, memory, and the operators of ops.js.
import { WasmgradError, invalid, show } from './errors.js';
import { wg, requireInit, onInit } from './loader.js';
import { putInts, memoryStats, liveArrayCount, tidy as tidyScope } from './memory.js';
import { NDArray, wrap, handleOf, arrayHandle, dtypeCode, parseShape, intOption, options } from './ndarray.js';
import { installOperators, handWritten } from './ops.js';

/** nd.array(data, { dtype, shape }): a number, nested arrays, a typed array or an NDArray (copied). */
function array(data, opts) {
  requireInit('nd.array');
  return wrap(arrayHandle('nd.array', data, opts), 'nd.array');
}

function number(where, value, what) {
  if (typeof value !== 'number') invalid(where, `${what} must be a number, got ${show(value)}`);
  return value;
}

/** One size: a number (parseShape alone would also take a list and use its first entry). */
function size(where, value, what) {
  if (typeof value !== 'number') invalid(where, `${what} must be a non-negative integer, got ${show(value)}`);
  return parseShape(where, value, { what })[0];
}

/** Splits trailing options off variadic arguments: arange(0, 5, { dtype }). */
function splitOptions(args) {
  const last = args.at(-1);
  const isOpts = last !== null && typeof last === 'object' && !Array.isArray(last);
  return isOpts ? [args.slice(0, -1), last] : [args, undefined];
}

function filled(where, shape, value, opts) {
  requireInit(where);
  const { dtype } = options(where, opts);
  const dims = parseShape(where, shape);
  return wrap(wg.wg_full(dtypeCode(where, dtype), dims.length, ...putInts(where, dims), number(where, value, 'value')), where);
}

function filledLike(where, x, value) {
  requireInit(where);
  handleOf(x, where, 'x');
  return filled(where, x.shape, value, { dtype: x.dtype });
}

const creation = {
  array,
  zeros: (shape, opts) => filled('nd.zeros', shape, 0, opts),
  ones: (shape, opts) => filled('nd.ones', shape, 1, opts),
  full: (shape, value, opts) => filled('nd.full', shape, value, opts),
  zerosLike: (x) => filledLike('nd.zerosLike', x, 0),
  onesLike: (x) => filledLike('nd.onesLike', x, 1),

  /** arange(stop), arange(start, stop, step = 1), each with optional trailing { dtype }. */
  arange(...args) {
    const where = 'nd.arange';
    requireInit(where);
    const [nums, opts] = splitOptions(args);
    let [start, stop, step = 1] = nums;
    if (stop === undefined || stop === null) [start, stop] = [0, start];
    const { dtype } = options(where, opts);
    return wrap(wg.wg_arange(number(where, start, 'start'), number(where, stop, 'stop'), number(where, step, 'step'),
      dtypeCode(where, dtype)), where);
  },

  /** linspace(start, stop, num = 50, { dtype, endpoint = true }). */
  linspace(start, stop, num = 50, opts) {
    const where = 'nd.linspace';
    requireInit(where);
    if (num !== null && typeof num === 'object') [num, opts] = [50, num];
    const { dtype, endpoint = true } = options(where, opts);
    if (typeof endpoint !== 'boolean') invalid(where, `endpoint must be true or false, got ${show(endpoint)}`);
    const n = size(where, num, 'num');
    return wrap(wg.wg_linspace(number(where, start, 'start'), number(where, stop, 'stop'), n, endpoint ? 1 : 0,
      dtypeCode(where, dtype)), where);
  },

  /** eye(n, { dtype, m = n, k = 0 }): ones on the k-th diagonal of an n×m matrix. */
  eye(n, opts) {
    const where = 'nd.eye';
    requireInit(where);
    const { dtype, m = n, k = 0 } = options(where, opts);
    const rows = size(where, n, 'n');
    const cols = size(where, m, 'm');
    return wrap(wg.wg_eye(rows, cols, intOption(where, k, 'k'), dtypeCode(where, dtype)), where);
  },
};

/** random.uniform(low = 0, high = 1, shape = [], opts), random.normal(mean = 0, std = 1, ...). */
function sampler(where, cEntry, [[nameA, defaultA], [nameB, defaultB]]) {
  return (...args) => {
    requireInit(where);
    const [nums, opts] = splitOptions(args);
    const [a = defaultA, b = defaultB, shape = []] = nums;
    const { dtype } = options(where, opts);
    const dims = parseShape(where, shape);
    return wrap(cEntry(number(where, a, nameA), number(where, b, nameB), dtypeCode(where, dtype), dims.length,
      ...putInts(where, dims)), where);
  };
}

const random = {
  /** Seeds the generator: an integer from 0 to 2^53. */
  seed(n) {
    requireInit('nd.random.seed');
    if (!Number.isSafeInteger(n) || n < 0) invalid('nd.random.seed', `the seed must be a non-negative integer, got ${show(n)}`);
    wg.wg_random_seed(n);
  },
  uniform: sampler('nd.random.uniform', (...a) => wg.wg_random_uniform(...a), [['low', 0], ['high', 1]]),
  normal: sampler('nd.random.normal', (...a) => wg.wg_random_normal(...a), [['mean', 0], ['std', 1]]),
};

/** Runs fn and disposes every NDArray it created except those it returns. */
function tidy(fn) {
  requireInit('nd.tidy');
  return tidyScope(fn, (v) => v instanceof NDArray);
}

/** { arrays, bytes, graphBytes, wasmBytes }: see API.md "Memory". */
function memory() {
  requireInit('nd.memory');
  const [, bytes, graphBytes] = memoryStats();
  return { arrays: liveArrayCount(), bytes, graphBytes, wasmBytes: wg.memory.buffer.byteLength };
}

/*
 * The operator names come from the wasm, so nd.sin exists only after init(). Before that,
 * a missing name is looked up on this prototype, which answers with a function that throws
 * NOT_INITIALIZED; after init a missing name is simply undefined.
 */
const NOT_LOOKED_UP = new Set(['then', 'toJSON', 'constructor']);
const beforeInit = new Proxy(Object.prototype, {
  get(target, name, receiver) {
    if (wg !== null || typeof name !== 'string' || NOT_LOOKED_UP.has(name) || name in target) {
      return Reflect.get(target, name, receiver);
    }
    return () => {
      throw new WasmgradError('NOT_INITIALIZED', `nd.${name}: wasmgrad is not initialized; call (and await) init() first`);
    };
  },
});

export const nd = Object.assign(Object.create(beforeInit), creation, handWritten, { random, tidy, memory });

onInit(() => installOperators(nd));
