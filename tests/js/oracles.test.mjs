// The oracles checked on their own, without wasmgrad: each analytic derivative in
// helpers/analytic.mjs is the central difference of the one below it, the erf oracle matches
// tabulated values, and each reference linear map in helpers/ref.mjs is the adjoint of its
// partner (<L x, y> = <x, Lᵀ y>) or matches a small example written out by hand.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { UNARY_DERIVS, BINARY_PARTIALS, powerConstExponent, powerConstBase, clipDerivs } from './helpers/analytic.mjs';
import { UNARY_DOMAINS, uniform } from './helpers/operators.mjs';
import { erf } from './helpers/erf.mjs';
import { ulpDistance64 } from './helpers/ulp.mjs';
import * as ref from './helpers/ref.mjs';
import { makeRng } from './helpers/prng.mjs';

const rng = makeRng(3);
const H = 1e-5;
const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
const central = (f, x) => (f(x + H) - f(x - H)) / (2 * H);

describe('unary derivative tables', () => {
  const tables = {
    ...Object.fromEntries(Object.entries(UNARY_DERIVS).map(([op, d]) => [op, [d, UNARY_DOMAINS[op]]])),
    'x**2.5': [powerConstExponent(2.5), uniform(0.5, 2)],
    'x**-1.5': [powerConstExponent(-1.5), uniform(0.5, 2)],
    '1.7**x': [powerConstBase(1.7), uniform(-2, 2)],
    'clip(x, -0.5, 0.8)': [clipDerivs(-0.5, 0.8), uniform(-2, 2)],
  };
  for (const [name, [d, domain]] of Object.entries(tables)) {
    test(name, () => {
      for (const x of domain(20, rng)) {
        for (let k = 0; k < 3; k++) close(d[k + 1](x), central(d[k], x), `${name} order ${k + 1} at ${x}`);
      }
    });
  }
});

describe('erf oracle', () => {
  // 20 digits (Abramowitz & Stegun table 7.1 gives the first 15); JS rounds each literal to the nearest double
  const TABLE = [
    [0.1, 0.11246291601828489220], [0.5, 0.52049987781304653768], [1, 0.84270079294971486934],
    [1.5, 0.96610514647531072707], [2, 0.99532226501895273416], [3, 0.99997790950300141456],
    [4, 0.99999998458274209972], [1e-5, 1.1283791670578999350e-5],
  ];
  test('tabulated values to within an ulp, odd symmetry', () => {
    for (const [x, e] of TABLE) {
      assert.ok(ulpDistance64(erf(x), e) <= 1, `erf(${x}) = ${erf(x)}, table ${e}`);
      assert.equal(erf(-x), -erf(x));
    }
    assert.deepEqual([erf(0), erf(-0), erf(Infinity), erf(-Infinity), erf(40)], [0, -0, 1, -1, 1]);
    assert.ok(Number.isNaN(erf(NaN)));
  });
  test("erf' = 2/sqrt(pi) exp(-x^2) on both sides of the series/continued-fraction switch at 3", () => {
    for (const x of [...uniform(0.5, 4)(20, rng), 2.9999, 3.0001]) close(UNARY_DERIVS.erf[1](x), central(erf, x), `erf' at ${x}`);
  });
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
  test('slice, flip, take, concat, stack against small examples', () => {
    const t = ref.fromFn([2, 3], (i) => i); // [[0, 1, 2], [3, 4, 5]]
    assert.deepEqual(Array.from(ref.slice(t, [null, -1], [null, null], [1, -2]).data), [2, 0, 5, 3]);
    assert.deepEqual(Array.from(ref.slice(t, [1], [], [1]).data), [3, 4, 5]);
    assert.deepEqual(Array.from(ref.flip(t, 1).data), [2, 1, 0, 5, 4, 3]);
    assert.deepEqual(Array.from(ref.flip(t).data), [5, 4, 3, 2, 1, 0]);
    const taken = ref.take(t, ref.tensor([2, 2], [0, -1, 2, 2]), 1);
    assert.deepEqual([taken.shape, Array.from(taken.data)], [[2, 2, 2], [0, 2, 2, 2, 3, 5, 5, 5]]);
    const joined = ref.concat([t, ref.fromFn([2, 1], (i) => 9 + i)], 1);
    assert.deepEqual([joined.shape, Array.from(joined.data)], [[2, 4], [0, 1, 2, 9, 3, 4, 5, 10]]);
    const stacked = ref.stack([t, t], 2);
    assert.deepEqual([stacked.shape, Array.from(stacked.data.slice(0, 4))], [[2, 3, 2], [0, 0, 1, 1]]);
  });
  test('softmax, logsumexp, norms and the cross-entropy against direct formulas', () => {
    const v = [0.5, -1, 2];
    const z = v.reduce((s, x) => s + Math.exp(x), 0);
    v.forEach((x, i) => close(ref.softmaxOf(v)[i], Math.exp(x) / z, 'softmax'));
    close(ref.logsumexpOf(v), Math.log(z), 'logsumexp');
    close(ref.normOf(2)(v), Math.hypot(...v), 'norm 2');
    close(ref.normOf(Infinity)(v), 2, 'norm inf');
    close(ref.softmaxCrossEntropy(ref.tensor([1, 3], v), [2]).data[0], Math.log(z) - 2, 'cross-entropy');
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
