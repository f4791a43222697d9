// autograd.Function: a differentiable function whose backward the user writes with nd
// operators (MXNet's autograd.Function, PyTorch's torch.autograd.Function).
//
// How it works (wasmgrad.h, "custom functions"): apply() runs forward with recording paused
// and hands its result to wg_custom, which records a node whose derivative rule calls back
// into JS (loader.js `host`). The backward runs in the middle of C's backward sweep; its nd
// operators are recorded exactly when the engine builds a graph (createGraph), so every
// order comes for free.
//
// Lifetimes: a call owns raw C references to what forward saved, released when C says that
// the node is gone (host.release). A backward callback runs in a tidy scope of its own: C
// takes a new reference to each gradient (wg_retain) and every wrapper made in the callback
// is disposed before it returns, so no enclosing user tidy can free what C owns. A JS
// exception never unwinds through wasm: it becomes C's error status, and the WasmgradError
// that autograd.grad/backward then throws has it as `cause`.
import { WasmgradError, invalid, show, statusOfCode } from './errors.js';
import { wg, host, requireInit } from './loader.js';
import { putInts, readInts, lastError, keepingScratch, setHostError, tidy } from './memory.js';
import { NDArray, wrap, handleOf, options } from './ndarray.js';
import { pause, isTraining } from './autograd.js';

const CALL = Symbol('wasmgrad.call'); // a call's state, on the `this` its forward and backward see
const calls = new Map(); // the id given to wg_custom -> that call's state
let lastId = 0;

const isNDArray = (value) => value instanceof NDArray;

/**
 * A function with a user-written derivative. Subclass it and define forward(...inputs) and
 * backward(...outputGrads), or pass them as options; then call fn.apply(...inputs).
 */
export class CustomFunction {
  #forward;
  #backward;
  #once;
  #name;

  constructor(opts) {
    const where = 'autograd.Function';
    const { forward = this.forward, backward = this.backward, onceDifferentiable = false, name } = options(where, opts);
    if (typeof forward !== 'function' || typeof backward !== 'function') {
      invalid(where, 'needs forward(...inputs) and backward(...outputGrads): define them in a subclass ' +
        '(class Cube extends autograd.Function { forward(x) {...} backward(g) {...} }) or pass them as options');
    }
    if (typeof onceDifferentiable !== 'boolean') invalid(where, `onceDifferentiable must be true or false, got ${show(onceDifferentiable)}`);
    if (name !== undefined && typeof name !== 'string') invalid(where, `name must be a string, got ${show(name)}`);
    this.#forward = forward;
    this.#backward = backward;
    this.#once = onceDifferentiable;
    this.#name = name ?? ((new.target === CustomFunction ? '' : new.target.name) || 'autograd.Function');
    this.apply = this.apply.bind(this); // so that func.grad(cube.apply) works
  }

  /** Runs forward on the inputs and records the result with this function's backward. */
  apply(...args) {
    const where = `${this.#name}.apply`;
    requireInit(where);
    const inputs = []; // handles of the NDArray arguments: the inputs of the node
    const argOf = []; // the argument position of each input
    args.forEach((a, i) => {
      if (a instanceof NDArray) inputs.push(handleOf(a, where, `argument ${i}`)), argOf.push(i);
    });
    const call = {
      name: this.#name, backward: this.#backward, once: this.#once, nargs: args.length, argOf,
      phase: 'forward', saved: [], savedArrays: null, needs: null, shapes: null, result: 0,
    };
    call.ctx = Object.create(this, { [CALL]: { value: call } });
    let output = 0; // a reference of ours to what forward returned (flattened if several)
    try {
      tidy(() => {
        const result = pause(() => this.#forward.apply(call.ctx, args), { trainMode: isTraining() });
        const outs = outputsOf(where, result);
        if (Array.isArray(result)) call.shapes = outs.map((o) => o.shape);
        // A saved output is replaced in backward by the recorded output (below), so that
        // differentiating backward again goes through this function again (as in PyTorch).
        call.saved = call.saved.map(({ array, handle }) => {
          const k = outs.indexOf(array);
          if (k < 0) return { handle };
          wg.wg_release(handle);
          return { output: k };
        });
        const flat = call.shapes ? outs[0].reshape(-1).concat(outs.slice(1).map((o) => o.reshape(-1))) : outs[0];
        output = wg.wg_retain(handleOf(flat, where)) >>> 0;
      }, isNDArray);
    } catch (error) {
      releaseSaved(call);
      throw error;
    }
    call.phase = 'recorded';
    const id = register(call);
    const [ptr] = putInts(where, inputs);
    // Not recorded (no input needs a gradient): C calls host.release(id) before returning.
    const y = wg.wg_custom(id, inputs.length, ptr, output) >>> 0;
    const error = y === 0 ? lastError(where) : null;
    wg.wg_release(output);
    if (error) {
      hostRelease(id);
      throw error;
    }
    // No reference: C calls backward only while this tensor, whose node it is, is alive.
    call.result = y;
    const result = wrap(y, where);
    if (!call.shapes) return result;
    const parts = split(result, call.shapes);
    result.dispose();
    return parts;
  }

  /** In forward: keeps arrays for backward (this.saved). Saving again replaces them. */
  saveForBackward(...arrays) {
    const where = 'autograd.Function.saveForBackward';
    const call = this[CALL];
    if (call?.phase !== 'forward') invalid(where, 'call it inside forward: this.saveForBackward(x, y)');
    const handles = arrays.map((a, i) => (a === null || a === undefined ? 0 : handleOf(a, where, `argument ${i}`)));
    releaseSaved(call);
    call.saved = arrays.map((array, i) => ({ array, handle: handles[i] && wg.wg_retain(handles[i]) >>> 0 }));
  }

  /** In backward: the arrays that forward saved, in order. */
  get saved() {
    const call = this[CALL];
    if (!call?.savedArrays) invalid('autograd.Function.saved', 'is available inside backward: const [x] = this.saved');
    return call.savedArrays.slice();
  }

  /** In backward: one boolean per argument of forward, whether its gradient is needed. */
  get needsInputGrad() {
    const call = this[CALL];
    if (!call?.needs) invalid('autograd.Function.needsInputGrad', 'is available inside backward');
    return call.needs.slice();
  }
}

/** forward's result as a list of NDArrays. */
function outputsOf(where, result) {
  const outs = Array.isArray(result) ? result : [result];
  if (outs.length === 0 || !outs.every(isNDArray)) {
    invalid(where, `forward must return an NDArray or a non-empty array of NDArrays, got ${show(result)}`);
  }
  outs.forEach((o, i) => handleOf(o, where, `output ${i} of forward`));
  if (outs.some((o) => o.dtype !== outs[0].dtype)) {
    invalid(where, `the outputs of forward must share one dtype, got ${outs.map((o) => o.dtype).join(', ')}; use astype`);
  }
  return outs;
}

/** The parts of a flat array, one per shape. */
function split(flat, shapes) {
  let offset = 0;
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const part = flat.slice([offset], [offset + size]).reshape(shape);
    offset += size;
    return part;
  });
}

function releaseSaved(call) {
  for (const { handle } of call.saved) if (handle) wg.wg_release(handle);
  call.saved = [];
}

/** A new id for wg_custom; installs the host handlers (nothing is installed on import). */
function register(call) {
  host.vjp = hostVjp;
  host.release = hostRelease;
  do lastId = lastId >= 0x7fffffff ? 1 : lastId + 1;
  while (calls.has(lastId));
  calls.set(lastId, call);
  return lastId;
}

/** wg_host_release: the node is gone. Runs inside C calls; wg_release is safe there. */
function hostRelease(id) {
  const call = calls.get(id);
  if (!call) return;
  calls.delete(id);
  releaseSaved(call);
  call.ctx = null;
}

const framed = new WeakSet(); // errors whose message already says what went wrong

function fail(code, message) {
  const error = new WasmgradError(code, message);
  framed.add(error);
  throw error;
}

/** wg_host_vjp: fills gin[k] for each needed input k, or sets C's error and returns its status. */
function hostVjp(id, g, nin, inputsPtr, needsPtr, ginPtr) {
  return keepingScratch(() => {
    const call = calls.get(id);
    try {
      if (!call) fail('INVALID_ARGUMENT', `custom function: backward called after its release (a bug in wasmgrad)`);
      const inputs = readInts(inputsPtr, nin).map((h) => h >>> 0);
      const needs = readInts(needsPtr, nin).map(Boolean);
      const grads = tidy(() => backwardOf(call, g >>> 0, inputs, needs), isNDArray);
      new Int32Array(wg.memory.buffer, ginPtr >>> 0, nin).set(grads);
      return 0;
    } catch (error) {
      const message = framed.has(error) ? error.message : `custom function ${call.name}: backward threw ${describe(error)}`;
      return setHostError(statusOfCode(error?.code), message, error);
    }
  });
}

function describe(error) {
  if (error instanceof WasmgradError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return show(error);
}

/** Runs the user's backward; returns one handle per input (0: no gradient), each a new reference for C. */
function backwardOf(call, g, inputs, needs) {
  if (call.guardOf) {
    fail('NOT_DIFFERENTIABLE', `custom function ${call.guardOf} was created with onceDifferentiable: true, so its ` +
      'gradient cannot be differentiated again (a derivative of order 2 or higher went through it); remove that ' +
      'option if its backward is written with nd operators, or take only first derivatives through it');
  }
  const name = `custom function ${call.name}`;
  // Wrappers of our own, disposed with the callback's scope.
  const own = (handle) => wrap(wg.wg_retain(handle), name);
  const recorded = () => (call.shapes ? split(own(call.result), call.shapes) : [own(call.result)]);
  const outputGrads = call.shapes ? split(own(g), call.shapes) : [own(g)];
  const outputs = call.saved.some((s) => s.output !== undefined) ? recorded() : [];
  call.savedArrays = call.saved.map((s) => (s.output !== undefined ? outputs[s.output] : s.handle ? own(s.handle) : null));
  call.needs = Array.from({ length: call.nargs }, (_, i) => needs[call.argOf.indexOf(i)] ?? false);
  // A once-differentiable backward is never recorded; its gradients get a guard node instead.
  const guarded = call.once && wg.wg_is_recording() !== 0;
  let result;
  try {
    const run = () => call.backward.apply(call.ctx, outputGrads);
    result = guarded ? pause(run, { trainMode: isTraining() }) : run();
  } finally {
    call.savedArrays = null;
    call.needs = null;
  }
  // One gradient per argument of forward; trailing arguments that are not arrays may be left out.
  const grads = result === null || result === undefined || isNDArray(result) ? [result] : result;
  const least = (call.argOf.at(-1) ?? -1) + 1;
  if (!Array.isArray(grads) || grads.length < least || grads.length > call.nargs) {
    const got = Array.isArray(grads) ? `${grads.length} gradient${grads.length === 1 ? '' : 's'}` : show(result);
    fail('INVALID_ARGUMENT', `${name}: backward returned ${got} for ${call.nargs} argument(s) of forward; return ` +
      'one gradient per argument (null for none), or one NDArray when forward takes one argument');
  }
  const handles = inputs.map((_, k) => {
    const grad = grads[call.argOf[k]];
    if (grad === null || grad === undefined || !needs[k]) return 0;
    if (!isNDArray(grad)) {
      fail('INVALID_ARGUMENT', `${name}: backward returned ${show(grad)} as the gradient of argument ${call.argOf[k]}; ` +
        'return NDArrays (or null)');
    }
    const handle = handleOf(grad, `${name}: backward`, `the gradient of argument ${call.argOf[k]}`);
    return guarded ? guard(call, g, inputs, handle) : handle;
  });
  return handles.map((h) => (h === 0 ? 0 : wg.wg_retain(h)));
}

/**
 * The gradient `handle` recorded as a node on (g, ...inputs) whose own backward fails with
 * NOT_DIFFERENTIABLE: a second order through a once-differentiable function is an error
 * when it happens (PyTorch's once_differentiable), not before.
 */
function guard(call, g, inputs, handle) {
  const where = `custom function ${call.name}`;
  const id = register({ guardOf: call.name, saved: [] });
  const [ptr] = putInts(where, [g, ...inputs]);
  const y = wg.wg_custom(id, inputs.length + 1, ptr, handle) >>> 0;
  if (y === 0) throw lastError(where);
  return handleOf(wrap(y, where), where);
}
