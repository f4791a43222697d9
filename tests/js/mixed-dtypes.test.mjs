// A float32 array with a float64 one computes in float64 (NumPy promotion): at every order, the
// float32 variable's gradient is the all-float64 gradient rounded once to float32, and the float64
// variable's gradient is the all-float64 gradient exactly.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { allPaths, orderK } from './helpers/grad.mjs';
import { makeRng } from './helpers/prng.mjs';

before(async () => {
  await init();
});

const rng = makeRng(77);
const CASES = {
  'sin(a * b), a [2,3] b [3]': [(a, b) => nd.sin(nd.multiply(a, b)), [2, 3], [3]],
  'matmul(a, b) ** 2, a [2,3] b [3,2]': [(a, b) => nd.square(nd.matmul(a, b)), [2, 3], [3, 2]],
  'concat([a, b]) then logsumexp': [(a, b) => nd.logsumexp(nd.concat([a, b], 0)), [2, 3], [1, 3]],
  'where(b > 0, a, b) * a': [(a, b) => nd.multiply(nd.where(nd.greater(b, 0), a, b), a), [2, 3], [2, 3]],
};

/** the order-(path.length + 1) gradients with a and b in the given dtypes, as plain arrays */
function grads(f, [av, bv], [ta, tb], path, heads) {
  return nd.tidy(() => {
    const a = nd.array(av.data, { dtype: ta, shape: av.shape });
    const b = nd.array(bv.data, { dtype: tb, shape: bv.shape });
    a.attachGrad();
    b.attachGrad();
    const hs = heads.map((h) => nd.array(h.data, { dtype: 'float64', shape: h.shape }));
    return orderK(f, [a, b], path, hs).map((g, j) => {
      assert.equal(g.dtype, [ta, tb][j], `gradient ${j} keeps its variable's dtype`);
      return Array.from(g.toTypedArray());
    });
  });
}

describe('float32 with float64, orders 1..3', () => {
  for (const [name, [f, sa, sb]] of Object.entries(CASES)) {
    test(name, () => {
      const random = (shape) => ({ shape, data: Float64Array.from(rng.array(shape.reduce((x, y) => x * y, 1)), Math.fround) });
      const inputs = [random(sa), random(sb)];
      const outShape = nd.tidy(() => [...f(nd.array(inputs[0].data, { shape: sa }), nd.array(inputs[1].data, { shape: sb, dtype: 'float64' })).shape]);
      for (const k of [1, 2, 3]) {
        for (const path of allPaths(2, k - 1)) {
          const heads = [random(outShape), ...path.map((j) => random([sa, sb][j]))];
          const mixed = grads(f, inputs, ['float32', 'float64'], path, heads);
          const f64 = grads(f, inputs, ['float64', 'float64'], path, heads);
          assert.deepEqual(mixed[0], f64[0].map(Math.fround), `order ${k} path [${path}] d/da`);
          assert.deepEqual(mixed[1], f64[1], `order ${k} path [${path}] d/db`);
        }
      }
    });
  }
});
