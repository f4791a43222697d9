// "Any order": derivatives of orders 1..8 (float64) and 1..5 (float32) by nesting createGraph
// gradients, against closed forms that hold at every order:
//   tanh^(n) = P_n(tanh) with P_0 = t, P_(n+1) = (1 - t^2) P_n'(t); sigmoid likewise with s (1 - s);
//   erf^(n+1) = 2/sqrt(pi) (-1)^n H_n(x) e^(-x^2) (physicists' Hermite); sin, exp, log, x^5 and a
//   product with zeros directly.
import { describe, test, before } from 'node:test';
import { init, nd } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';
import { gradValues } from './helpers/grad.mjs';

before(async () => {
  await init();
});

/** coefficients (lowest first) of the polynomials P_0..P_n with P_(k+1) = w(u) P_k'(u) */
function derivativePolynomials(p0, w, n) {
  const mul = (a, b) => a.flatMap((_, i) => b.map((_, j) => [i + j, a[i] * b[j]]))
    .reduce((acc, [k, c]) => ((acc[k] = (acc[k] ?? 0) + c), acc), []);
  const deriv = (a) => a.slice(1).map((c, i) => c * (i + 1));
  const out = [p0];
  for (let k = 0; k < n; k++) out.push(mul(w, deriv(out[k])));
  return out;
}
const evaluate = (coefs, u) => coefs.reduceRight((acc, c) => acc * u + c, 0);
const TANH = derivativePolynomials([0, 1], [1, 0, -1], 8); // w = 1 - t^2
const SIGMOID = derivativePolynomials([0, 1], [0, 1, -1], 8); // w = s - s^2
const hermite = (n, x) => { let [a, b] = [1, 2 * x]; for (let k = 1; k < n; k++) [a, b] = [b, 2 * x * b - 2 * k * a]; return n === 0 ? 1 : b; };
const factorial = (n) => (n <= 1 ? 1 : n * factorial(n - 1));

/** name: [f, nth derivative (n, x) => value, points] */
const CASES = {
  tanh: [(x) => nd.tanh(x), (n, x) => evaluate(TANH[n], Math.tanh(x)), [-1.3, 0.3, 2]],
  sigmoid: [(x) => nd.sigmoid(x), (n, x) => evaluate(SIGMOID[n], 1 / (1 + Math.exp(-x))), [-2, 0.3, 1.5]],
  erf: [(x) => nd.erf(x), (n, x) => (2 / Math.sqrt(Math.PI)) * (-1) ** (n - 1) * hermite(n - 1, x) * Math.exp(-x * x), [-0.8, 0.4, 1.1]],
  sin: [(x) => nd.sin(x), (n, x) => Math.sin(x + (n * Math.PI) / 2), [-2, 0.7, 3]],
  exp: [(x) => nd.exp(x), (n, x) => Math.exp(x), [-1, 0.5, 2]],
  log: [(x) => nd.log(x), (n, x) => ((-1) ** (n - 1) * factorial(n - 1)) / x ** n, [0.5, 1.3, 3]],
  'x**5': [(x) => nd.power(x, 5), (n, x) => (n > 5 ? 0 : (factorial(5) / factorial(5 - n)) * x ** (5 - n)), [-1.2, 0, 0.9]],
};
const TOL = { float64: { rtol: 1e-10, atol: 1e-10 }, float32: { rtol: 2e-3, atol: 2e-3 } };
const MAX_ORDER = { float64: 8, float32: 5 };

describe('elementwise derivatives of orders up to 8', () => {
  for (const dtype of ['float64', 'float32']) {
    for (const [name, [f, nth, points]] of Object.entries(CASES)) {
      test(`${name}, orders 1..${MAX_ORDER[dtype]} (${dtype})`, () => {
        const xs = dtype === 'float32' ? points.map(Math.fround) : points;
        const scale = (n) => Math.max(1, ...xs.map((x) => Math.abs(nth(n, x))));
        for (let n = 1; n <= MAX_ORDER[dtype]; n++) {
          const [g] = gradValues(f, [{ shape: [xs.length], data: Float64Array.from(xs) }], dtype, new Array(n - 1).fill(0));
          const { rtol, atol } = TOL[dtype];
          assertClose(g.data, xs.map((x) => nth(n, x)), { rtol, atol: atol * scale(n), what: `${name} order ${n}` });
        }
      });
    }
  }
  test('a product with two zeros, orders 1..5: the sums of its derivative tensors', () => {
    // d^n/dx_i... of x0 x1 x2 x3 at (0, 0, 2, 3), contracted with ones: sums over ordered distinct indices
    const expected = [[0, 0, 0, 0], [6, 6, 0, 0], [10, 10, 6, 4], [6, 6, 6, 6], [0, 0, 0, 0]];
    expected.forEach((e, k) => {
      const [g] = gradValues((x) => nd.prod(x), [{ shape: [4], data: Float64Array.of(0, 0, 2, 3) }], 'float64', new Array(k).fill(0));
      assertClose(g.data, e, { rtol: 0, what: `order ${k + 1}` });
    });
  });
});
