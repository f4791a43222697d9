// Forward values of every elementwise operator against independent references (helpers/accuracy.mjs):
// float64 within 2 ulp of Math.* (libm quality; V8's Math functions are within 1 ulp), exact where
// IEEE arithmetic is exact, within 4 ulp of a short float64 formula where JS has no function;
// float32 within 4 ulp of Math.fround of the float64 reference (exactly it for exact operations).
// Sweeps include 0, +-denormals, cut-offs, large arguments (sin(1e4), exp(700)), +-inf and NaN.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import {
  UNARY_REFERENCES, BINARY_REFERENCES, measureUnary, measureBinary, bound, report,
} from './helpers/accuracy.mjs';

before(async () => {
  await init();
});

const GROUPS = [
  ['unary', UNARY_REFERENCES, measureUnary],
  ['binary', BINARY_REFERENCES, measureBinary],
];

for (const dtype of ['float32', 'float64']) {
  describe(`${dtype}: ulp error against the references`, () => {
    for (const [group, references, measure] of GROUPS) {
      for (const [op, [, kind]] of Object.entries(references)) {
        const ulps = bound(kind, dtype);
        test(`${group} ${op} (${kind}, <= ${ulps} ulp)`, () => {
          const m = measure(op, dtype);
          const bad = m.rows.filter((r) => r.ulp > ulps).length;
          assert.equal(bad, 0, `${op} ${dtype}: ${bad} of ${m.count} inputs off by more than ${ulps} ulp\n${report(m.rows, ulps)}`);
        });
      }
    }
  });
}

test('special values exactly, in both dtypes', () => {
  const cases = [
    ['exp', [-Infinity, Infinity, 0, -800], [0, Infinity, 1, 0]],
    ['expm1', [-Infinity, Infinity, 0], [-1, Infinity, 0]],
    ['log', [0, -1, Infinity, 1], [-Infinity, NaN, Infinity, 0]],
    ['log1p', [-1, -2, Infinity, 0], [-Infinity, NaN, Infinity, 0]],
    ['sqrt', [-1, Infinity, 0, -0], [NaN, Infinity, 0, -0]],
    ['rsqrt', [0, Infinity, -1], [Infinity, 0, NaN]],
    ['reciprocal', [0, -0, Infinity], [Infinity, -Infinity, 0]],
    ['tanh', [-Infinity, Infinity, 0, 30, -30], [-1, 1, 0, 1, -1]],
    ['sigmoid', [-Infinity, Infinity, 0, -800, 800], [0, 1, 0.5, 0, 1]],
    ['softplus', [-Infinity, Infinity, -800, 800], [0, Infinity, 0, 800]],
    ['softsign', [-Infinity, Infinity, 0], [-1, 1, 0]],
    ['relu', [-Infinity, -2, NaN, 2], [0, 0, NaN, 2]],
    ['sign', [-3, -0, 0, NaN, Infinity], [-1, -0, 0, NaN, 1]],
    ['erf', [-Infinity, Infinity, 0, 10], [-1, 1, 0, 1]],
    ['arccosh', [1, 0.5, -1, -2, -1e5, -Infinity, Infinity], [0, NaN, NaN, NaN, NaN, NaN, Infinity]],
    ['arctanh', [1, -1, 2], [Infinity, -Infinity, NaN]],
    ['arcsin', [1.5, -1], [NaN, -Math.PI / 2]],
    ['sin', [Infinity, -Infinity, NaN, 0], [NaN, NaN, NaN, 0]],
    ['cos', [Infinity, 0], [NaN, 1]],
    ['round', [0.5, -0.5, 1.5, -2.5, 0.49999997], [1, -1, 2, -3, 0]],
    ['trunc', [-0.5, 2.7], [-0, 2]],
  ];
  const round = (dtype, v) => (dtype === 'float32' ? Math.fround(v) : v);
  for (const dtype of ['float32', 'float64']) {
    for (const [op, xs, ys] of cases) {
      const got = nd.tidy(() => Array.from(nd[op](nd.array(xs, { dtype })).toTypedArray()));
      assert.deepEqual(got, ys.map((y) => round(dtype, y)), `${op} ${dtype} of [${xs}]`);
    }
  }
});

// f(-0) = -0 where C99 Annex F says so: odd functions that are 0 at 0, sqrt, and the roundings
const KEEP_NEGATIVE_ZERO = ['expm1', 'log1p', 'sinh', 'tanh', 'arcsinh', 'arctanh', 'arcsin', 'arctan', 'tan', 'sin',
  'erf', 'cbrt', 'softsign', 'degrees', 'radians', 'sqrt', 'sign', 'floor', 'ceil', 'round', 'trunc'];
for (const dtype of ['float32', 'float64']) {
  test(`f(-0) = -0 (${dtype})`, () => {
    const wrong = KEEP_NEGATIVE_ZERO.filter((op) =>
      !Object.is(nd.tidy(() => nd[op](nd.array([-0], { dtype })).toTypedArray()[0]), -0));
    assert.deepEqual(wrong, [], `these give +0 for -0 in ${dtype}`);
  });
}

test('maximum and minimum propagate NaN; power and hypot follow C99 at the edges', () => {
  for (const dtype of ['float32', 'float64']) {
    const run = (op, a, b) => nd.tidy(() => Array.from(nd[op](nd.array(a, { dtype }), nd.array(b, { dtype })).toTypedArray()));
    assert.deepEqual(run('maximum', [NaN, 1, 2], [1, NaN, -Infinity]), [NaN, NaN, 2]);
    assert.deepEqual(run('minimum', [NaN, 1, 2], [1, NaN, -Infinity]), [NaN, NaN, -Infinity]);
    assert.deepEqual(run('power', [1, 0, -8, 2, 0], [NaN, 0, 1 / 3, -Infinity, -1]), [1, 1, NaN, 0, Infinity]);
    assert.deepEqual(run('hypot', [Infinity, 3], [NaN, 4]), [Infinity, 5]);
  }
});

test('max and min along either axis: a NaN in a line wins, the others are the JS Math maxima', () => {
  // columns with NaN first, NaN last, infinities and signed zeros; rows long enough for the vector loops
  // (along axis 1, a vector of lanes per row: float32 and float64 each have their own)
  const rows = 5, cols = 9;
  const data = Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * 10);
  data[0 * cols + 0] = NaN; data[4 * cols + 1] = NaN; data[2 * cols + 2] = Infinity; data[3 * cols + 3] = -Infinity;
  data[1 * cols + 8] = NaN; // in a row's tail, past its last whole vector (of 2 doubles or 4 floats)
  data[3 * cols + 5] = NaN; // in the second lane of a vector in the middle of a row
  for (let r = 0; r < rows; r++) data[r * cols + 4] = r % 2 ? -0 : 0;
  const at = (r, c) => data[r * cols + c];
  const line = (axis, k) => (axis === 0 ? Array.from({ length: rows }, (_, r) => at(r, k)) : Array.from({ length: cols }, (_, c) => at(k, c)));
  const reference = (fn, values) => (values.some(Number.isNaN) ? NaN : values.reduce((m, v) => (fn(v, m) ? v : m)));
  for (const dtype of ['float32', 'float64']) {
    const x = nd.array(data, { shape: [rows, cols], dtype });
    const round = dtype === 'float32' ? Math.fround : (v) => v;
    for (const axis of [0, 1]) {
      const lines = axis === 0 ? cols : rows;
      for (const [op, fn] of [['max', (v, m) => v > m], ['min', (v, m) => v < m]]) {
        const got = Array.from(nd.tidy(() => x[op]({ axis }).toTypedArray()));
        const want = Array.from({ length: lines }, (_, k) => round(reference(fn, line(axis, k).map(round))));
        assert.deepEqual(got, want, `${dtype} ${op} along axis ${axis}`);
      }
    }
    x.dispose();
  }
});
