// Property tests (fast-check): random shapes, axes, dtypes and values against plain JS.
// - broadcasting: every binary operator over random broadcast-compatible shapes (and
//   incompatible ones: SHAPE_MISMATCH), dtype promotion, a JS number on either side;
// - reductions: sum mean prod max min logsumexp over random axes (number, list, negative,
//   omitted) with keepdims, axes of size 0 included;
// - gradient identities in float64: linearity of grad, the product rule, symmetric Hessians
//   (func.hessian) and symmetric mixed partials (nested autograd.grad).
// The reference is helpers/ref.mjs (plain JS float64, never the library).
// Runs are reproducible: WASMGRAD_FC_SEED picks another seed, WASMGRAD_FC_RUNS more runs.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, nd, autograd, func } from '../../js/index.js';
import { assertClose, assertWgError, valuesOf } from './helpers/check.mjs';
import { zipWith, reduceWith, REDUCERS, sizeOf } from './helpers/ref.mjs';

before(async () => {
  await init();
});

const SEED = Number(process.env.WASMGRAD_FC_SEED ?? 7919);
const RUNS = Number(process.env.WASMGRAD_FC_RUNS ?? 150);
const check = (arb, predicate, numRuns = RUNS) =>
  fc.assert(fc.property(arb, (input) => nd.tidy(() => predicate(input)) ?? true), { seed: SEED, numRuns });

const ROUND = { float32: Math.fround, float64: (v) => v, int32: (v) => v | 0 };

// ---- arbitraries ---------------------------------------------------------------------------
const dimArb = fc.integer({ min: 0, max: 4 });
const shapeArb = fc.array(dimArb, { maxLength: 4 });
/** moderate doubles, with the occasional -0, integer, NaN or infinity */
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -20, max: 20, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: -4, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, NaN, Infinity, -Infinity, 0.5, 1e-7) },
);
const valuesFor = (shape, arb = valueArb) => fc.array(arb, { minLength: sizeOf(shape), maxLength: sizeOf(shape) });

/** one operand broadcast to `out`: some leading axes dropped, some sizes set to 1 */
const operandShape = (out) =>
  fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
    .map(([drop, ones]) => out.slice(drop).map((n, d) => (ones[d] ? 1 : n)));

const dtypeArb = fc.constantFrom('float32', 'float64', 'int32');

function promoted(a, b) {
  if (a === 'float64' || b === 'float64') return 'float64';
  return a === 'float32' || b === 'float32' ? 'float32' : 'int32';
}

/** an operand: shape, dtype and values, as a reference tensor and an NDArray made from it */
const makeArray = ({ shape, dtype, values }) => {
  const data = Float64Array.from(values, (v) => (dtype === 'int32' ? (Number.isFinite(v) ? Math.trunc(v) : 0) : v));
  const x = nd.array(data, { dtype, shape });
  return { ref: { shape, data: Float64Array.from(data, ROUND[dtype]) }, x };
};

// ---- broadcasting ---------------------------------------------------------------------------
const BINARY = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  equal: (a, b) => +(a === b),
  greater: (a, b) => +(a > b),
  lessEqual: (a, b) => +(a <= b),
};
const COMPARE = new Set(['equal', 'greater', 'lessEqual']);

const broadcastCase = shapeArb.chain((out) =>
  fc.record({
    op: fc.constantFrom(...Object.keys(BINARY)),
    a: fc.record({ shape: operandShape(out), dtype: dtypeArb }),
    b: fc.record({ shape: operandShape(out), dtype: dtypeArb }),
    method: fc.boolean(),
  }).chain((c) => fc.record({
    ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, fc.constant(v)])),
    av: valuesFor(c.a.shape),
    bv: valuesFor(c.b.shape),
  })));

describe('broadcasting against JS', () => {
  test('binary operators over random broadcast shapes and dtypes', () => {
    check(broadcastCase, ({ op, a, b, av, bv, method }) => {
      const A = makeArray({ ...a, values: av });
      const B = makeArray({ ...b, values: bv });
      const dtype = promoted(a.dtype, b.dtype);
      const run = () => (method ? A.x[op](B.x) : nd[op](A.x, B.x));
      if (dtype === 'int32' && !COMPARE.has(op)) {
        assertWgError(run, 'DTYPE_MISMATCH', new RegExp(op));
        return;
      }
      const y = run();
      const want = zipWith([A.ref, B.ref], BINARY[op]);
      assert.deepEqual(y.shape, want.shape, `${op} [${a.shape}] [${b.shape}]`);
      assert.equal(y.dtype, dtype, `${op} ${a.dtype} ${b.dtype}`);
      // the library computes in the promoted dtype: + - * / correctly rounded, so exact
      assertClose(valuesOf(y), want.data.map(ROUND[dtype]), { rtol: 0, what: `${op} [${a.shape}] [${b.shape}]` });
    });
  });

  test('a JS number on either side takes the array\'s dtype', () => {
    const arb = fc.record({ op: fc.constantFrom('add', 'subtract', 'multiply', 'divide', 'maximum'),
      shape: shapeArb, dtype: fc.constantFrom('float32', 'float64'), s: valueArb, first: fc.boolean() })
      .chain((c) => fc.record({ c: fc.constant(c), v: valuesFor(c.shape) }));
    check(arb, ({ c: { op, shape, dtype, s, first }, v }) => {
      const A = makeArray({ shape, dtype, values: v });
      const y = first ? nd[op](s, A.x) : nd[op](A.x, s);
      const sr = ROUND[dtype](s);
      const want = zipWith([A.ref], (e) => (first ? BINARY[op](sr, e) : BINARY[op](e, sr)));
      assert.equal(y.dtype, dtype);
      assertClose(valuesOf(y), want.data.map(ROUND[dtype]), { rtol: 0, what: `${op} with ${s}` });
    });
  });

  test('shapes that do not broadcast: SHAPE_MISMATCH naming both shapes', () => {
    const arb = fc.tuple(shapeArb.filter((s) => s.length > 0), fc.nat(), fc.integer({ min: 2, max: 5 }),
      fc.constantFrom(...Object.keys(BINARY)));
    check(arb, ([shape, at, size, op]) => {
      const d = at % shape.length;
      const a = nd.zeros(shape.map((n, k) => (k === d ? size : n)));
      const b = nd.zeros(shape.map((n, k) => (k === d ? size + 1 : n)).slice(at % (d + 1)));
      assertWgError(() => nd[op](a, b), 'SHAPE_MISMATCH', new RegExp(op), /\[.*\].*\[.*\]/);
    });
  });
});

// ---- reductions -----------------------------------------------------------------------------
/** axis: omitted, one axis or a list of distinct axes, each possibly negative */
const axisFor = (ndim) => fc.oneof(
  fc.constant(undefined),
  ndim === 0 ? fc.constant([]) : fc.integer({ min: -ndim, max: ndim - 1 }),
  fc.shuffledSubarray([...Array(ndim).keys()]).chain((axes) =>
    fc.array(fc.boolean(), { minLength: axes.length, maxLength: axes.length })
      .map((neg) => axes.map((a, i) => (neg[i] ? a - ndim : a)))),
);

const reductionCase = shapeArb.chain((shape) => fc.record({
  shape: fc.constant(shape),
  dtype: fc.constantFrom('float32', 'float64'),
  op: fc.constantFrom('sum', 'mean', 'prod', 'max', 'min', 'logsumexp'),
  axis: axisFor(shape.length),
  keepdims: fc.boolean(),
  method: fc.boolean(),
  values: valuesFor(shape, fc.oneof({ weight: 9, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) })),
}));

/** ref.mjs's reducers, with logsumexp exact at infinities (and -inf for no elements) */
const REF = {
  ...REDUCERS,
  logsumexp: (v) => {
    const m = v.reduce((acc, e) => (Number.isNaN(acc) || Number.isNaN(e) ? NaN : Math.max(acc, e)), -Infinity);
    return Number.isFinite(m) ? m + Math.log(v.reduce((s, e) => s + Math.exp(e - m), 0)) : m;
  },
};

describe('reductions against JS', () => {
  test('sum mean prod max min logsumexp, random axes and keepdims', () => {
    check(reductionCase, ({ shape, dtype, op, axis, keepdims, values, method }) => {
      // products reassociate: keep them away from underflow (tiny * tiny * inf is order-dependent)
      const vs = op !== 'prod' ? values : values.map((v) => (Math.abs(v) < 0.25 ? 0 : Math.sign(v) * Math.max(Math.abs(v), 0.5)));
      const A = makeArray({ shape, dtype, values: vs });
      const opts = { axis, keepdims };
      const run = () => (method ? A.x[op](opts) : nd[op](A.x, opts));
      const axes = axis === undefined ? [...shape.keys()] : [axis].flat().map((a) => (a < 0 ? a + shape.length : a));
      if ((op === 'max' || op === 'min') && axes.some((d) => shape[d] === 0)) {
        assertWgError(run, 'INVALID_ARGUMENT', new RegExp(op), /size 0/);
        return;
      }
      const y = run();
      const want = reduceWith(A.ref, opts, REF[op]);
      const what = `${op} of [${shape}] ${dtype} over ${JSON.stringify(axis)}${keepdims ? ' keepdims' : ''}`;
      assert.deepEqual(y.shape, want.shape, what);
      assert.equal(y.dtype, dtype, what);
      // float64 accumulation in another order than JS's: a few roundings; float32 output rounding
      const tol = dtype === 'float32' ? { rtol: 2e-6, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-12 };
      assertClose(valuesOf(y), want.data.map(ROUND[dtype]), { ...tol, what });
    });
  });

  test('axes out of range or repeated: INVALID_ARGUMENT', () => {
    const arb = shapeArb.chain((shape) => fc.record({
      shape: fc.constant(shape),
      axis: fc.oneof(
        fc.integer({ min: shape.length, max: shape.length + 3 }),
        fc.integer({ min: -shape.length - 3, max: -shape.length - 1 }),
        shape.length ? fc.integer({ min: 0, max: shape.length - 1 }).map((a) => [a, a - shape.length]) : fc.constant(0),
      ),
      op: fc.constantFrom('sum', 'mean', 'prod', 'max', 'min', 'logsumexp', 'norm'),
    }));
    check(arb, ({ shape, axis, op }) => {
      const x = nd.zeros(shape);
      assertWgError(() => nd[op](x, { axis }), 'INVALID_ARGUMENT', new RegExp(op), /axis/);
    });
  });
});

// ---- gradient identities --------------------------------------------------------------------
// Scalar functions of a float64 vector, composed from smooth operators; inputs in [-1.5, 1.5].
const PIECES = [
  (x) => x.sin(),
  (x) => x.tanh(),
  (x) => x.sigmoid(),
  (x) => x.square(),
  (x) => x.exp(),
  (x) => x.arctan(),
  (x) => nd.softplus(x),
  (x) => nd.log1p(x.square()),
  (x) => x.mul(x.cos()),
  (x) => nd.erf(x),
];
const REDUCE = [
  (y) => y.sum(),
  (y) => y.logsumexp(),
  (y) => y.mean(),
  (y) => y.mul(y.flip()).sum(), // couples the entries: off-diagonal Hessian terms
  (y) => nd.dot(y, y.sin()),
];
const scalarFnArb = fc.tuple(fc.nat(PIECES.length - 1), fc.nat(REDUCE.length - 1), fc.nat(PIECES.length - 1))
  .map(([p, r, q]) => Object.assign((x) => REDUCE[r](PIECES[p](PIECES[q](x).mul(0.8))), { label: `${r}(${p}(${q}))` }));
const pointArb = fc.integer({ min: 1, max: 5 })
  .chain((n) => fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: n, maxLength: n }));
const coefArb = fc.double({ min: -3, max: 3, noNaN: true });
const vec = (v) => nd.array(v, { dtype: 'float64' });
const gradValues = (f, x) => valuesOf(func.grad(f)(vec(x)));

describe('gradient identities (float64)', () => {
  test('linearity: grad(a f + b g) = a grad f + b grad g', () => {
    check(fc.tuple(scalarFnArb, scalarFnArb, coefArb, coefArb, pointArb), ([f, g, a, b, x]) => {
      const lhs = gradValues((v) => f(v).mul(a).add(g(v).mul(b)), x);
      const gf = gradValues(f, x);
      const gg = gradValues(g, x);
      assertClose(lhs, gf.map((v, i) => a * v + b * gg[i]), { rtol: 1e-12, atol: 1e-12, what: `${f.label}, ${g.label}` });
    });
  });

  test('product rule: grad(f g) = f grad g + g grad f', () => {
    check(fc.tuple(scalarFnArb, scalarFnArb, pointArb), ([f, g, x]) => {
      const lhs = gradValues((v) => f(v).mul(g(v)), x);
      const fx = f(vec(x)).item();
      const gx = g(vec(x)).item();
      const gf = gradValues(f, x);
      const gg = gradValues(g, x);
      assertClose(lhs, gf.map((v, i) => v * gx + fx * gg[i]), { rtol: 1e-11, atol: 1e-11, what: `${f.label} * ${g.label}` });
    });
  });

  test('the Hessian (func.hessian) is symmetric', () => {
    check(fc.tuple(scalarFnArb, scalarFnArb, pointArb), ([f, g, x]) => {
      const n = x.length;
      const H = valuesOf(func.hessian((v) => f(v).add(g(v.mul(0.5))))(vec(x)));
      assert.equal(H.length, n * n);
      const scale = Math.max(1, ...H.map(Math.abs));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          assert.ok(Math.abs(H[i * n + j] - H[j * n + i]) <= 1e-13 * scale,
            `H[${i},${j}] = ${H[i * n + j]}, H[${j},${i}] = ${H[j * n + i]} for ${f.label} + ${g.label}`);
        }
      }
    }, Math.ceil(RUNS / 3));
  });

  test('mixed partials commute: u·(d/dy d/dx F)·v = v·(d/dx d/dy F)·u (nested autograd.grad)', () => {
    const arb = fc.tuple(scalarFnArb, scalarFnArb, pointArb, fc.nat(), fc.nat())
      .map(([f, g, x, s1, s2]) => [f, g, x, x.map((v, i) => Math.sin(v * 7 + i + s1)), x.map((v, i) => Math.cos(v * 3 + i + s2))]);
    check(arb, ([f, g, xv, yv, uv]) => {
      const x = vec(xv).attachGrad();
      const y = vec(yv).attachGrad();
      const u = vec(uv);
      const v = vec(uv.map((e, i) => e * (i + 1) - 0.3));
      // F(x, y) = f(x * y) + g(x + y): every partial of order two is non-trivial
      const F = autograd.record(() => f(x.mul(y)).add(g(x.add(y))));
      const [gx, gy] = autograd.grad(F, [x, y], { createGraph: true, retainGraph: true });
      const gxu = autograd.record(() => gx.mul(u).sum());
      const gyv = autograd.record(() => gy.mul(v).sum());
      const [dy] = autograd.grad(gxu, [y], { retainGraph: true, allowUnused: true });
      const [dx] = autograd.grad(gyv, [x], { allowUnused: true });
      const vv = valuesOf(v);
      const lhs = valuesOf(dy).reduce((s, e, i) => s + e * vv[i], 0);
      const rhs = valuesOf(dx).reduce((s, e, i) => s + e * uv[i], 0);
      assertClose(lhs, rhs, { rtol: 1e-11, atol: 1e-12, what: `${f.label}, ${g.label}` });
    });
  });
});
