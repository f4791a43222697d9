// The seed example of API.md, nested derivatives of sin, and DESIGN.md's defining test.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';

before(async () => {
  await init();
});

test('the seed example of API.md: x.grad = -sin(x)', () => {
  const x = nd.array([1, 2, 3]);
  x.attachGrad();
  const y = autograd.record(() => nd.sin(x));
  const dy = autograd.grad(y, x, { createGraph: true, retainGraph: true })[0];
  assertClose(dy.toTypedArray(), [1, 2, 3].map(Math.cos).map(Math.fround), { rtol: 1e-6, atol: 1e-7, what: 'dy' });
  dy.backward();
  const g = x.grad.toArray();
  assert.ok(Array.isArray(g) && g.length === 3, 'x.grad.toArray() is a 3-element array');
  assertClose(g, [1, 2, 3].map((v) => -Math.sin(v)), { rtol: 1e-6, atol: 1e-7, what: 'x.grad' });
  assert.equal(x.dtype, 'float32');
  assert.equal(x.grad.dtype, 'float32');
});

/** the k-th derivative of sin at xs by nesting autograd.grad with createGraph */
function nthDerivative(f, xs, k, dtype) {
  return nd.tidy(() => {
    const x = nd.array(xs, { dtype });
    x.attachGrad();
    let y = autograd.record(() => f(x));
    for (let i = 0; i < k; i++) y = autograd.grad(y, x, { createGraph: true })[0];
    return Float64Array.from(y.toTypedArray());
  });
}

const POINTS = [-2.5, -1, 0, 0.5, 1, 2, 3];
for (const [dtype, tol] of [['float32', { rtol: 1e-4, atol: 1e-5 }], ['float64', { rtol: 1e-12, atol: 1e-14 }]]) {
  test(`third derivative of sin is -cos (${dtype})`, () => {
    const xs = dtype === 'float32' ? POINTS.map(Math.fround) : POINTS;
    assertClose(nthDerivative(nd.sin, xs, 3, dtype), xs.map((v) => -Math.cos(v)), { ...tol, what: `sin''' ${dtype}` });
  });
}

test('d/dx and d2/dx2 of x^3 at x = 2 give 12 and 12 (DESIGN.md)', () => {
  for (const dtype of ['float32', 'float64']) {
    const cube = (x) => x.mul(x).mul(x);
    assert.equal(nthDerivative(cube, [2], 1, dtype)[0], 12, `d/dx ${dtype}`);
    assert.equal(nthDerivative(cube, [2], 2, dtype)[0], 12, `d2/dx2 ${dtype}`);
    assert.equal(nthDerivative(cube, [2], 3, dtype)[0], 6, `d3/dx3 ${dtype}`);
    assertClose(nthDerivative((x) => nd.power(x, 3), [2], 2, dtype)[0], 12, { rtol: 1e-6, what: `power(x, 3)'' ${dtype}` });
  }
});
