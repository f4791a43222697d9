// power's fast paths against Math.pow, including the signed zeros, infinities and NaN where C's
// pow has special values: one exponent for the whole array takes exact formulas for the common
// exponents (src/kernels/elementwise.c, pow_by_scalar); any other float32 power goes through
// double lanes (src/kernels/pow_f32.c), which should round to the nearest float almost always.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd } from '../../js/index.js';

before(async () => {
  await init();
});

const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, 0.5, -2.5, 3, 1e-30, -1e-30, 1e20, -1e20, 5e-324, 1.7976931348623157e308];

/** distance in units in the last place of the dtype */
function ulps(got, want, dtype) {
  if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(want) || got === 0 || want === 0) return Infinity;
  const exp = Math.floor(Math.log2(Math.abs(want)));
  return Math.abs(got - want) / 2 ** (exp - (dtype === 'float32' ? 23 : 52));
}

let seed = 11;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

describe('power with a scalar exponent', () => {
  for (const dtype of ['float32', 'float64']) {
    const round = dtype === 'float32' ? Math.fround : (v) => v;
    // exponents computed exactly (2, 1, 0, -1, 0.5) or rounded once in double (3, -2)
    for (const [b, maxUlp] of [[2, 0], [1, 0], [0, 0], [-1, 0], [0.5, 0], [3, dtype === 'float32' ? 0.5 : 2], [-2, dtype === 'float32' ? 0.5 : 2]]) {
      test(`${dtype} x ** ${b}: special values exact, others within ${maxUlp} ulp`, () => {
        const values = [...SPECIAL, ...Array.from({ length: 501 }, () => (random() - 0.5) * 10 ** Math.floor(random() * 8 - 4))]
          .map(round);
        const got = nd.tidy(() => nd.power(nd.array(values, { dtype }), b).toTypedArray());
        values.forEach((a, i) => {
          const want = round(Math.pow(a, b));
          const special = [0, 1, Infinity].includes(Math.abs(a)) || Number.isNaN(a) || !Number.isFinite(want) || want === 0;
          if (special) assert.ok(Object.is(got[i], want) || (Number.isNaN(got[i]) && Number.isNaN(want)), `${a} ** ${b}: ${got[i]}, want ${want}`);
          else assert.ok(ulps(got[i], want, dtype) <= Math.max(maxUlp, 0.5), `${a} ** ${b}: ${got[i]}, want ${want}`);
        });
      });
    }
  }
});

describe('float32 power, any exponents', () => {
  const values = (n, f) => Float32Array.from({ length: n }, f);
  // bases: specials, tiny and huge magnitudes, both signs; exponents: fractional, integral, specials
  const base = values(2003, (_, i) => (i < SPECIAL.length ? SPECIAL[i] : (random() - 0.3) * 10 ** (random() * 12 - 6)));
  const expo = values(2003, (_, i) => (i % 11 === 0 ? SPECIAL[i % SPECIAL.length] : i % 3 === 0 ? Math.round((random() - 0.5) * 20) : (random() - 0.5) * 30));
  const want = (a, b) => Math.fround(Math.pow(a, b));
  const check = (got, a, b, i) => {
    const w = want(a, b);
    if (!Number.isFinite(w) || w === 0 || Number.isNaN(w)) assert.ok(Object.is(got, w) || (Number.isNaN(got) && Number.isNaN(w)), `${a} ** ${b}: ${got}, want ${w}`);
    else assert.ok(ulps(got, w, 'float32') <= 1, `entry ${i}: ${a} ** ${b}: ${got}, want ${w}`);
  };
  test('elementwise exponents (both contiguous)', () => {
    const got = nd.tidy(() => nd.power(nd.array(base), nd.array(expo)).toTypedArray());
    base.forEach((a, i) => check(got[i], a, expo[i], i));
  });
  test('one exponent 1.7 for all, and 1.7 ** x (a broadcast base)', () => {
    const got = nd.tidy(() => nd.power(nd.array(base), 1.7).toTypedArray());
    base.forEach((a, i) => check(got[i], a, Math.fround(1.7), i));
    const got2 = nd.tidy(() => nd.power(nd.array([1.7]), nd.array(expo)).toTypedArray());
    expo.forEach((b, i) => check(got2[i], Math.fround(1.7), b, i));
  });
  test('strided operands (a transposed base)', () => {
    const a = base.slice(0, 2000), b = expo.slice(0, 2000);
    const got = nd.tidy(() => nd.power(nd.array(a, { shape: [40, 50] }).transpose(), nd.array(b, { shape: [50, 40] })).toTypedArray());
    for (let r = 0; r < 50; r++) for (let c = 0; c < 40; c++) check(got[r * 40 + c], a[c * 50 + r], b[r * 40 + c], r * 40 + c);
  });
});
