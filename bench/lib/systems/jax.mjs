// jax-js on its wasm device (one thread in Node), eagerly and under jit. jax-js moves
// ownership: every function consumes its array arguments, so each run passes `.ref`s of the
// inputs, and dataSync() consumes the result, which leaves nothing to free.
import { init, numpy as np, nn, lax, grad, jit } from '@jax-js/jax';

/** d^order/dx^order of op, elementwise: nested grad of sums. */
function nthDerivative(op, order) {
  // each array argument is consumed once: x, used twice, passes a .ref first
  const COMPOSED = { gelu: (x) => x.ref.mul(0.5).mul(lax.erf(x.mul(Math.SQRT1_2)).add(1)) };
  let f = COMPOSED[op] ?? np[op];
  for (let k = 0; k < order; k++) {
    const inner = f;
    f = grad((x) => np.sum(inner(x)));
  }
  return f;
}

/** labels arrive one-hot (float32); every argument is used exactly once. */
function mlpLoss(W1, b1, W2, b2, X, labels) {
  const hidden = np.tanh(np.matmul(X, W1).add(b1));
  const logp = nn.logSoftmax(np.matmul(hidden, W2).add(b2), -1);
  return np.mean(np.sum(logp.mul(labels), 1)).mul(-1);
}
const MLP_ARGS = ['W1', 'b1', 'W2', 'b2', 'X', 'labels'];

/** Each kind: params => [function of arrays, the input names it takes in order]. */
const kinds = {
  unary: ({ op, order }) => [nthDerivative(op, order), ['x']],
  bcast: () => [(x, y) => x.ref.mul(y).add(x), ['x', 'y']],
  reduceSum: () => [(x) => np.sum(x, 1), ['x']],
  matmul: () => [(a, b) => np.matmul(a, b), ['a', 'b']],
  mlpGrad: () => [grad(mlpLoss, { argnums: [0, 1, 2, 3] }), MLP_ARGS],
  mlpHvp: () => [
    grad((W1, b1, W2, b2, X, labels, V) => np.sum(grad(mlpLoss)(W1, b1, W2, b2, X, labels).mul(V))),
    [...MLP_ARGS, 'V'],
  ],
};

function jaxSystem(name, useJit) {
  const wrapKind = (make) => (t, params) => {
    const [f0, names] = make(params);
    const f = useJit ? jit(f0) : f0;
    const run = () => [f(...names.map((n) => t[n].ref))].flat().map((a) => a.dataSync());
    if (useJit) run.dispose = () => f.dispose();
    return run;
  };
  return {
    name,
    load: () => init('wasm'), // a bare init() throws "navigator is not defined" in Node
    sin3: () => (useJit ? jit(np.sin) : np.sin)(np.array(new Float32Array([1, 2, 3]))).dataSync(),
    fromHost({ data, shape, dtype, classes }) {
      if (classes) return nn.oneHot(np.array(data, { dtype: np.int32 }), classes).astype(np.float32);
      return np.array(data, { dtype: np[dtype] }).reshape(shape);
    },
    free: (a) => a.dispose(),
    live: () => null, // jax-js has no public count of live arrays
    kinds: Object.fromEntries(Object.entries(kinds).map(([k, make]) => [k, wrapKind(make)])),
  };
}

export const systems = [jaxSystem('jax-js', false), jaxSystem('jax-js-jit', true)];
