// Higher-order derivatives where other libraries are known to fail, against analytic formulas,
// in float32 and float64:
// - TensorFlow.js fails or is silently wrong at second order for x·exp(x), x·tanh(x),
//   x·sigmoid(x) (SiLU), log(1 + exp(x)) (softplus) and softmax cross-entropy;
// - MXNet's own tests expected the wrong sign for the second derivatives of arcsinh and arccosh.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';
import { gradValues } from './helpers/grad.mjs';
import { makeRng } from './helpers/prng.mjs';
import * as ref from './helpers/ref.mjs';

before(async () => {
  await init();
});

const DTYPES = ['float32', 'float64'];
const TOL = { float32: { rtol: 2e-5, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-15 } };
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const tensor = (xs) => ({ shape: [xs.length], data: Float64Array.from(xs) });
const round = (dtype, xs) => (dtype === 'float32' ? xs.map(Math.fround) : xs);

/** f(x) elementwise and its derivatives of orders 1..3, written out */
const SCALAR_CASES = {
  'x·exp(x)': {
    f: (x) => x.mul(x.exp()),
    d: [(x) => (x + 1) * Math.exp(x), (x) => (x + 2) * Math.exp(x), (x) => (x + 3) * Math.exp(x)],
  },
  'x·tanh(x)': {
    f: (x) => x.mul(x.tanh()),
    d: [
      (x) => { const t = Math.tanh(x); return t + x * (1 - t * t); },
      (x) => { const t = Math.tanh(x); return 2 * (1 - t * t) * (1 - x * t); },
      (x) => { const t = Math.tanh(x); const s = 1 - t * t; return -4 * t * s * (1 - x * t) - 2 * s * (t + x * s); },
    ],
  },
  'x·sigmoid(x) (SiLU)': {
    f: (x) => x.mul(x.sigmoid()),
    d: [
      (x) => { const s = sigmoid(x); return s + x * s * (1 - s); },
      (x) => { const s = sigmoid(x); return 2 * s * (1 - s) + x * s * (1 - s) * (1 - 2 * s); },
      (x) => { const s = sigmoid(x); return 3 * s * (1 - s) * (1 - 2 * s) + x * s * (1 - s) * (1 - 6 * s + 6 * s * s); },
    ],
  },
  'log(1 + exp(x)) written out': {
    f: (x) => nd.log(nd.add(1, nd.exp(x))),
    d: [sigmoid, (x) => sigmoid(x) * (1 - sigmoid(x)), (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 2 * s); }],
  },
  'softplus(x)': {
    f: (x) => nd.softplus(x),
    d: [sigmoid, (x) => sigmoid(x) * (1 - sigmoid(x)), (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 2 * s); }],
  },
  // MXNet expected +x(1+x^2)^(-3/2) and +x(x^2-1)^(-3/2): the sign is minus
  "arcsinh'' = -x (1 + x^2)^(-3/2)": {
    f: (x) => nd.arcsinh(x),
    d: [(x) => (1 + x * x) ** -0.5, (x) => -x * (1 + x * x) ** -1.5, (x) => (2 * x * x - 1) * (1 + x * x) ** -2.5],
  },
};
const POINTS = [-3, -1, -0.5, 0, 0.5, 1, 3];

describe('elementwise second and third derivatives against formulas', () => {
  for (const [name, { f, d }] of Object.entries(SCALAR_CASES)) {
    for (const dtype of DTYPES) {
      test(`${name}, orders 1..3, ${dtype}`, () => {
        const x = round(dtype, POINTS);
        d.forEach((dk, k) => {
          const [g] = gradValues(f, [tensor(x)], dtype, new Array(k).fill(0));
          assertClose(g.data, x.map(dk), { ...TOL[dtype], what: `${name} order ${k + 1}` });
        });
      });
    }
  }
  test('softplus stays exact far out in the tails (float64)', () => {
    const x = [-40, -20, 20, 40];
    const [g2] = gradValues((v) => nd.softplus(v), [tensor(x)], 'float64', [0]);
    // sigmoid'(x) = e^-|x| / (1 + e^-|x|)^2: relative accuracy on the left tail, absolute on the right
    // (1 - sigmoid(x) rounds to 0 past 37, as in every library computing it from the output)
    const expected = x.map((v) => Math.exp(-Math.abs(v)) / (1 + Math.exp(-Math.abs(v))) ** 2);
    assertClose(g2.data.slice(0, 2), expected.slice(0, 2), { rtol: 1e-12, what: 'left tail' });
    assertClose(g2.data.slice(2), expected.slice(2), { rtol: 1e-6, atol: 1e-16, what: 'right tail' });
  });
  for (const dtype of DTYPES) {
    test(`arcsinh'' < 0 and arccosh'' < 0 for x > 0 (${dtype})`, () => {
      const [as] = gradValues((v) => nd.arcsinh(v), [tensor([1, 2])], dtype, [0]);
      const [ac] = gradValues((v) => nd.arccosh(v), [tensor([2, 3])], dtype, [0]);
      assertClose(as.data, [-(2 ** -1.5), -2 * 5 ** -1.5], { ...TOL[dtype], what: "arcsinh''" });
      assertClose(ac.data, [-2 * 3 ** -1.5, -3 * 8 ** -1.5], { ...TOL[dtype], what: "arccosh''" });
      assert.ok([...as.data, ...ac.data].every((v) => v < 0));
    });
  }
});

// ---- softmax cross-entropy: gradient, full Hessian and the third-order tensor -----------------
// L(z) = mean_i (logsumexp(z_i) - z_i[y_i]); per row s = softmax(z_i):
//   dL/dz = (s - onehot) / n,  H = (diag(s) - s sᵀ) / n (block diagonal over rows),
//   T_abc = d H_ab / dz_c = (ds_a/dz_c (δ_ab - s_b) - s_a ds_b/dz_c) / n with ds_a/dz_c = s_a (δ_ac - s_c).
describe('softmax cross-entropy, orders 1..3 against formulas', () => {
  const shape = [2, 3];
  const labels = [1, 0];
  const logits = [0.3, -1.2, 2.0, 1.1, 0.4, -0.6];
  const n = shape[0];
  const c = shape[1];
  const rowOf = (a) => Math.floor(a / c);
  const build = (z) => nd.softmaxCrossEntropy(z, labels);
  const size = n * c;
  const z = { shape, data: Float64Array.from(logits) };
  const s = ref.mapGroups(z, [1], ref.softmaxOf).data;
  const ds = (a, b) => (rowOf(a) === rowOf(b) ? s[a] * ((a === b) - s[b]) : 0);
  const hess = (a, b) => (rowOf(a) === rowOf(b) ? (s[a] * (a === b) - s[a] * s[b]) / n : 0);
  const third = (a, b, k) => (rowOf(a) === rowOf(b) ? (ds(a, k) * ((a === b) - s[b]) - s[a] * ds(b, k)) / n : 0);
  const basis = (i) => tensor(Array.from({ length: size }, (_, j) => (j === i ? 1 : 0)));

  for (const dtype of DTYPES) {
    test(`gradient (s - onehot) / n (${dtype})`, () => {
      const [g] = gradValues(build, [z], dtype, []);
      const expected = Array.from(s, (v, a) => (v - (labels[rowOf(a)] === a % c)) / n);
      assertClose(g.data, expected, { ...TOL[dtype], what: 'gradient' });
    });
    test(`Hessian (diag(s) - s sᵀ) / n, row by row (${dtype})`, () => {
      for (let a = 0; a < size; a++) {
        const [row] = gradValues(build, [z], dtype, [0], [null, { shape, data: basis(a).data }]);
        assertClose(row.data, Array.from({ length: size }, (_, b) => hess(a, b)), { ...TOL[dtype], what: `Hessian row ${a}` });
      }
    });
    test(`third-order tensor contracted with two random directions (${dtype})`, () => {
      const rng = makeRng(5);
      const [u, w] = [0, 1].map(() => round(dtype, Array.from(rng.array(size))));
      const [g] = gradValues(build, [z], dtype, [0, 0], [null, { shape, data: Float64Array.from(u) }, { shape, data: Float64Array.from(w) }]);
      const expected = Array.from({ length: size }, (_, k) => {
        let sum = 0;
        for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) sum += u[a] * w[b] * third(a, b, k);
        return sum;
      });
      assertClose(g.data, expected, { ...TOL[dtype], what: 'T(u, w, .)' });
    });
  }
});
