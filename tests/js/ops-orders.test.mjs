// Every operator of the foundation list x orders 1..3 x {float32, float64}:
// - forward values and nested gradients against analytic formulas in plain JS (helpers/analytic.mjs,
//   helpers/ref.mjs), the elementwise ones in several random points of a safe domain;
// - in float64, the order-k gradient against central differences of the order-(k-1) one
//   (helpers/grad.mjs checkByFD), with random head gradients.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { makeRng } from './helpers/prng.mjs';
import * as ref from './helpers/ref.mjs';
import { toNd, fromNd, roundTo } from './helpers/bridge.mjs';
import { assertClose } from './helpers/check.mjs';
import { allPaths, gradValues, checkByFD } from './helpers/grad.mjs';
import {
  UNARY_DERIVS, BINARY_PARTIALS, powerConstExponent, powerConstBase, expectedElementwise,
} from './helpers/analytic.mjs';

before(async () => {
  await init();
});

const DTYPES = ['float32', 'float64'];
const ORDERS = [1, 2, 3];

/** tolerances of an analytic comparison; order 0 is the forward value */
function tol(dtype, order) {
  if (dtype === 'float64') return { rtol: 1e-10, atol: 1e-12 };
  return order < 3 ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 1e-3, atol: 1e-4 };
}

const rng = makeRng(20240601);
const randomTensor = (shape, lo, hi) => ({ shape, data: rng.array(ref.sizeOf(shape), lo, hi) });

// ---------------------------------------------------------------------------------------------
// Elementwise operators. inputs: reference tensors (variables) or JS numbers (constants).

/**
 * Checks, for one elementwise case, the forward value and every order-k gradient along every
 * path against `partial` (see analytic.mjs), and in float64 against finite differences.
 */
function elementwiseSuite(name, { build, partial, makeInputs }) {
  describe(name, () => {
    const inputs = makeInputs();
    const varInputs = inputs.map((x, i) => i).filter((i) => typeof inputs[i] !== 'number');
    const refs = varInputs.map((i) => inputs[i]);
    // build over the variables only, with the constants put back in place
    const buildVars = (...vars) => build(...inputs.map((x, i) => (typeof x === 'number' ? x : vars[varInputs.indexOf(i)])));

    for (const dtype of DTYPES) {
      const seen = inputs.map((x) => roundTo(x, dtype));
      it(`forward ${dtype}`, () => {
        const out = nd.tidy(() => fromNd(buildVars(...refs.map((t) => toNd(t, dtype)))));
        const expected = ref.zipWith(seen, (...args) => partial(args.map(() => 0), ...args));
        assert.deepEqual(out.shape, expected.shape);
        assertClose(out.data, expected.data, { ...tol(dtype, 0), what: `${name} ${dtype}` });
      });
      for (const k of ORDERS) {
        it(`order ${k} ${dtype} (analytic, every path)`, () => {
          for (const path of allPaths(refs.length, k - 1)) {
            const grads = gradValues(buildVars, refs, dtype, path);
            grads.forEach((g, v) => {
              const expected = expectedElementwise(partial, seen, path.map((p) => varInputs[p]), varInputs[v]);
              assertClose(g.data, expected.data, { ...tol(dtype, k), what: `order ${k} path [${path}] d/d(var ${v})` });
            });
          }
        });
      }
    }
    for (const k of ORDERS) {
      it(`order ${k} float64 vs finite differences`, () => checkByFD(buildVars, refs, k, rng));
    }
  });
}

const UNARY_CASES = [
  ...Object.entries(UNARY_DERIVS).map(([op, derivs]) => ({ name: op, build: (x) => nd[op](x), derivs })),
  { name: 'power(x, 2.5)', build: (x) => nd.power(x, 2.5), derivs: powerConstExponent(2.5), lo: 0.5, hi: 2 },
  { name: 'x.pow(3)', build: (x) => x.pow(3), derivs: powerConstExponent(3) },
  { name: 'power(x, -1.5)', build: (x) => nd.power(x, -1.5), derivs: powerConstExponent(-1.5), lo: 0.5, hi: 2 },
  { name: 'power(1.7, x)', build: (x) => nd.power(1.7, x), derivs: powerConstBase(1.7) },
];
const POSITIVE_DOMAIN = { log: [0.5, 3], sqrt: [0.5, 3] };

describe('unary operators', () => {
  for (const c of UNARY_CASES) {
    const [lo, hi] = POSITIVE_DOMAIN[c.name] ?? [c.lo ?? -2, c.hi ?? 2];
    elementwiseSuite(c.name, {
      build: c.build,
      partial: ([n], x) => c.derivs[n](x),
      makeInputs: () => [randomTensor([2, 3], lo, hi)],
    });
    elementwiseSuite(`${c.name} [37] (SIMD tails)`, {
      build: c.build,
      partial: ([n], x) => c.derivs[n](x),
      makeInputs: () => [randomTensor([37], lo, hi)],
    });
  }
  it('methods give the same values as nd functions', () => {
    nd.tidy(() => {
      const x = nd.array([0.3, 0.7, 1.1], { dtype: 'float64' });
      for (const m of ['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'sqrt', 'square']) {
        assertClose(x[m]().toTypedArray(), nd[m](x).toTypedArray(), { rtol: 0, what: `x.${m}()` });
      }
      assertClose(x.neg().toTypedArray(), [-0.3, -0.7, -1.1], { rtol: 0, what: 'x.neg()' });
    });
  });
});

// Binary operators: both inputs, broadcasting shapes, and a JS number on either side.
const BINARY_DOMAINS = {
  power: [() => [0.5, 2], () => [-1.5, 2.5]],
};
const BINARY_SHAPES = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1], [1, 3]],
  [[], [2, 3]],
  [[3, 7], [7]],
  [[2, 3], 'number'],
  ['number', [2, 3]],
];
const METHOD = { add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', power: 'pow' };

function binaryInput(op, side, spec) {
  const [lo, hi] = BINARY_DOMAINS[op]?.[side]() ?? [-2, 2];
  const awayFromZero = op === 'divide' && side === 1;
  if (spec === 'number') return awayFromZero ? 1.25 : (lo + hi) / 2 + 0.15;
  if (awayFromZero) return { shape: spec, data: rng.signedAway(ref.sizeOf(spec), 0.5, 2) };
  return randomTensor(spec, lo, hi);
}

describe('binary operators', () => {
  for (const op of Object.keys(BINARY_PARTIALS)) {
    for (const [sa, sb] of BINARY_SHAPES) {
      const label = (s) => (s === 'number' ? 'number' : `[${s}]`);
      elementwiseSuite(`${op} ${label(sa)} with ${label(sb)}`, {
        build: (a, b) => nd[op](a, b),
        partial: ([na, nb], a, b) => BINARY_PARTIALS[op](na, nb, a, b),
        makeInputs: () => [binaryInput(op, 0, sa), binaryInput(op, 1, sb)],
      });
    }
    elementwiseSuite(`a.${METHOD[op]}(b) [2,3] with [3]`, {
      build: (a, b) => a[METHOD[op]](b),
      partial: ([na, nb], a, b) => BINARY_PARTIALS[op](na, nb, a, b),
      makeInputs: () => [binaryInput(op, 0, [2, 3]), binaryInput(op, 1, [3])],
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Linear operators L (reductions and layout). The gradient of L is its adjoint Lᵀ (JS
// reference), so with random heads H, h1, h2: grad of sum(H * L(x)) is Lᵀ(H), and the order-k
// gradient of sin(L(x)) is Lᵀ(H * sin⁽ᵏ⁾(L(x)) * L(h1) * ... * L(h_{k-1})).

const meanOf = (opts) => ({
  L: (t) => {
    const r = ref.reduceSum(t, opts);
    const n = t.data.length / r.data.length;
    return { shape: r.shape, data: r.data.map((v) => v / n) };
  },
  LT: (g, shape) => {
    const u = ref.unreduce(g, shape, opts);
    const n = u.data.length / g.data.length;
    return { shape, data: u.data.map((v) => v / n) };
  },
});
const reshapeTo = (shape) => ({
  L: (t) => ({ shape: shape.includes(-1) ? shape.map((n) => (n === -1 ? t.data.length / -ref.sizeOf(shape) : n)) : shape, data: t.data }),
  LT: (g, s) => ({ shape: s, data: g.data }),
});
const REDUCE_OPTIONS = [
  {}, { axis: 1 }, { axis: [0, 2] }, { axis: -1 }, { axis: 1, keepdims: true }, { keepdims: true },
  { axis: [-1, 0], keepdims: true },
];
const LINEAR_CASES = [
  ...REDUCE_OPTIONS.flatMap((opts) => [
    { name: `sum ${JSON.stringify(opts)}`, shape: [2, 3, 4], nd: (x) => nd.sum(x, opts),
      L: (t) => ref.reduceSum(t, opts), LT: (g, s) => ref.unreduce(g, s, opts) },
    { name: `mean ${JSON.stringify(opts)}`, shape: [2, 3, 4], nd: (x) => nd.mean(x, opts), ...meanOf(opts) },
  ]),
  ...[{ axis: 1 }, { axis: 0 }, {}].flatMap((opts) => [
    { name: `sum [3,17] ${JSON.stringify(opts)}`, shape: [3, 17], nd: (x) => nd.sum(x, opts),
      L: (t) => ref.reduceSum(t, opts), LT: (g, s) => ref.unreduce(g, s, opts) },
    { name: `mean [3,17] ${JSON.stringify(opts)}`, shape: [3, 17], nd: (x) => nd.mean(x, opts), ...meanOf(opts) },
  ]),
  { name: 'x.sum({ axis: 1 })', shape: [2, 3, 4], nd: (x) => x.sum({ axis: 1 }),
    L: (t) => ref.reduceSum(t, { axis: 1 }), LT: (g, s) => ref.unreduce(g, s, { axis: 1 }) },
  { name: 'x.mean()', shape: [2, 3, 4], nd: (x) => x.mean(), ...meanOf({}) },
  ...[[6, 4], [4, -1], [24], [2, 3, 4, 1]].map((to) => (
    { name: `reshape to [${to}]`, shape: [2, 3, 4], nd: (x) => nd.reshape(x, to), ...reshapeTo(to) })),
  { name: 'x.reshape([3, 8])', shape: [2, 3, 4], nd: (x) => x.reshape([3, 8]), ...reshapeTo([3, 8]) },
  ...[[2, 0, 1], [1, 0, 2], undefined].map((perm) => ({
    name: `transpose ${perm ? `[${perm}]` : '(reverse)'}`, shape: [2, 3, 4], nd: (x) => nd.transpose(x, perm),
    L: (t) => ref.transpose(t, perm), LT: (g) => ref.transpose(g, ref.inversePerm(perm ?? [2, 1, 0])),
  })),
  ...[[[3, 1], [2, 3, 4]], [[4], [2, 3, 4]], [[], [2, 3]], [[2, 1, 4], [2, 3, 4]]].map(([from, to]) => ({
    name: `broadcastTo [${from}] -> [${to}]`, shape: from, nd: (x) => nd.broadcastTo(x, to),
    L: (t) => ref.broadcastTo(t, to), LT: (g, s) => ref.sumTo(g, s),
  })),
  ...[0, 1, 2, -1].map((axis) => ({
    name: `expandDims axis ${axis}`, shape: [2, 3], nd: (x) => nd.expandDims(x, axis),
    L: (t) => { const s = [...t.shape]; s.splice(axis < 0 ? s.length + 1 + axis : axis, 0, 1); return { shape: s, data: t.data }; },
    LT: (g, s) => ({ shape: s, data: g.data }),
  })),
];

const mulAll = (...ts) => ts.reduce((a, b) => ref.zipWith([a, b], (u, v) => u * v));
const SIN_DERIVS = [0, 1, 2, 3].map((k) => (u) => Math.sin(u + (k * Math.PI) / 2));

describe('linear operators (reductions and layout)', () => {
  for (const c of LINEAR_CASES) {
    describe(c.name, () => {
      const x = randomTensor(c.shape, -2, 2);
      const outShape = c.L(x).shape;
      const buildSin = (v) => nd.sin(c.nd(v));
      for (const dtype of DTYPES) {
        const xs = roundTo(x, dtype);
        it(`forward ${dtype}`, () => {
          const out = nd.tidy(() => fromNd(c.nd(toNd(x, dtype))));
          assert.deepEqual(out.shape, outShape);
          assertClose(out.data, c.L(xs).data, { ...tol(dtype, 0), what: c.name });
        });
        it(`order 1 ${dtype}: the gradient is the adjoint applied to the head gradient`, () => {
          const H = roundTo(randomTensor(outShape, -1, 1), dtype);
          const [g] = gradValues(c.nd, [x], dtype, [], [H]);
          assertClose(g.data, c.LT(H, c.shape).data, { ...tol(dtype, 1), what: `${c.name} grad` });
        });
        it(`order 2 ${dtype}: the gradient of a linear map is constant, next order zeros`, () => {
          const [g] = gradValues(c.nd, [x], dtype, [0]);
          assertClose(g.data, new Float64Array(g.data.length), { rtol: 0, what: `${c.name} order 2` });
        });
        for (const k of ORDERS) {
          it(`order ${k} ${dtype} of sin(${c.name}) with random heads`, () => {
            const heads = [randomTensor(outShape, -1, 1), ...Array.from({ length: k - 1 }, () => randomTensor(c.shape, -1, 1))]
              .map((h) => roundTo(h, dtype));
            const [g] = gradValues(buildSin, [x], dtype, new Array(k - 1).fill(0), heads);
            const u = c.L(xs);
            const inner = mulAll(heads[0], ref.map(u, SIN_DERIVS[k]), ...heads.slice(1).map(c.L));
            assertClose(g.data, c.LT(inner, c.shape).data, { ...tol(dtype, k), what: `${c.name} order ${k}` });
          });
        }
      }
      for (const k of ORDERS) {
        it(`order ${k} float64 of sin(${c.name}) vs finite differences`, () => checkByFD(buildSin, [x], k, rng));
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// matmul: with head H, dA = H @ Bᵀ, dB = Aᵀ @ H (summed over broadcast batch dims). Following
// dA with head h1 (A's shape): d/dB = h1ᵀ @ H, d/dA = 0; following dB with h1 (B's shape):
// d/dA = H @ h1ᵀ, d/dB = 0. The map is bilinear, so order 3 is zeros.

function matmulExpected(A, B, path, heads) {
  const zeros = (t) => ({ shape: t.shape, data: new Float64Array(t.data.length) });
  const [H, h1] = heads;
  const to = (t, s) => ref.sumTo(t, s.shape);
  if (path.length === 0) return [to(ref.matmul(H, ref.mT(B)), A), to(ref.matmul(ref.mT(A), H), B)];
  if (path.length === 2) return [zeros(A), zeros(B)];
  return path[0] === 0
    ? [zeros(A), to(ref.matmul(ref.mT(h1), H), B)]
    : [to(ref.matmul(H, ref.mT(h1)), A), zeros(B)];
}

const MATMUL_SHAPES = [
  [[2, 3], [3, 4]],
  [[2, 2, 3], [3, 4]],
  [[2, 3], [2, 3, 4]],
  [[2, 1, 2, 3], [3, 3, 2]],
  [[5, 9], [9, 7]],
  [[1, 1], [1, 1]],
];

describe('matmul', () => {
  for (const [sa, sb] of MATMUL_SHAPES) {
    describe(`[${sa}] @ [${sb}]`, () => {
      const A = randomTensor(sa, -1.5, 1.5);
      const B = randomTensor(sb, -1.5, 1.5);
      const build = (a, b) => nd.matmul(a, b);
      const outShape = ref.matmul(A, B).shape;
      for (const dtype of DTYPES) {
        const [As, Bs] = [roundTo(A, dtype), roundTo(B, dtype)];
        it(`forward ${dtype}`, () => {
          const out = nd.tidy(() => fromNd(nd.matmul(toNd(A, dtype), toNd(B, dtype))));
          assert.deepEqual(out.shape, outShape);
          assertClose(out.data, ref.matmul(As, Bs).data, { ...tol(dtype, 0), what: 'matmul' });
        });
        for (const k of ORDERS) {
          it(`order ${k} ${dtype} (analytic, every path, random heads)`, () => {
            for (const path of allPaths(2, k - 1)) {
              const heads = [randomTensor(outShape, -1, 1), ...path.map((v) => randomTensor([sa, sb][v], -1, 1))]
                .map((h) => roundTo(h, dtype));
              const grads = gradValues(build, [A, B], dtype, path, heads);
              matmulExpected(As, Bs, path, heads).forEach((e, j) =>
                assertClose(grads[j].data, e.data, { ...tol(dtype, k), what: `order ${k} path [${path}] d/d${'AB'[j]}` }));
            }
          });
        }
      }
      for (const k of ORDERS) {
        it(`order ${k} float64 of matmul(A,B)**2 vs finite differences`, () =>
          checkByFD((a, b) => nd.square(nd.matmul(a, b)), [A, B], k, rng));
        it(`order ${k} float64 of sin(matmul(A,B)) vs finite differences`, () =>
          checkByFD((a, b) => nd.sin(nd.matmul(a, b)), [A, B], k, rng));
      }
    });
  }
});
