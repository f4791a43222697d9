// Derivatives of any order with wasmgrad: f, f', f'', f''' of sin and tanh, each obtained by
// nesting autograd.grad with createGraph (float64), beside the analytic values.
//
//   node demos/derivatives.mjs
//
// Exits with status 1 if any value is more than 1e-9 from the analytic one.
import { init, nd, autograd } from '../js/index.js';

const FUNCTIONS = {
  sin: {
    f: (x) => nd.sin(x),
    analytic: [Math.sin, Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x)],
  },
  tanh: {
    f: (x) => nd.tanh(x),
    analytic: [
      Math.tanh,
      (x) => 1 - Math.tanh(x) ** 2,
      (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
      (x) => -2 * (1 - Math.tanh(x) ** 2) * (1 - 3 * Math.tanh(x) ** 2),
    ],
  },
};
const POINTS = [-1, 0, 0.5, 2];
const ORDER = 3;
const TOLERANCE = 1e-9;

/** [f(x), f'(x), ..., f^(order)(x)] at every point, each a plain array of numbers */
function derivatives(f, points, order) {
  return nd.tidy(() => {
    const x = nd.array(points, { dtype: 'float64' });
    x.attachGrad();
    let y = autograd.record(() => f(x));
    const values = [Array.from(y.toTypedArray())];
    for (let k = 1; k <= order; k++) {
      // the gradient of sum(y) w.r.t. x, itself recorded so that it can be differentiated again
      y = autograd.grad(y, x, { createGraph: true })[0];
      values.push(Array.from(y.toTypedArray()));
    }
    return values;
  });
}

await init();

const NAMES = ['f', "f'", "f''", "f'''"];
const cell = (s, w) => String(s).padStart(w);
let worst = 0;
for (const [name, { f, analytic }] of Object.entries(FUNCTIONS)) {
  const computed = derivatives(f, POINTS, ORDER);
  console.log(`\n${name}(x) and its derivatives, float64`);
  console.log(['x', 'order', 'wasmgrad', 'analytic', 'abs error'].map((h, i) => cell(h, [5, 6, 24, 24, 11][i])).join(' '));
  POINTS.forEach((x, i) => {
    for (let k = 0; k <= ORDER; k++) {
      const got = computed[k][i];
      const expected = analytic[k](x);
      const err = Math.abs(got - expected);
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
      console.log([cell(k === 0 ? x : '', 5), cell(NAMES[k], 6), cell(got.toPrecision(17), 24),
        cell(expected.toPrecision(17), 24), cell(err.toExponential(2), 11)].join(' '));
    }
  });
}

console.log(`\nlargest absolute error: ${worst.toExponential(2)} (tolerance ${TOLERANCE})`);
if (!(worst <= TOLERANCE)) {
  console.error('FAIL: a derivative is further than the tolerance from its analytic value');
  process.exit(1);
}
