// Forward values of the unary operators against Math.*: float64 within 2 ulp of Math.f(x)
// (V8's Math functions are within 1 ulp), float32 within a few ulp of Math.fround(Math.f(x)),
// over sweeps including 0, denormals, large values, cut-offs, +-inf and NaN.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';
import { makeRng } from './helpers/prng.mjs';
import { ulpDistance64, ulpDistance32 } from './helpers/ulp.mjs';

before(async () => {
  await init();
});

// [name, reference, extra ulps]. Exact IEEE operations must match exactly; sigmoid's reference
// is a composition of three roundings plus exp, so it is itself up to ~2 ulp off.
const OPS = [
  ['negative', (x) => -x, 0],
  ['square', (x) => x * x, 0],
  ['sqrt', Math.sqrt, 0],
  ['exp', Math.exp, 2],
  ['log', Math.log, 2],
  ['sin', Math.sin, 2],
  ['cos', Math.cos, 2],
  ['tanh', Math.tanh, 2],
  ['sigmoid', (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))), 4],
];
const F32_ULPS = 4;

const rng = makeRng(99);
const bothSigns = (xs) => xs.flatMap((x) => [x, -x]);
/** log-uniform magnitudes over [10^lo, 10^hi), random signs */
const logUniform = (n, lo, hi) => Array.from(rng.signedAway(n, lo, hi), (e) => Math.sign(e) * 10 ** Math.abs(e));

const SWEEP64 = [
  ...bothSigns([0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-20, 1e-8, 1e-5, 0.1, 0.5, 1, 2, Math.PI / 4,
    Math.PI / 2, Math.PI, 3, 10, 19.0615, 20, 22, 100, 700, 709.78, 710, 745, 746, 1e5, 1e10, 1e22, 1e300,
    Number.MAX_VALUE, Infinity]),
  NaN,
  ...logUniform(300, 0, 3).map((e) => e / 100), // [-10, 10] mostly
  ...logUniform(100, 1, 300),
];
const SWEEP32 = [
  ...bothSigns([0, 1e-45, 1e-40, 1.1754943508222875e-38, 1e-30, 1e-8, 1e-4, 0.1, 0.5, 1, 2, Math.PI / 4, Math.PI / 2,
    Math.PI, 3, 9, 10, 20, 80, 88.72, 89, 103, 104, 1e4, 1e10, 1e30, 3.4028234663852886e38, Infinity]),
  NaN,
  ...logUniform(300, 0, 3).map((e) => e / 100),
  ...logUniform(100, 1, 38),
].map(Math.fround);

/** the inputs where the library and the reference are more than `ulps` apart, worst first */
function outliers(xs, got, expected, ulps, distance) {
  return xs
    .map((x, i) => ({ x, got: got[i], expected: expected[i], ulp: distance(got[i], expected[i]) }))
    .filter((r) => r.ulp > ulps)
    .sort((a, b) => b.ulp - a.ulp);
}

const report = (rows) => rows.slice(0, 10).map((r) => `  x=${r.x}: got ${r.got}, expected ${r.expected} (${r.ulp} ulp)`).join('\n');

describe('float64 within 2 ulp of Math.*', () => {
  for (const [op, f, ulps] of OPS) {
    test(op, () => {
      const got = nd.tidy(() => nd[op](nd.array(SWEEP64, { dtype: 'float64' })).toTypedArray());
      const bad = outliers(SWEEP64, got, SWEEP64.map(f), ulps, ulpDistance64);
      assert.equal(bad.length, 0, `${op}: ${bad.length} of ${SWEEP64.length} inputs off by more than ${ulps} ulp\n${report(bad)}`);
    });
  }
});

describe(`float32 within ${F32_ULPS} ulp of Math.fround(Math.*)`, () => {
  for (const [op, f, ulps] of OPS) {
    test(op, () => {
      const got = nd.tidy(() => nd[op](nd.array(SWEEP32, { dtype: 'float32' })).toTypedArray());
      assert.ok(got instanceof Float32Array);
      const tol = ulps === 0 ? 0 : F32_ULPS; // a float64 reference rounded once is accurate for float32
      const bad = outliers(SWEEP32, got, SWEEP32.map((x) => Math.fround(f(x))), tol, ulpDistance32);
      assert.equal(bad.length, 0, `${op}: ${bad.length} of ${SWEEP32.length} inputs off by more than ${tol} ulp\n${report(bad)}`);
    });
  }
});

test('special values exactly', () => {
  const cases = [
    ['exp', [-Infinity, Infinity, 0], [0, Infinity, 1]],
    ['log', [0, -1, Infinity, 1], [-Infinity, NaN, Infinity, 0]],
    ['sqrt', [-1, Infinity, 0], [NaN, Infinity, 0]],
    ['tanh', [-Infinity, Infinity, 0, 30, -30], [-1, 1, 0, 1, -1]],
    ['sigmoid', [-Infinity, Infinity, 0, -800, 800], [0, 1, 0.5, 0, 1]],
    ['sin', [Infinity, -Infinity, NaN], [NaN, NaN, NaN]],
    ['cos', [Infinity, 0], [NaN, 1]],
  ];
  for (const dtype of ['float32', 'float64']) {
    for (const [op, xs, ys] of cases) {
      const got = nd.tidy(() => Array.from(nd[op](nd.array(xs, { dtype })).toTypedArray()));
      assert.deepEqual(got, ys, `${op} ${dtype} of [${xs}]`);
    }
  }
});
