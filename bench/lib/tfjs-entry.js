// esbuild entry for the TF.js bundle the bench loads in Node (see lib/tfjs-bundle.mjs):
// tfjs-core with all its gradients registered, the cpu backend, and the wasm backend's
// self-contained flat bundle (its dist/index.js imports an unshipped ../wasm-out/).
export * from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.js';
