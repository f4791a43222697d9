// wasmgrad: automatic differentiation of any order, on a WebAssembly core.
// Importing this module loads nothing: call (and await) init() first.
import { record, pause, grad, backward, isRecording, isTraining } from './autograd.js';
import * as transforms from './func.js';

export { init } from './loader.js';
export { nd } from './nd.js';
export { WasmgradError } from './errors.js';
export { NDArray } from './ndarray.js';

export const autograd = Object.freeze({ record, pause, grad, backward, isRecording, isTraining });
export const func = Object.freeze({ ...transforms });
