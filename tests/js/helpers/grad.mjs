// Gradients of any order by nesting autograd.grad with createGraph, and their float64
// finite-difference check (gradgradcheck recipe: the order-k gradient is checked against
// central differences of the order-(k-1) quantity, which is itself a value of the library).
import assert from 'node:assert/strict';
import { nd, autograd } from '../../../js/index.js';
import { fdGradient, fdDirectional, wasmScalar } from './fd.mjs';
import { toNd, fromNd } from './bridge.mjs';
import { assertClose } from './check.mjs';
import { sizeOf } from './ref.mjs';

/**
 * out = build(...vars) recorded, then one createGraph gradient per entry of `path`
 * (path[i] is the index of the variable whose gradient is kept), each with headGrads heads[i]
 * (undefined: the default ones). Returns the order-path.length quantity (an NDArray).
 */
export function followPath(build, vars, path, heads = []) {
  let out = autograd.record(() => build(...vars));
  path.forEach((v, i) => {
    const opts = { createGraph: true, headGrads: heads[i] };
    // With several variables a derivative may not depend on all of them (d/da of a+b);
    // with one variable a constant derivative must give zeros without allowUnused (API.md).
    if (vars.length > 1) opts.allowUnused = true;
    out = autograd.grad(out, vars, opts)[v];
    assert.equal(out.dtype, vars[v].dtype, `the order-${i + 1} gradient keeps its variable's dtype`);
  });
  return out;
}

/** the order-(path.length + 1) gradients w.r.t. every variable, one NDArray each */
export function orderK(build, vars, path, heads = []) {
  const out = followPath(build, vars, path, heads);
  const opts = { headGrads: heads[path.length] };
  if (vars.length > 1 && path.length > 0) opts.allowUnused = true;
  return autograd.grad(out, vars, opts);
}

/** every sequence of `len` variable indices out of n (the paths of an order-(len+1) gradient) */
export function allPaths(n, len) {
  if (len === 0) return [[]];
  return allPaths(n, len - 1).flatMap((p) => [...Array(n).keys()].map((v) => [...p, v]));
}

/** variables (attached float NDArrays) from reference tensors */
export function variables(inputs, dtype) {
  return inputs.map((t) => {
    const x = toNd(t, dtype);
    x.attachGrad();
    return x;
  });
}

/** the order-k gradient along `path` as reference tensors, everything else freed */
export function gradValues(build, inputs, dtype, path, heads = []) {
  return nd.tidy(() => {
    const vars = variables(inputs, dtype);
    const hs = heads.map((h) => (h ? toNd(h, dtype) : undefined));
    return orderK(build, vars, path, hs).map((g, j) => {
      assert.deepEqual(g.shape, inputs[j].shape, `gradient ${j} has the variable's shape`);
      assert.equal(g.dtype, dtype, `gradient ${j} of order ${path.length + 1} keeps the dtype`);
      return fromNd(g);
    });
  });
}

/** the shape of build's output for these inputs */
export const outShape = (build, inputs) => nd.tidy(() => [...build(...variables(inputs, 'float64')).shape]);

/**
 * Checks every order-k gradient of `build` (NDArrays -> NDArray) at `inputs` (reference
 * tensors) against float64 central differences, along every path, with random head gradients
 * drawn from `rng`. Order 1: every element. Order k > 1: one random direction per variable.
 */
export function checkByFD(build, inputs, k, rng, { atol = 1e-6, rtol = 1e-6 } = {}) {
  const randomLike = (shape) => ({ shape, data: rng.array(sizeOf(shape), -1, 1) });
  const shape0 = outShape(build, inputs);
  for (const path of allPaths(inputs.length, k - 1)) {
    const heads = [randomLike(shape0), ...path.map((v) => randomLike(inputs[v].shape))];
    const grads = gradValues(build, inputs, 'float64', path, heads);
    const headNds = heads.slice(0, -1).map((h) => toNd(h, 'float64'));
    const F = wasmScalar((...xs) => followPath(build, xs, path, headNds), heads.at(-1).data);
    const what = (j) => `order ${k} path [${path}] d/d(input ${j})`;
    try {
      if (k === 1) {
        fdGradient(F, inputs).forEach((fd, j) => assertClose(grads[j].data, fd, { rtol, atol, what: what(j) }));
      } else {
        inputs.forEach((x, j) => {
          const dir = rng.array(sizeOf(x.shape), -1, 1);
          const fd = fdDirectional(F, inputs, j, dir);
          const an = grads[j].data.reduce((s, g, i) => s + g * dir[i], 0);
          assertClose(an, fd, { rtol, atol, what: `${what(j)} along a random direction` });
        });
      }
    } finally {
      headNds.forEach((h) => h.dispose());
    }
  }
}
