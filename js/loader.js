// Loads and instantiates the wasm module once, in Node and in browsers.
// Nothing happens on import: loading starts with the first init() call.
import { WasmgradError, invalid, show } from './errors.js';

/** The wasm exports once init() has succeeded, else null. */
export let wg = null;
/** Byte address of the wg_scratch() area (WG_SCRATCH_INTS int32 slots). */
export let scratch = 0;

let pending = null;
const hooks = [];

/** Registers a function to run once the module is instantiated, before init() resolves. */
export function onInit(hook) {
  hooks.push(hook);
}

/** The exports, or a NOT_INITIALIZED error that names the caller. */
export function requireInit(where) {
  if (wg === null) {
    throw new WasmgradError('NOT_INITIALIZED', `${where}: wasmgrad is not initialized; call (and await) init() first`);
  }
  return wg;
}

/**
 * Single-flight: the first call starts loading, later calls get the same promise.
 * A failed load may be retried by calling init() again.
 */
export function init(opts = {}) {
  if (opts === null || typeof opts !== 'object') invalid('init', `options must be an object, got ${show(opts)}`);
  pending ??= load(opts).catch((error) => {
    pending = null;
    throw error;
  });
  return pending;
}

const isNode = typeof globalThis.process?.versions?.node === 'string';
// Node compiles and instantiates synchronously: V8 compiles wasm lazily, so compiling is mostly
// validation, and on the main thread that is ~0.5 ms faster at startup than waiting for the
// compile threads' promise. Not in a page, where Chromium refuses large synchronous compiles
// on the main thread (an Electron renderer has `process` too).
const synchronous = isNode && typeof globalThis.window === 'undefined';

async function load(opts) {
  const module = await compile(opts.wasm ?? defaultSource());
  const imports = importsFor(module);
  const instance = synchronous ? new WebAssembly.Instance(module, imports) : await WebAssembly.instantiate(module, imports);
  const exports = instance.exports;
  if (!(exports.memory instanceof WebAssembly.Memory) || typeof exports.wg_op_count !== 'function') {
    throw new WasmgradError('INVALID_ARGUMENT', 'init: this wasm module is not wasmgrad (no memory or wg_op_count export)');
  }
  // Reactor builds (wasi-sdk -mexec-model=reactor, Emscripten STANDALONE_WASM) run their
  // static constructors here; it must be called exactly once, before any other export.
  exports._initialize?.();
  wg = exports;
  scratch = exports.wg_scratch() >>> 0;
  try {
    for (const hook of hooks) hook(exports);
  } catch (error) {
    wg = null;
    throw error;
  }
}

function defaultSource() {
  const fromEnv = isNode ? globalThis.process.env.WASMGRAD_WASM : undefined;
  // The test harness runs every test against both builds through this variable.
  if (fromEnv) return fromEnv;
  // Bundlers recognise this pattern and ship the .wasm file as an asset.
  return new URL('../dist/wasmgrad.wasm', import.meta.url);
}

/** Any accepted `opts.wasm` → a WebAssembly.Module. */
async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  try {
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return await compileBytes(source);
    if (typeof source === 'string' || source instanceof URL) {
      const url = toURL(source);
      if (url === null || url.protocol === 'file:') return await compileBytes(await readNodeFile(url ?? source));
      return await compileResponse(await fetch(url));
    }
    // Checked last: in Node, the first touch of the Response global loads undici (~10 ms).
    if (typeof Response !== 'undefined' && source instanceof Response) return await compileResponse(source);
  } catch (error) {
    if (error instanceof WasmgradError) throw error;
    const from = typeof source === 'string' || source instanceof URL ? show(String(source)) : show(source);
    throw new WasmgradError('INVALID_ARGUMENT', `init: could not load the wasm from ${from}: ${error.message}`, { cause: error });
  }
  return invalid('init', `opts.wasm must be a URL, a path, an ArrayBuffer, a Uint8Array, a Response or a WebAssembly.Module, got ${show(source)}`);
}

function compileBytes(bytes) {
  return synchronous ? new WebAssembly.Module(bytes) : WebAssembly.compile(bytes);
}

/** A URL, or null for a plain file path (Node only). */
function toURL(source) {
  if (source instanceof URL) return source;
  if (isNode) {
    // "C:\x.wasm" parses as a URL with protocol "c:": a path, not a URL.
    try {
      const url = new URL(source);
      return url.protocol.length > 2 ? url : null;
    } catch {
      return null;
    }
  }
  return new URL(source, globalThis.document?.baseURI ?? globalThis.location?.href);
}

async function readNodeFile(pathOrURL) {
  if (!isNode) invalid('init', `cannot read the file ${show(String(pathOrURL))} outside Node; pass an http(s) URL or the bytes`);
  // Node >= 20.16 hands out built-ins synchronously: a sync read is ~0.3 ms faster at startup
  // than importing fs/promises, which older Node 20 does. That specifier is in a variable so
  // that browser bundlers (esbuild, Vite, webpack) leave the import alone instead of failing to
  // resolve a Node built-in.
  const fs = globalThis.process.getBuiltinModule?.('node:fs');
  if (fs) return fs.readFileSync(pathOrURL);
  const fsModule = 'node:fs/promises';
  const { readFile } = await import(/* @vite-ignore */ /* webpackIgnore: true */ fsModule);
  return readFile(pathOrURL);
}

async function compileResponse(response) {
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response.clone());
    } catch (error) {
      // A server without the application/wasm MIME type: fall back to the bytes.
      if (!(error instanceof TypeError)) throw error;
    }
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * The host side of custom functions (wasmgrad.h: wg_host_vjp, wg_host_release). The module
 * that implements custom functions installs its handlers here; until then a custom node
 * cannot exist, so these are never called.
 */
export const host = {
  vjp: () => 6, // WG_NOT_DIFFERENTIABLE
  release: () => {},
};

/** The import object: the Emscripten build's growth notification and the host callbacks. */
function importsFor(module) {
  const imports = {};
  const provided = {
    // Views are made fresh before every use, so there is nothing to refresh.
    emscripten_notify_memory_growth: () => {},
    wg_host_vjp: (...args) => host.vjp(...args),
    wg_host_release: (fn) => host.release(fn),
  };
  for (const { module: ns, name, kind } of WebAssembly.Module.imports(module)) {
    if (ns === 'env' && kind === 'function' && Object.hasOwn(provided, name)) {
      (imports.env ??= {})[name] = provided[name];
    } else {
      throw new WasmgradError('INVALID_ARGUMENT',
        `init: the wasm module imports ${ns}.${name} (${kind}), which wasmgrad does not provide; ` +
        'use dist/wasmgrad.wasm or dist/wasmgrad-emscripten.wasm built by scripts/build.sh');
    }
  }
  return imports;
}
