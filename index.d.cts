// Types of the CommonJS entry (js/index.cjs): require('wasmgrad').
// The API is the ES module's (index.d.ts); init() resolves to it, and after init the same
// objects are also properties of the module.
import type * as esm from './index.js';

declare namespace wasmgrad {
  type Api = {
    init: typeof init;
    nd: typeof esm.nd;
    autograd: typeof esm.autograd;
    func: typeof esm.func;
    NDArray: typeof esm.NDArray;
    WasmgradError: typeof esm.WasmgradError;
  };
  /** Loads the library and the wasm once; resolves to the API. */
  function init(opts?: esm.InitOptions): Promise<Api>;
  /** These throw NOT_INITIALIZED until init() has resolved. */
  const nd: typeof esm.nd;
  const autograd: typeof esm.autograd;
  const func: typeof esm.func;
  const NDArray: typeof esm.NDArray;
  type NDArray = esm.NDArray;
  const WasmgradError: typeof esm.WasmgradError;
  type WasmgradError = esm.WasmgradError;
}
export = wasmgrad;
