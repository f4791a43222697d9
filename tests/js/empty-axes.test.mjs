// Reductions and softmax over an axis of size 0, in float32 and float64: NumPy's values (the sum
// of nothing is 0, the product 1, logsumexp -inf, the mean NaN; max and min are an error), and
// gradients of orders 1 and 2 of the input's (empty) shape.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { assertWgError } from './helpers/check.mjs';
import { gradValues } from './helpers/grad.mjs';

before(async () => {
  await init();
});

const EMPTY = { shape: [0, 3], data: new Float64Array(0) };
// [name, f, value of each of the 3 outputs]
const CASES = [
  ['sum', (x) => nd.sum(x, { axis: 0 }), 0],
  ['prod', (x) => nd.prod(x, { axis: 0 }), 1],
  ['mean', (x) => nd.mean(x, { axis: 0 }), NaN],
  ['logsumexp', (x) => nd.logsumexp(x, { axis: 0 }), -Infinity],
  ['norm', (x) => nd.norm(x, { axis: 0 }), 0],
];

describe('reductions over an axis of size 0', () => {
  for (const dtype of ['float32', 'float64']) {
    for (const [name, f, value] of CASES) {
      test(`${name} ${dtype}: value ${value}, gradients of orders 1 and 2 are empty`, () => {
        const y = nd.tidy(() => Array.from(f(nd.zeros([0, 3], { dtype })).toTypedArray()));
        assert.deepEqual(y, [value, value, value]);
        for (const path of [[], [0]]) assert.deepEqual(gradValues(f, [EMPTY], dtype, path)[0].shape, [0, 3]);
      });
    }
    for (const op of ['softmax', 'logSoftmax']) {
      test(`${op} ${dtype} along an empty axis: an empty result and empty gradients`, () => {
        const f = (x) => nd[op](x, 0);
        assert.deepEqual(nd.tidy(() => f(nd.zeros([0, 3], { dtype })).shape), [0, 3]);
        assert.deepEqual(gradValues((x) => f(x).sum(), [EMPTY], dtype, [0])[0].shape, [0, 3]);
      });
    }
    test(`max and min ${dtype} of no elements are an INVALID_ARGUMENT error`, () => nd.tidy(() => {
      for (const op of ['max', 'min']) assertWgError(() => nd[op](nd.zeros([0, 3], { dtype }), { axis: 0 }), 'INVALID_ARGUMENT', /size 0/);
    }));
  }
});
