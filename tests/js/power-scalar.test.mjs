// power with one exponent for the whole array takes exact formulas for the common exponents
// (src/kernels/elementwise.c, pow_by_scalar): their values against Math.pow, including the
// signed zeros, infinities and NaN where C's pow has special values.
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
