// Raw access to wasm memory and the lifetime of handles (dispose, tidy, finalization).
// Views of wasm memory are made right before each use: a C call may grow the memory,
// which detaches every existing view.
import { WasmgradError, codeOfStatus, invalid } from './errors.js';
import { wg, scratch } from './loader.js';

const SCRATCH_INTS = 1024; // WG_SCRATCH_INTS in wasmgrad.h
const MESSAGE_BYTES = 1000; // below MESSAGE_CAP in error.c
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The NUL-terminated UTF-8 string at `ptr`. Short ASCII ones (the ~75 operator names read at
 * init) skip TextDecoder, whose per-call cost made reading the names 0.25 ms of startup.
 */
export function readCString(ptr) {
  const all = new Uint8Array(wg.memory.buffer, ptr >>> 0);
  const end = all.indexOf(0);
  const bytes = all.subarray(0, end < 0 ? all.length : end);
  return bytes.length <= 32 && bytes.every((b) => b < 0x80) ? String.fromCharCode(...bytes) : decoder.decode(bytes);
}

/**
 * Writes int lists one after another into the scratch area and returns their byte addresses.
 * Call it right before the C call that reads them: any other call may reuse the area.
 */
export function putInts(where, ...lists) {
  const total = lists.reduce((n, list) => n + list.length, 0);
  if (total > SCRATCH_INTS) invalid(where, `too many shape entries or arrays in one call (${total}, at most ${SCRATCH_INTS})`);
  const view = new Int32Array(wg.memory.buffer, scratch, SCRATCH_INTS);
  const ptrs = [];
  let slot = 0;
  for (const list of lists) {
    ptrs.push(scratch + 4 * slot);
    view.set(list, slot);
    slot += list.length;
  }
  return ptrs;
}

/** Reads `n` int32 values at `ptr` (shapes, handle lists written by C). */
export function readInts(ptr, n) {
  return Array.from(new Int32Array(wg.memory.buffer, ptr >>> 0, n));
}

/**
 * Runs fn, then puts the scratch area back as it was. For host callbacks: C calls them in the
 * middle of a call whose arguments (handle lists, the output slots of wg_grad) live there.
 */
export function keepingScratch(fn) {
  const saved = new Int32Array(wg.memory.buffer, scratch, SCRATCH_INTS).slice();
  try {
    return fn();
  } finally {
    new Int32Array(wg.memory.buffer, scratch, SCRATCH_INTS).set(saved);
  }
}

let hostFailure = null; // { message, cause }: the JS error behind the C error a host callback set

/**
 * Sets C's error slot from a host callback (wg_set_error) and returns the status, which the
 * callback returns to C. `cause` (the JS error) is attached to the WasmgradError that the JS
 * caller of the failed C call throws. Uses the scratch area: call it inside keepingScratch.
 */
export function setHostError(status, message, cause) {
  const bytes = new Uint8Array(wg.memory.buffer, scratch, MESSAGE_BYTES + 1);
  const { written } = encoder.encodeInto(message, bytes.subarray(0, MESSAGE_BYTES)); // whole characters only
  bytes[written] = 0;
  wg.wg_set_error(status, scratch);
  hostFailure = { message: readCString(wg.wg_message()), cause };
  return status;
}

/** The error that the last C call left (wg_status / wg_message); read it before any other call. */
export function lastError(where) {
  const status = wg.wg_status();
  if (status === 0) return new WasmgradError('INVALID_ARGUMENT', `${where}: failed without a status (a bug in wasmgrad)`);
  // C messages start with a name: "slice: ..." or "nd.full: ...". Say the JS name once, but keep
  // an inner operator's name ("nd.fullyConnected: matmul: ...") as a clue.
  const message = readCString(wg.wg_message());
  const prefix = /^([A-Za-z_][\w.]*): /.exec(message);
  const own = prefix && (prefix[1].includes('.') || where.toLowerCase().endsWith(`.${prefix[1].toLowerCase()}`));
  const cause = hostFailure?.message === message ? hostFailure.cause : undefined;
  hostFailure = null;
  return new WasmgradError(codeOfStatus(status), `${where}: ${own ? message.slice(prefix[0].length) : message}`,
    cause === undefined ? undefined : { cause });
}

export function throwLastError(where) {
  throw lastError(where);
}

/** Checks an int status returned by C. */
export function checkStatus(status, where) {
  if (status !== 0) throwLastError(where);
}

/** wg_memory_stats as [held tensors, their bytes, graph-only bytes, all bytes]. */
export function memoryStats() {
  // The stats are doubles: use an 8-byte-aligned spot inside the scratch area.
  const ptr = Math.ceil(scratch / 8) * 8;
  wg.wg_memory_stats(ptr);
  return Array.from(new Float64Array(wg.memory.buffer, ptr, 4));
}

// ---- lifetimes ------------------------------------------------------------------------

let liveWrappers = 0;
const scopes = []; // nd.tidy scopes, innermost last: arrays of wrappers created in each

/** Garbage wrappers give their reference back (the safety net behind dispose and tidy). */
const registry = new FinalizationRegistry((handle) => {
  liveWrappers--;
  wg?.wg_release(handle);
});

/** Bookkeeping for a new wrapper that owns one reference to `handle`. */
export function track(wrapper, handle) {
  liveWrappers++;
  registry.register(wrapper, handle, wrapper);
  scopes.at(-1)?.push(wrapper);
}

/** Releases the wrapper's reference now (the caller makes this happen once). */
export function release(wrapper, handle) {
  liveWrappers--;
  registry.unregister(wrapper);
  wg.wg_release(handle);
}

export function liveArrayCount() {
  return liveWrappers;
}

/**
 * Runs fn; disposes every wrapper created meanwhile except those in its result
 * (searched through arrays and plain objects). Kept wrappers move to the outer scope.
 */
export function tidy(fn, isWrapper) {
  if (typeof fn !== 'function') invalid('nd.tidy', 'expects a function, e.g. nd.tidy(() => x.mul(2).sum())');
  const scope = [];
  scopes.push(scope);
  let result;
  try {
    result = fn();
  } finally {
    scopes.pop();
    const kept = new Set();
    if (!isThenable(result)) collect(result, isWrapper, kept);
    for (const wrapper of scope) if (kept.has(wrapper)) scopes.at(-1)?.push(wrapper);
    // Newest first: an array made from older ones goes before them. Disposed the other way, an
    // input whose last other holder is a deferred result would make that result compute its
    // value just before it is disposed too (src/fusion.c).
    for (let i = scope.length - 1; i >= 0; i--) if (!kept.has(scope[i])) scope[i].dispose();
  }
  if (isThenable(result)) {
    invalid('nd.tidy', 'the function returned a Promise; tidy only works with synchronous code (await outside of it)');
  }
  return result;
}

// Iterative, and each container once: a result may contain itself or be nested very deep.
function collect(result, isWrapper, kept) {
  const seen = new Set();
  const todo = [result];
  while (todo.length > 0) {
    const value = todo.pop();
    if (isWrapper(value)) kept.add(value);
    else if (value !== null && typeof value === 'object' && !seen.has(value) &&
      (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
      seen.add(value);
      for (const item of Array.isArray(value) ? value : Object.values(value)) todo.push(item);
    }
  }
}

export function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}
