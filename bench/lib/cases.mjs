// The case table of BENCH.md. Each timed case names a `kind` that every system adapter
// implements once (unary, bcast, reduceSum, matmul, mlpGrad, mlpHvp), its parameters, its
// inputs (built from the shared generator) and its float64 reference.
import { uniform, labels } from './data.mjs';
import * as ref from './reference.mjs';

const M = 2 ** 20;

const unaryCase = (id, op, order, work) => ({
  id, kind: 'unary', params: { op, order }, work,
  size: { full: { n: M }, quick: { n: 2 ** 16 } },
  inputs: ({ n }) => ({ x: uniform('x', [n]) }),
  reference: ref.unary,
});

const matmulCase = (n) => ({
  id: `matmul_${n}`, kind: 'matmul', work: `[${n},${n}] @ [${n},${n}]`,
  size: { full: { n }, quick: { n: n / 4 } },
  inputs: ({ n }) => ({ a: uniform('a', [n, n]), b: uniform('b', [n, n]) }),
  reference: ref.matmul,
});

/**
 * The MLP of BENCH.md. X and the biases are uniform(-1, 1); the weights are uniform(-1, 1)
 * scaled by 1/sqrt(fan_in) (the usual initialisation), so that tanh does not saturate and the
 * W1 gradient is a meaningful check rather than mostly zeros.
 */
const mlpInputs = ({ batch }, withV) => ({
  X: uniform('X', [batch, 784]),
  W1: uniform('W1', [784, 128], 1 / Math.sqrt(784)),
  b1: uniform('b1', [128]),
  W2: uniform('W2', [128, 10], 1 / Math.sqrt(128)),
  b2: uniform('b2', [10]),
  labels: labels('labels', batch, 10),
  ...(withV ? { V: uniform('V', [784, 128]) } : {}),
});

export const CASES = [
  unaryCase('unary_fwd', 'tanh', 0, 'y = tanh(x), 1M elements; read y'),
  unaryCase('unary_grad1', 'tanh', 1, "d/dx sum(tanh x), 1M: record, backward, read x.grad"),
  unaryCase('unary_grad2', 'tanh', 2, "tanh'' elementwise, 1M (grad with createGraph, then backward)"),
  unaryCase('unary_grad3', 'tanh', 3, "tanh''' elementwise, 1M (one level deeper)"),
  unaryCase('sin_grad2', 'sin', 2, "sin'' elementwise, 1M"),
  {
    id: 'binary_bcast', kind: 'bcast', work: 'z = x * y + x, x [1024,1024], y [1,1024]',
    size: { full: { n: 1024 }, quick: { n: 256 } },
    inputs: ({ n }) => ({ x: uniform('x', [n, n]), y: uniform('y', [1, n]) }),
    reference: ref.bcast,
  },
  {
    id: 'reduce_sum', kind: 'reduceSum', work: 'sum over axis 1 of [1024,1024]',
    size: { full: { n: 1024 }, quick: { n: 256 } },
    inputs: ({ n }) => ({ x: uniform('x', [n, n]) }),
    reference: ref.reduceSum,
  },
  matmulCase(256),
  matmulCase(512),
  {
    id: 'mlp_grad', kind: 'mlpGrad', work: 'MLP 784-128-10, batch 64: dLoss/d(W1, b1, W2, b2)',
    size: { full: { batch: 64 }, quick: { batch: 64 } },
    inputs: (s) => mlpInputs(s, false),
    reference: ref.mlpGrad,
  },
  {
    id: 'mlp_hvp', kind: 'mlpHvp', work: 'MLP Hessian-vector product w.r.t. W1 along V',
    size: { full: { batch: 64 }, quick: { batch: 64 } },
    inputs: (s) => mlpInputs(s, true),
    reference: ref.mlpHvp,
  },
];

/**
 * Beyond BENCH.md's suite: deep compositions at higher orders, where a tracing compiler
 * (jax-js's jit) fuses what wasmgrad's eager operators and rules run pass by pass. Reported
 * in their own table; the targets are the suite's.
 * GELU is exact: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, as each system composes it.
 */
export const EXTRA_CASES = [
  unaryCase('gelu_grad2', 'gelu', 2, "GELU'' elementwise, 1M: x (1 + erf(x / sqrt 2)) / 2 composed"),
  unaryCase('gelu_grad3', 'gelu', 3, "GELU''' elementwise, 1M"),
];

/** Cases that are not a timed loop in this process. */
export const SPECIAL = [
  { id: 'startup', work: 'new process: import, init, first 3-element sin, exit; minus bare node' },
  { id: 'bundle', work: 'gzip -9 bytes a browser downloads to run unary_grad2 (JS + wasm, minified)' },
];

export const ALL_IDS = [...CASES.map((c) => c.id), ...SPECIAL.map((c) => c.id), ...EXTRA_CASES.map((c) => c.id)];
