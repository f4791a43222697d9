// The oracles checked on their own, without wasmgrad: each analytic derivative in
// helpers/analytic.mjs is the central difference of the one below it, and each reference
// linear map in helpers/ref.mjs is the adjoint of its partner (<L x, y> = <x, Lᵀ y>).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { UNARY_DERIVS, BINARY_PARTIALS, powerConstExponent, powerConstBase } from './helpers/analytic.mjs';
import * as ref from './helpers/ref.mjs';
import { makeRng } from './helpers/prng.mjs';

const rng = makeRng(3);
const H = 1e-5;
const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
const central = (f, x) => (f(x + H) - f(x - H)) / (2 * H);

describe('unary derivative tables', () => {
  const tables = { ...UNARY_DERIVS, 'x**2.5': powerConstExponent(2.5), 'x**-1.5': powerConstExponent(-1.5), '1.7**x': powerConstBase(1.7) };
  for (const [name, d] of Object.entries(tables)) {
    test(name, () => {
      for (const x of rng.array(20, 0.5, 2)) {
        for (let k = 0; k < 3; k++) close(d[k + 1](x), central(d[k], x), `${name} order ${k + 1} at ${x}`);
      }
    });
  }
});

describe('binary mixed partials', () => {
  for (const [name, p] of Object.entries(BINARY_PARTIALS)) {
    test(name, () => {
      for (let t = 0; t < 10; t++) {
        const [a, b] = [rng.uniform(0.5, 2), rng.uniform(0.5, 2)];
        for (let na = 0; na < 3; na++) {
          for (let nb = 0; na + nb < 3; nb++) {
            close(p(na + 1, nb, a, b), central((u) => p(na, nb, u, b), a), `${name} d/da of (${na},${nb})`);
            close(p(na, nb + 1, a, b), central((v) => p(na, nb, a, v), b), `${name} d/db of (${na},${nb})`);
          }
        }
      }
    });
  }
});

describe('reference linear maps are adjoint pairs', () => {
  const random = (shape) => ({ shape, data: rng.array(ref.sizeOf(shape)) });
  const adjoint = (shape, L, LT) => {
    const x = random(shape);
    const Lx = L(x);
    const y = random(Lx.shape);
    const lhs = ref.dot(Lx, y);
    const rhs = ref.dot(x, LT(y));
    assert.ok(Math.abs(lhs - rhs) < 1e-12, `${lhs} vs ${rhs}`);
  };
  test('broadcastTo / sumTo', () => {
    adjoint([3, 1], (x) => ref.broadcastTo(x, [2, 3, 4]), (y) => ref.sumTo(y, [3, 1]));
    adjoint([], (x) => ref.broadcastTo(x, [2, 3]), (y) => ref.sumTo(y, []));
  });
  test('reduceSum / unreduce', () => {
    for (const opts of [{}, { axis: 1 }, { axis: [0, 2], keepdims: true }, { axis: -1 }]) {
      adjoint([2, 3, 4], (x) => ref.reduceSum(x, opts), (y) => ref.unreduce(y, [2, 3, 4], opts));
    }
  });
  test('transpose / inverse permutation', () => {
    adjoint([2, 3, 4], (x) => ref.transpose(x, [2, 0, 1]), (y) => ref.transpose(y, ref.inversePerm([2, 0, 1])));
  });
  test('matmul against explicit sums', () => {
    const a = random([2, 3]);
    const b = random([3, 2]);
    const c = ref.matmul(a, b);
    const e = [0, 1, 2, 3].map((i) => [0, 1, 2].reduce((s, k) => s + a.data[Math.floor(i / 2) * 3 + k] * b.data[k * 2 + (i % 2)], 0));
    e.forEach((v, i) => close(c.data[i], v, `matmul ${i}`));
    assert.deepEqual(ref.matmul(random([2, 1, 2, 3]), random([3, 3, 2])).shape, [2, 3, 2, 2]);
  });
});
