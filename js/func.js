// func: JAX / torch.func style transforms, composed from autograd in JS (no tensor math here).
//
// How nesting works: a transform runs f on fresh variables (detached copies of the inputs
// with attachGrad) while recording, then asks autograd.grad for the derivatives.
// - Outermost (no transform running and not recording): gradients without createGraph;
//   results are detached, and everything else made on the way is disposed.
// - Nested (inside another transform's f, or inside autograd.record): gradients with
//   createGraph, results left connected. An input that depends on outer variables is fed to f
//   as v + (a - detach(a)): the value of v, derivative 1 to v, and still wired to a's graph,
//   so the outer transform differentiates through the inner derivative.
import { WasmgradError, invalid, show } from './errors.js';
import { requireInit, wg } from './loader.js';
import { NDArray, wrap, arrayHandle, handleOf, options } from './ndarray.js';
import { record, pause, grad as autogradGrad, isRecording } from './autograd.js';
import { nd } from './nd.js';

let depth = 0; // transforms currently running their f

/** Runs body(nested) in a tidy scope; at the outermost level the results are detached. */
function run(where, body) {
  requireInit(where);
  const nested = depth > 0 || isRecording();
  return nd.tidy(() => {
    const result = body(nested);
    return nested ? result : detachAll(result);
  });
}

function detachAll(value) {
  if (value instanceof NDArray) return value.detach();
  return Array.isArray(value) ? value.map(detachAll) : value;
}

function checkFunction(where, f) {
  if (typeof f !== 'function') invalid(where, `expects a function of NDArrays, got ${show(f)}`);
}

/** argnums: an index or an array of indices into the arguments (negative from the end). */
function argIndices(where, argnums, nargs) {
  const list = Array.isArray(argnums) ? argnums : [argnums];
  return list.map((i) => {
    if (!Number.isInteger(i) || i >= nargs || i < -nargs) {
      invalid(where, `argnums ${show(argnums)} does not fit the ${nargs} argument(s) passed`);
    }
    return i < 0 ? i + nargs : i;
  });
}

/** An argument as an NDArray: JS data (numbers, nested arrays) goes through nd.array. */
function asNDArray(where, value, what) {
  if (!(value instanceof NDArray)) return wrap(arrayHandle(where, value), where); // errors name `where`
  handleOf(value, where, what); // DISPOSED if it was
  return value;
}

function arrays(where, values, what) {
  return values.map((v, i) => asNDArray(where, v, `${what}[${i}]`));
}

function connected(a) {
  const h = handleOf(a, 'func');
  return wg.wg_is_recorded(h) !== 0 || wg.wg_is_variable(h) !== 0;
}

/** Records f(...args) with fresh variables for args[i], i in indices: { out, vars }. */
function trace(where, f, args, indices, nested, { listOut = false } = {}) {
  const inputs = args.slice();
  for (const i of indices) inputs[i] = asNDArray(where, args[i], `argument ${i}`);
  const vars = indices.map((i) => inputs[i].detach().attachGrad());
  depth++;
  let out;
  try {
    out = record(() => {
      indices.forEach((i, k) => {
        const a = inputs[i];
        inputs[i] = nested && connected(a) ? vars[k].add(a.sub(a.detach())) : vars[k];
      });
      return f(...inputs);
    });
  } finally {
    depth--;
  }
  const ok = out instanceof NDArray || (listOut && Array.isArray(out) && out.length > 0 && out.every((o) => o instanceof NDArray));
  if (!ok) invalid(where, `f must return an NDArray${listOut ? ' or an array of them' : ''}, got ${show(out)}`);
  return { out, vars };
}

/**
 * autograd.grad as the transforms use it: unused inputs give zeros, as in JAX, and so do
 * heads that no graph connects to the inputs (f returned a constant).
 */
function gradients(heads, vars, nested, headGrads, retainGraph = true) {
  const hs = Array.isArray(heads) ? heads : [heads];
  const gs = Array.isArray(headGrads) ? headGrads : hs.map(() => headGrads ?? null);
  const live = hs.flatMap((h, i) => (connected(h) ? [i] : []));
  if (live.length === 0) return vars.map((v) => nd.zerosLike(v));
  return autogradGrad(live.map((i) => hs[i]), vars,
    { headGrads: live.map((i) => gs[i]), createGraph: nested, retainGraph, allowUnused: true });
}

/** func.valueAndGrad(f, { argnums = 0 }) → (...args) => [value, gradient(s)]. */
export function valueAndGrad(f, opts) {
  return valueAndGradAs('func.valueAndGrad', f, opts);
}

/** func.grad(f, { argnums = 0 }) → (...args) => gradient(s) of a scalar-valued f. */
export function grad(f, opts) {
  const both = valueAndGradAs('func.grad', f, opts);
  return (...args) => nd.tidy(() => both(...args)[1]);
}

function valueAndGradAs(where, f, opts) {
  checkFunction(where, f);
  const { argnums = 0 } = options(where, opts);
  return (...args) => run(where, (nested) => {
    const { out, vars } = trace(where, f, args, argIndices(where, argnums, args.length), nested);
    if (out.size !== 1) {
      invalid(where, `f must return one number (a scalar), got shape [${out.shape}]; use func.vjp or func.jacobian for other outputs`);
    }
    const grads = gradients(out, vars, nested, undefined, nested);
    return [out, Array.isArray(argnums) ? grads : grads[0]];
  });
}

/** func.vjp(f, ...primals) → [out, vjpFn]; vjpFn(cotangent) → one gradient per primal. */
export function vjp(f, ...primals) {
  const where = 'func.vjp';
  requireInit(where);
  checkFunction(where, f);
  const nested = depth > 0 || isRecording();
  // Kept alive (returned from tidy) for vjpFn; freed with vjpFn by the FinalizationRegistry.
  const { out, vars } = nd.tidy(() => trace(where, f, primals, primals.map((_, i) => i), nested));
  const vjpFn = (cotangent) => run(where, (inner) => {
    const [c] = arrays(where, [cotangent], 'cotangent');
    sameShape(where, c, 'the cotangent', out, 'f\'s output');
    return gradients(out, vars, inner, c);
  });
  return [nested ? out : out.detach(), vjpFn];
}

/**
 * func.jvp(f, primals, tangents) → [out, J·tangents], exact, by the double-vjp trick:
 * g(u) = Jᵀu is linear in u, so the vjp of g along the tangents is J·tangents.
 */
export function jvp(f, primals, tangents) {
  return run('func.jvp', (nested) => {
    const { out, vars, ts } = traceAt('func.jvp', f, primals, tangents, nested);
    const u = nd.zerosLike(out).attachGrad();
    const g = gradients(out, vars, true, u);
    const [tangentOut] = gradients(g, [u], nested, ts, nested);
    return [out, tangentOut];
  });
}

/** func.hvp(f, primals, tangents) → H·tangents, one NDArray per primal. */
export function hvp(f, primals, tangents) {
  return run('func.hvp', (nested) => {
    const { out, vars, ts } = traceAt('func.hvp', f, primals, tangents, nested);
    const g = gradients(out, vars, true);
    return gradients(g, vars, nested, ts, nested);
  });
}

/** f traced with every primal differentiable, and one tangent per primal. */
function traceAt(where, f, primals, tangents, nested) {
  checkFunction(where, f);
  const ps = Array.isArray(primals) ? primals : [primals];
  const ts = Array.isArray(tangents) ? tangents : [tangents];
  if (ps.length !== ts.length) invalid(where, `got ${ps.length} primals and ${ts.length} tangents; give one tangent per primal`);
  const traced = trace(where, f, ps, ps.map((_, i) => i), nested);
  const tangentArrays = arrays(where, ts, 'tangents');
  tangentArrays.forEach((t, i) => sameShape(where, t, `tangents[${i}]`, traced.vars[i], `primals[${i}]`));
  return { ...traced, ts: tangentArrays };
}

function sameShape(where, a, what, b, of) {
  if (a.shape.length !== b.shape.length || a.shape.some((n, d) => n !== b.shape[d])) {
    throw new WasmgradError('SHAPE_MISMATCH', `${where}: ${what} has shape [${a.shape}] but ${of} has shape [${b.shape}]; give it the same shape`);
  }
}

/**
 * func.jacobian(f, { argnums = 0 }) → (...args) => d out / d in of shape out.shape + in.shape;
 * per argnum when argnums is an array, per output when f returns an array.
 */
export function jacobian(f, opts) {
  const where = 'func.jacobian';
  checkFunction(where, f);
  const { argnums = 0 } = options(where, opts);
  return (...args) => run(where, (nested) => {
    const { out, vars } = trace(where, f, args, argIndices(where, argnums, args.length), nested, { listOut: true });
    const perOutput = (Array.isArray(out) ? out : [out]).map((o) => {
      const jacs = jacobianRows(o, vars, nested);
      return Array.isArray(argnums) ? jacs : jacs[0];
    });
    return Array.isArray(out) ? perOutput : perOutput[0];
  });
}

/** One backward per element of o, along the unit vectors (rows of an identity matrix). */
function jacobianRows(o, vars, nested) {
  const rows = vars.map(() => []);
  const basis = nd.eye(o.size, { dtype: o.dtype });
  for (let i = 0; i < o.size; i++) {
    const unit = basis.slice([i], [i + 1]).reshape(o.shape);
    gradients(o, vars, nested, unit).forEach((g, k) => rows[k].push(g));
  }
  return vars.map((v, k) => {
    const shape = [...o.shape, ...v.shape];
    return o.size === 0 ? nd.zeros(shape, { dtype: v.dtype }) : nd.stack(rows[k]).reshape(shape);
  });
}

/** func.hessian(f, { argnums = 0 }) = jacobian of grad: shape in.shape + in.shape. */
export function hessian(f, opts) {
  checkFunction('func.hessian', f);
  options('func.hessian', opts); // its errors name func.hessian, not the grad and jacobian inside
  return jacobian(grad(f, opts), opts);
}

/**
 * func.checkGrad(f, inputs, { order = 1, eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 }):
 * derivatives of orders 1..order against central finite differences, in float64.
 *
 * PyTorch's gradcheck / gradgradcheck in their fast form (random directions): with a random
 * head gradient u0, F0(x) = <u0, f(x)>, and F_k(x) = <u_k, ∇F_{k-1}(x)> with random u_k.
 * Order k compares, for each input i and a random direction v, the analytic <∂F_{k-1}/∂x_i, v>
 * with (F_{k-1}(x_i + eps v) - F_{k-1}(x_i - eps v)) / (2 eps); F_{k-1} itself uses the
 * derivatives of order k-1, checked the step before. A check passes when
 * |analytic - numeric| <= atol + rtol |numeric|.
 */
export function checkGrad(f, inputs, opts) {
  const where = 'func.checkGrad';
  requireInit(where);
  checkFunction(where, f);
  const { order = 1, eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = options(where, opts);
  if (!Number.isInteger(order) || order < 1) invalid(where, `order must be a positive integer, got ${show(order)}`);
  for (const [name, value] of Object.entries({ eps, atol, rtol })) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value) || (name === 'eps' && value === 0)) {
      invalid(where, `${name} must be a finite ${name === 'eps' ? 'positive' : 'non-negative'} number, got ${show(value)}`);
    }
  }
  if (!Number.isSafeInteger(seed)) invalid(where, `seed must be an integer, got ${show(seed)}`);
  const list = inputs instanceof NDArray ? [inputs] : inputs;
  if (!Array.isArray(list)) invalid(where, `inputs must be an array of arguments for f (NDArrays or data), got ${show(inputs)}`);
  const random = uniformSource(seed);
  return pause(() => nd.tidy(() => {
    // float64 copies; int32 arrays (indices, labels) are passed as they are and not checked.
    const args = list.map((x, i) => (x instanceof NDArray && x.dtype === 'int32' ? asNDArray(where, x, `inputs[${i}]`)
      : nd.array(x instanceof NDArray ? asNDArray(where, x, `inputs[${i}]`) : x, { dtype: 'float64' })));
    const argnums = args.flatMap((a, i) => (a.dtype === 'float64' ? [i] : []));
    if (argnums.length === 0) invalid(where, 'no input is a float array, so there is nothing to differentiate');
    const out = f(...args);
    if (!(out instanceof NDArray)) invalid(where, `f must return an NDArray, got ${show(out)}`);
    const randomLike = (x) => nd.array(random(x.size), { dtype: 'float64', shape: x.shape });
    // levels[k] is F_k as a function of the arguments, returning a 0-d NDArray.
    const head = randomLike(out);
    const levels = [(...a) => f(...a).mul(head).sum()];
    for (let k = 1; k < order; k++) {
      const heads = argnums.map((i) => randomLike(args[i]));
      const gradient = grad(levels[k - 1], { argnums });
      levels.push((...a) => gradient(...a).map((g, j) => g.mul(heads[j]).sum()).reduce((s, t) => s.add(t)));
    }
    const details = [];
    for (let k = 1; k <= order; k++) {
      const F = levels[k - 1];
      const analytic = nd.tidy(() => grad(F, { argnums })(...args).map((g) => g.toTypedArray()));
      argnums.forEach((i, j) => {
        const x = args[i];
        const values = x.toTypedArray();
        const dir = random(x.size);
        const at = (sign) => nd.tidy(() => {
          const moved = args.slice();
          moved[i] = nd.array(values.map((v, e) => v + sign * eps * dir[e]), { dtype: 'float64', shape: x.shape });
          return F(...moved).item();
        });
        const numeric = (at(1) - at(-1)) / (2 * eps);
        const a = analytic[j].reduce((s, g, e) => s + g * dir[e], 0);
        const absError = Math.abs(a - numeric);
        const relError = absError === 0 ? 0 : absError / Math.abs(numeric);
        details.push({ order: k, input: i, analytic: a, numeric, absError, relError,
          ok: absError <= atol + rtol * Math.abs(numeric) });
      });
    }
    return {
      ok: details.every((d) => d.ok),
      maxAbsError: Math.max(...details.map((d) => d.absError)),
      maxRelError: Math.max(...details.map((d) => d.relError)),
      details,
    };
  }));
}

/** A seeded source of uniform numbers in [-1, 1) (mulberry32), so that checks repeat exactly. */
function uniformSource(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return (n) => Float64Array.from({ length: n }, () => 2 * next() - 1);
}
