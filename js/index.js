// wasmgrad: automatic differentiation of any order, on a WebAssembly core.
// Importing this module loads nothing: call (and await) init() first.
import { record, pause, grad, backward, isRecording, isTraining } from './autograd.js';
import { CustomFunction } from './custom.js';
import { grad as gradOf, valueAndGrad, vjp, jvp, jacobian, hessian, hvp, checkGrad } from './func.js';

export { init } from './loader.js';
export { nd } from './nd.js';
export { WasmgradError } from './errors.js';
export { NDArray } from './ndarray.js';

// Pure, and named one by one: a bundle that does not use autograd or func leaves them out.
export const autograd = /* @__PURE__ */ Object.freeze({
  record, pause, grad, backward, isRecording, isTraining, Function: CustomFunction,
});
export const func = /* @__PURE__ */ Object.freeze({
  grad: gradOf, valueAndGrad, vjp, jvp, jacobian, hessian, hvp, checkGrad,
});
