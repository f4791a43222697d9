// The operators of API.md without a derivative, in float32 and float64:
// - comparisons: 0/1 in the operands' dtype (NaN compares unequal), broadcasting and JS numbers on
//   either side, methods, and constants inside a graph (they pass no gradient at any order);
// - creation and random: every constructor in each dtype, seeded sampling reproducible.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd } from '../../js/index.js';
import { assertClose, assertWgError } from './helpers/check.mjs';
import { gradValues } from './helpers/grad.mjs';
import * as ref from './helpers/ref.mjs';

before(async () => {
  await init();
});

const DTYPES = ['float32', 'float64'];
const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array };

const COMPARISONS = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
};
const A = { shape: [2, 3], data: Float64Array.from([1, -2, NaN, 0.5, 3, -0]) };
const B = { shape: [3], data: Float64Array.from([1, 0.5, NaN]) };

describe('comparisons', () => {
  for (const [op, js] of Object.entries(COMPARISONS)) {
    const expected = (a, b) => ref.zipWith([a, b], (u, w) => (js(u, w) ? 1 : 0)).data;
    for (const dtype of DTYPES) {
      test(`${op} ${dtype}: broadcasting, numbers on either side, method; 0/1 in ${dtype}`, () => nd.tidy(() => {
        const a = nd.array(A.data, { dtype, shape: A.shape });
        const b = nd.array(B.data, { dtype });
        const cases = [
          [nd[op](a, b), expected(A, B)],
          [a[op](b), expected(A, B)],
          [nd[op](a, 0.5), expected(A, 0.5)],
          [nd[op](0.5, a), expected(0.5, A)],
        ];
        for (const [got, want] of cases) {
          assert.equal(got.dtype, dtype);
          assert.ok(got.toTypedArray() instanceof TYPED[dtype]);
          assert.deepEqual(Array.from(got.toTypedArray()), Array.from(want));
        }
      }));
    }
    test(`${op} int32: int32 0/1`, () => nd.tidy(() => {
      const got = nd[op](nd.array([1, 2, 3], { dtype: 'int32' }), 2);
      assert.equal(got.dtype, 'int32');
      assert.deepEqual(Array.from(got.toTypedArray()), [1, 2, 3].map((u) => (js(u, 2) ? 1 : 0)));
    }));
  }
  for (const dtype of DTYPES) {
    test(`a comparison is a constant in a graph: d/dx of x * (x > 0) is the mask, at orders 1 and 2 (${dtype})`, () => {
      const x = { shape: [4], data: Float64Array.from([-1, 2, 0, 0.5]) };
      const f = (v) => v.mul(nd.greater(v, 0));
      assertClose(gradValues(f, [x], dtype, [])[0].data, [0, 1, 0, 1], { what: 'order 1' });
      assertClose(gradValues(f, [x], dtype, [0])[0].data, [0, 0, 0, 0], { what: 'order 2' });
    });
    test(`a comparison alone records nothing: grad of it is NOT_RECORDED (${dtype})`, () => nd.tidy(() => {
      const x = nd.array([1, -2], { dtype });
      x.attachGrad();
      const y = autograd.record(() => nd.lessEqual(x, 0));
      assertWgError(() => autograd.grad(y, [x]), 'NOT_RECORDED');
    }));
  }
});

// [name, make(dtype), shape, values]
const CREATION = [
  ['zeros', (dtype) => nd.zeros([2, 2], { dtype }), [2, 2], [0, 0, 0, 0]],
  ['ones', (dtype) => nd.ones([3], { dtype }), [3], [1, 1, 1]],
  ['full', (dtype) => nd.full([2], 0.1, { dtype }), [2], [0.1, 0.1]],
  ['arange', (dtype) => nd.arange(1, 2, 0.25, { dtype }), [4], [1, 1.25, 1.5, 1.75]],
  ['linspace', (dtype) => nd.linspace(0, 1, 5, { dtype }), [5], [0, 0.25, 0.5, 0.75, 1]],
  ['eye', (dtype) => nd.eye(2, { dtype }), [2, 2], [1, 0, 0, 1]],
  ['array', (dtype) => nd.array([[0.1, 2], [3, -4]], { dtype }), [2, 2], [0.1, 2, 3, -4]],
  ['zerosLike', (dtype) => nd.zerosLike(nd.ones([2, 1], { dtype })), [2, 1], [0, 0]],
  ['onesLike', (dtype) => nd.onesLike(nd.zeros([1, 2], { dtype })), [1, 2], [1, 1]],
];

describe('creation and random', () => {
  for (const dtype of DTYPES) {
    for (const [name, make, shape, values] of CREATION) {
      test(`${name} ${dtype}: shape, dtype and values`, () => nd.tidy(() => {
        const x = make(dtype);
        assert.deepEqual([x.shape, x.dtype], [shape, dtype]);
        const round = dtype === 'float32' ? values.map(Math.fround) : values;
        assert.deepEqual(Array.from(x.toTypedArray()), round);
      }));
    }
    for (const sampler of ['uniform', 'normal']) {
      test(`random.${sampler} ${dtype}: the same seed gives the same values, another seed others`, () => {
        const draw = (seed) => nd.tidy(() => {
          nd.random.seed(seed);
          const x = nd.random[sampler](0, 1, [3, 4], { dtype });
          assert.deepEqual([x.shape, x.dtype], [[3, 4], dtype]);
          return Array.from(x.toTypedArray());
        });
        assert.deepEqual(draw(11), draw(11));
        assert.notDeepEqual(draw(11), draw(12));
      });
    }
  }
});
