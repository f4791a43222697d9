// TensorFlow.js 4.22.0: one bundled tfjs-core with two backends, 'wasm' (XNNPACK, SIMD, one
// thread in Node) and 'cpu' (plain JS). Both live in this one process; the runner calls
// activate() before each system's turn, since tensors belong to the backend that made them.
import { TF_WASM_DIR, loadTf } from '../tfjs-bundle.mjs';

let tf = null;

/** Runs fn in tf.tidy, reads every resulting tensor back, disposes them. */
function read(fn) {
  const out = tf.tidy(fn);
  const arrays = [out].flat().map((t) => t.dataSync());
  tf.dispose(out);
  return arrays;
}

/** d^order/dx^order of op, elementwise: nested tf.grad of sums. */
function nthDerivative(op, order) {
  const COMPOSED = { gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) };
  let f = COMPOSED[op] ?? ((x) => tf[op](x));
  for (let k = 0; k < order; k++) {
    const inner = f;
    f = tf.grad((x) => tf.sum(inner(x)));
  }
  return f;
}

const mlpLoss = ({ X, labels }) => (W1, b1, W2, b2) => {
  const hidden = tf.tanh(tf.add(tf.matMul(X, W1), b1));
  return tf.losses.softmaxCrossEntropy(labels, tf.add(tf.matMul(hidden, W2), b2));
};

const kinds = {
  unary: (t, { op, order }) => {
    const f = nthDerivative(op, order);
    return () => read(() => f(t.x));
  },
  bcast: (t) => () => read(() => tf.add(tf.mul(t.x, t.y), t.x)),
  reduceSum: (t) => () => read(() => tf.sum(t.x, 1)),
  matmul: (t) => () => read(() => tf.matMul(t.a, t.b)),
  mlpGrad: (t) => {
    const grads = tf.grads(mlpLoss(t));
    return () => read(() => grads([t.W1, t.b1, t.W2, t.b2]));
  },
  mlpHvp: (t) => {
    const loss = mlpLoss(t);
    const gradW1 = tf.grad((W1) => loss(W1, t.b1, t.W2, t.b2));
    const hvp = tf.grad((W1) => tf.sum(tf.mul(gradW1(W1), t.V)));
    return () => read(() => hvp(t.W1));
  },
};

function tfSystem(name, backend) {
  return {
    name,
    async load() {
      tf ??= loadTf();
      tf.env().set('PROD', true); // no debug checks, no "install tfjs-node" banner
      tf.setWasmPaths(TF_WASM_DIR);
      await this.activate();
    },
    async activate() {
      if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not initialise`);
      await tf.ready();
    },
    sin3: () => read(() => tf.sin(tf.tensor1d([1, 2, 3])))[0],
    fromHost({ data, shape, dtype, classes }) {
      // Labels enter the loss as one-hot rows (built once, outside the timed runs).
      if (classes) return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data, 'int32'), classes), 'float32'));
      return tf.tensor(data, shape, dtype);
    },
    free: (a) => tf.dispose(a),
    explain: (message) => (message.startsWith('Cannot compute gradient')
      ? "(TF.js's tanh gradient is 1 - y² in terms of its saved output y, through which nested tf.grad " +
        'does not differentiate, so any second derivative through tanh throws; sin works.)'
      : null),
    live: () => tf.memory().numTensors,
    kinds,
  };
}

export const systems = [tfSystem('tfjs-wasm', 'wasm'), tfSystem('tfjs-cpu', 'cpu')];
