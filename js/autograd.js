// autograd: MXNet-style recording scopes and gradients. The tape and the engine are in C;
// this file only sets flags and passes handle lists.
import { invalid, show } from './errors.js';
import { requireInit, wg } from './loader.js';
import { putInts, readInts, checkStatus, isThenable } from './memory.js';
import { handleOf, handleList, wrap, options } from './ndarray.js';

/** Runs fn while recording. */
export function record(fn, opts) {
  return withFlags('autograd.record', fn, opts, 1, true);
}

/** Runs fn without recording (trainMode defaults to false, as in MXNet). */
export function pause(fn, opts) {
  return withFlags('autograd.pause', fn, opts, 0, false);
}

export function isRecording() {
  return requireInit('autograd.isRecording').wg_is_recording() !== 0;
}

export function isTraining() {
  return requireInit('autograd.isTraining').wg_is_training() !== 0;
}

function withFlags(where, fn, opts, recording, trainDefault) {
  requireInit(where);
  if (typeof fn !== 'function') invalid(where, `expects a function, e.g. ${where}(() => nd.sin(x)), got ${show(fn)}`);
  const trainMode = flag(where, options(where, opts), 'trainMode', trainDefault);
  const prevRecording = wg.wg_set_recording(recording);
  const prevTraining = wg.wg_set_training(trainMode ? 1 : 0);
  let result;
  try {
    result = fn();
  } finally {
    wg.wg_set_recording(prevRecording);
    wg.wg_set_training(prevTraining);
  }
  if (isThenable(result)) {
    invalid(where, 'the function returned a Promise; recording is synchronous: await outside of it and record only synchronous code');
  }
  return result;
}

/** Gradients of heads with respect to variables, as new NDArrays; `.grad` is not touched. */
export function grad(heads, variables, opts) {
  const where = 'autograd.grad';
  requireInit(where);
  const o = options(where, opts);
  const createGraph = flag(where, o, 'createGraph', false);
  const retainGraph = flag(where, o, 'retainGraph', createGraph);
  const trainMode = flag(where, o, 'trainMode', true);
  const allowUnused = flag(where, o, 'allowUnused', false);
  const headHandles = handleList(where, heads, 'heads');
  const varHandles = handleList(where, variables, 'variables');
  const gradHandles = headGradList(where, o.headGrads, headHandles.length);
  varHandles.forEach((handle, i) => {
    if (!wg.wg_is_variable(handle)) {
      const what = Array.isArray(variables) ? `variables[${i}]` : 'the array passed as variables';
      invalid(where, `${what} is not a variable; call x.attachGrad() on it before recording the heads`);
    }
  });
  const [pHeads, pGrads, pVars, pOut] = putInts(where, headHandles, gradHandles ?? [], varHandles, varHandles.map(() => 0));
  const status = wg.wg_grad(headHandles.length, pHeads, gradHandles ? pGrads : 0, varHandles.length, pVars, pOut,
    +retainGraph, +createGraph, +trainMode, +allowUnused);
  checkStatus(status, where);
  return readInts(pOut, varHandles.length).map((out) => (out === 0 ? null : wrap(out, where)));
}

/** Writes (or adds into) the `.grad` of every variable the heads depend on. */
export function backward(heads, opts) {
  return runBackward('autograd.backward', heads, opts);
}

/** backward, reporting errors as `where` (NDArray.backward shares it). */
export function runBackward(where, heads, opts) {
  requireInit(where);
  const o = options(where, opts);
  const retainGraph = flag(where, o, 'retainGraph', false);
  const trainMode = flag(where, o, 'trainMode', true);
  const headHandles = handleList(where, heads, 'heads');
  const gradHandles = headGradList(where, o.headGrads, headHandles.length);
  const [pHeads, pGrads] = putInts(where, headHandles, gradHandles ?? []);
  checkStatus(wg.wg_backward(headHandles.length, pHeads, gradHandles ? pGrads : 0, +retainGraph, +trainMode), where);
}

/** headGrads: undefined/null (ones), one NDArray, or one entry (NDArray or null) per head. */
function headGradList(where, headGrads, nheads) {
  if (headGrads === undefined || headGrads === null) return null;
  const list = Array.isArray(headGrads) ? headGrads : [headGrads];
  if (list.length !== nheads) invalid(where, `headGrads has ${list.length} entries for ${nheads} heads; give one per head (null for ones)`);
  return list.map((g, i) => (g === null || g === undefined ? 0 : handleOf(g, where, `headGrads[${i}]`)));
}

function flag(where, opts, name, fallback) {
  const value = opts[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(where, `option ${name} must be true or false, got ${show(value)}`);
  return value;
}
