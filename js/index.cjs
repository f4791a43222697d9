'use strict';
// The CommonJS entry of wasmgrad: require('wasmgrad').
//
// The library is an ES module, which Node 20 cannot require synchronously, so this wrapper
// loads it with import() inside init(), which resolves to the API. It loads the package's
// "import" entry (dist/wasmgrad.mjs, js/ bundled by `npm run build:js`), so that CommonJS and
// ES module code in one program share one module and one wasm instance:
//
//   const wasmgrad = require('wasmgrad');
//   const { nd, autograd, func } = await wasmgrad.init();
//
// After init, require('wasmgrad').nd (and autograd, func, NDArray, WasmgradError) are the ES
// module's own objects; before it, reading them throws a NOT_INITIALIZED error. Requiring
// this file does nothing else.

const NAMES = ['nd', 'autograd', 'func', 'NDArray', 'WasmgradError'];
let api = null;
let loading = null;

/** Loads the ES module and the wasm once; resolves to { init, nd, autograd, func, NDArray, WasmgradError }. */
function init(opts) {
  loading ??= import('../dist/wasmgrad.mjs').catch((error) => {
    loading = null;
    throw error;
  });
  return loading.then(async (esm) => {
    await esm.init(opts);
    api ??= Object.freeze({ init, ...Object.fromEntries(NAMES.map((name) => [name, esm[name]])) });
    return api;
  });
}

exports.init = init;
for (const name of NAMES) {
  Object.defineProperty(exports, name, {
    enumerable: true,
    get() {
      if (api !== null) return api[name];
      const error = new Error(`wasmgrad.${name}: wasmgrad is not initialized; in CommonJS, call (and await) ` +
        `init() first, then use require('wasmgrad').${name} or const { ${name} } = await init()`);
      error.name = 'WasmgradError';
      error.code = 'NOT_INITIALIZED';
      throw error;
    },
  });
}
