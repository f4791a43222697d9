// wasmgrad, through its public API (MXNet-style autograd), as users import it: the package entry dist/wasmgrad.mjs.
import { init, nd, autograd } from '../../../dist/wasmgrad.mjs';

const { record } = autograd;

/** Compositions of the extra cases (bench/lib/cases.mjs), by name. */
const COMPOSED = {
  gelu: (x) => x.mul(0.5).mul(nd.erf(x.mul(Math.SQRT1_2)).add(1)),
};

/** record(f(x)) and take `order` nested gradients of the sum, the last one by backward. */
function nthDerivative(op, order, x) {
  const f = COMPOSED[op] ?? nd[op];
  if (order === 0) return f(x).toTypedArray();
  record(() => {
    let y = f(x);
    for (let k = 1; k < order; k++) y = autograd.grad(y.sum(), x, { createGraph: true })[0];
    return y.sum();
  }).backward();
  return x.grad.toTypedArray();
}

function mlpLoss({ X, W1, b1, W2, b2, labels }) {
  const hidden = nd.tanh(nd.matmul(X, W1).add(b1));
  return nd.softmaxCrossEntropy(nd.matmul(hidden, W2).add(b2), labels);
}

/** Each kind: (inputs as NDArrays, params) => one run, returning typed arrays. */
const kinds = {
  unary: (t, { op, order }) => {
    if (order > 0) t.x.attachGrad();
    return () => nd.tidy(() => nthDerivative(op, order, t.x));
  },
  bcast: (t) => () => nd.tidy(() => t.x.mul(t.y).add(t.x).toTypedArray()),
  reduceSum: (t) => () => nd.tidy(() => t.x.sum({ axis: 1 }).toTypedArray()),
  matmul: (t) => () => nd.tidy(() => nd.matmul(t.a, t.b).toTypedArray()),
  mlpGrad: (t) => {
    const params = [t.W1, t.b1, t.W2, t.b2];
    for (const p of params) p.attachGrad();
    return () => nd.tidy(() => autograd.grad(record(() => mlpLoss(t)), params).map((g) => g.toTypedArray()));
  },
  mlpHvp: (t) => {
    t.W1.attachGrad();
    return () => nd.tidy(() => {
      record(() => {
        const [g] = autograd.grad(mlpLoss(t), t.W1, { createGraph: true });
        return g.mul(t.V).sum();
      }).backward();
      return t.W1.grad.toTypedArray();
    });
  },
};

export const wasmgrad = {
  name: 'wasmgrad',
  load: () => init(),
  sin3: () => nd.tidy(() => nd.sin(nd.array([1, 2, 3])).toTypedArray()),
  fromHost: ({ data, shape, dtype }) => nd.array(data, { shape, dtype }),
  free: (a) => a.dispose(),
  live: () => nd.memory().arrays,
  kinds,
};

export const systems = [wasmgrad];
