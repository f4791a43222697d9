// Central finite differences in float64: the independent oracle for gradients of any order
// (PyTorch's gradcheck / gradgradcheck recipe).
//
// A function under test is `F(...inputs) -> number` over reference tensors ({shape, data}),
// usually built with `wasmScalar` from a function of NDArrays. FD never looks at a
// gradient that wasmgrad computed: only at values of F.
import { nd } from '../../../js/index.js';
import { sizeOf } from './ref.mjs';

export const FD_EPS = 1e-6;

const shifted = (inputs, j, delta) =>
  inputs.map((x, k) => {
    if (k !== j) return x;
    const data = Float64Array.from(x.data);
    delta(data);
    return { shape: x.shape, data };
  });

/** the full gradient of scalar F w.r.t. each input, one central difference per element */
export function fdGradient(F, inputs, eps = FD_EPS) {
  return inputs.map((x, j) =>
    Float64Array.from({ length: sizeOf(x.shape) }, (_, i) => {
      const plus = F(...shifted(inputs, j, (d) => (d[i] += eps)));
      const minus = F(...shifted(inputs, j, (d) => (d[i] -= eps)));
      return (plus - minus) / (2 * eps);
    }),
  );
}

/** the derivative of F along direction `dir` of input j: (F(x + eps dir) - F(x - eps dir)) / 2 eps */
export function fdDirectional(F, inputs, j, dir, eps = FD_EPS) {
  const plus = F(...shifted(inputs, j, (d) => d.forEach((_, i) => (d[i] += eps * dir[i]))));
  const minus = F(...shifted(inputs, j, (d) => d.forEach((_, i) => (d[i] -= eps * dir[i]))));
  return (plus - minus) / (2 * eps);
}

/**
 * Wraps `f(...ndarrays) -> NDArray` into F(...refTensors) -> number: the inputs become float64
 * NDArrays with attached gradients (so f may differentiate), the result is read back with
 * toTypedArray and, if `weights` is given, reduced as sum(weights * result) in JS.
 * Everything f creates is freed with nd.tidy.
 */
export function wasmScalar(f, weights = null) {
  return (...inputs) =>
    nd.tidy(() => {
      const xs = inputs.map((x) => {
        const a = nd.array(Float64Array.from(x.data), { dtype: 'float64', shape: x.shape });
        a.attachGrad();
        return a;
      });
      const out = Float64Array.from(f(...xs).toTypedArray());
      if (!weights) return out.reduce((s, v) => s + v, 0);
      return out.reduce((s, v, i) => s + v * weights[i], 0);
    });
}
