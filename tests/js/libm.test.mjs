// The wasm builds' own exp, log, log2, pow and huge-argument sin/cos/tan reduction (src/libm/)
// against Math.* (V8's fdlibm ports, < 1 ulp) over dense sweeps: the whole float64 range, the
// hard regions (x near 1 for log and pow, y log x near the overflow and underflow thresholds,
// results in the subnormals, arguments up to DBL_MAX for sin) and C99 Annex F's special cases.
// Also the functions of the C library that call exp or log (sinh, cosh, tanh, erf's tails,
// arcsinh, arccosh). forward.test.mjs has the operators' own, sparser sweeps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init, nd } from '../../js/index.js';
import { makeRng } from './helpers/prng.mjs';
import { ulpDistance64, ulpDistance32 } from './helpers/ulp.mjs';

before(async () => {
  await init();
});

const rng = makeRng(2027);
const logUniform = (n, lo, hi) => Array.from({ length: n }, () => 2 ** rng.uniform(lo, hi));
const signed = (xs) => xs.map((x) => (rng.next() < 0.5 ? -x : x));
const C99_POW = (a, b) => (a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b));

function run(op, dtype, a, b) {
  return nd.tidy(() => {
    const x = nd.array(a, { dtype });
    return Array.from((b ? nd[op](x, nd.array(b, { dtype })) : nd[op](x)).toTypedArray());
  });
}

/** the inputs where op is more than `ulps` from the reference, formatted */
function offenders(op, dtype, ulps, reference, a, b) {
  const got = run(op, dtype, a, b);
  const bad = [];
  got.forEach((g, i) => {
    const ref = b ? reference(a[i], b[i]) : reference(a[i]);
    const d = dtype === 'float32' ? ulpDistance32(g, Math.fround(ref)) : ulpDistance64(g, ref);
    if (d > ulps) bad.push(`${op}(${a[i]}${b ? `, ${b[i]}` : ''}) = ${g}, expected ${ref} (${d} ulp)`);
  });
  return bad.slice(0, 10);
}

const EXP_X = [...signed(logUniform(20000, -60, 9.47)), ...Array.from({ length: 4000 }, () => rng.uniform(-745.2, -700)),
  ...Array.from({ length: 2000 }, () => rng.uniform(700, 709.79)), 709.782712893384, 709.7827128933841, -745.1332191019411,
  -745.1332191019412, -708.4, 2 ** -1074, -(2 ** -1074), 1e-300, 0.5 * Math.LN2, 1.5 * Math.LN2];
const LOG_X = [...logUniform(20000, -1074, 1024), ...Array.from({ length: 6000 }, () => rng.uniform(0.7, 1.5)),
  ...signed(logUniform(4000, -52, -4)).map((d) => 1 + d), 2 ** -1074, 2 ** -1022, Number.MAX_VALUE, Math.SQRT2, Math.SQRT1_2,
  1 - 2 ** -53, 1 + 2 ** -52, 2, 0.5, 1024, 10];

for (const [op, ref] of [['exp', Math.exp], ['sinh', Math.sinh], ['cosh', Math.cosh], ['tanh', Math.tanh]]) {
  test(`float64 ${op}: within 2 ulp of Math.${ref.name}`, () => {
    const xs = op === 'exp' ? EXP_X : EXP_X.filter((x) => Math.abs(x) < 711);
    assert.deepEqual(offenders(op, 'float64', 2, ref, xs), []);
  });
}

for (const [op, ref] of [['log', Math.log], ['log2', Math.log2], ['arcsinh', Math.asinh], ['arccosh', Math.acosh]]) {
  test(`float64 ${op}: within 2 ulp of Math.${ref.name}`, () => {
    const xs = op === 'arccosh' ? LOG_X.map((x) => 1 + x) : LOG_X;
    assert.deepEqual(offenders(op, 'float64', 2, ref, xs), []);
  });
}

test('float64 log2 is exact at powers of two', () => {
  const xs = Array.from({ length: 2098 }, (_, i) => 2 ** (i - 1074));
  assert.deepEqual(run('log2', 'float64', xs), xs.map((_, i) => i - 1074));
});

test('float64 power: within 2 ulp of Math.pow where |y log x| < 128', () => {
  // (further out, V8's Math.pow is itself hundreds of ulp off: see the next test)
  const a = [], b = [];
  const add = (x, y) => { a.push(x); b.push(y); };
  for (let i = 0; i < 20000; i++) add(2 ** rng.uniform(-1074, 1024), rng.uniform(-1, 1) * 2 ** rng.uniform(-30, 10));
  for (let i = 0; i < 10000; i++) {
    const x = 2 ** rng.uniform(-1074, 1024);
    add(x, rng.uniform(-127, 127) / Math.log(x));
  }
  for (let i = 0; i < 10000; i++) { // x near 1, y huge
    const x = 1 + (rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-52, -2);
    add(x, rng.uniform(-127, 127) / Math.log(x));
  }
  for (let i = 0; i < 4000; i++) add(-Math.floor(rng.uniform(1, 2000)), Math.floor(rng.uniform(-30, 30)));
  for (let i = 0; i < 4000; i++) add(rng.uniform(0, 10), rng.uniform(-10, 10));
  const fine = a.map((x, i) => Math.abs(b[i] * Math.log(Math.abs(x))) < 128);
  assert.deepEqual(offenders('power', 'float64', 2, C99_POW, a.filter((_, i) => fine[i]), b.filter((_, i) => fine[i])), []);
});

test('float64 power: within 2 ulp of mpmath where |y log x| is 256 to 745 (the log error magnified most)', () => {
  // [x, y, x^y correctly rounded], from mpmath at 300 bits: x over the whole range, x near 1
  // with y up to 2^60, negative x with integer y
  const rows = JSON.parse(readFileSync(new URL('./helpers/pow-hard.json', import.meta.url), 'utf8'));
  const want = new Map(rows.map(([x, y, r]) => [`${x},${y}`, r]));
  const bad = offenders('power', 'float64', 2, (x, y) => want.get(`${x},${y}`), rows.map((r) => r[0]), rows.map((r) => r[1]));
  assert.deepEqual(bad, []);
});

test('power: C99 Annex F special cases, both dtypes', () => {
  const V = [0, -0, 0.5, -0.5, 1, -1, 2, -2, 3, -3, 2.5, -2.5, 1e300, -1e300, 2 ** 53, -(2 ** 53), 2 ** 53 + 2,
    Infinity, -Infinity, NaN];
  const a = [], b = [];
  for (const x of V) for (const y of V) { a.push(x); b.push(y); }
  for (const dtype of ['float64', 'float32']) {
    const got = run('power', dtype, a, b);
    const bad = [];
    got.forEach((g, i) => {
      const x = dtype === 'float32' ? Math.fround(a[i]) : a[i], y = dtype === 'float32' ? Math.fround(b[i]) : b[i];
      const want = dtype === 'float32' ? Math.fround(C99_POW(x, y)) : C99_POW(x, y);
      // zeros (with their sign), infinities and NaN exactly; the rest within 2 ulp
      const special = want === 0 || !Number.isFinite(want);
      const ok = special ? Object.is(g, want) : (dtype === 'float32' ? ulpDistance32 : ulpDistance64)(g, want) <= 2;
      if (!ok) bad.push(`${dtype} power(${x}, ${y}) = ${g}, expected ${want}`);
    });
    assert.deepEqual(bad, []);
  }
});

test('special values of exp, log, log2 exactly', () => {
  const cases = [
    ['exp', [NaN, Infinity, -Infinity, 0, -0, 710, -746, 1e300, -1e300], [NaN, Infinity, 0, 1, 1, Infinity, 0, Infinity, 0]],
    ['log', [NaN, Infinity, -Infinity, 0, -0, -1, 1, -(2 ** -1074)], [NaN, Infinity, NaN, -Infinity, -Infinity, NaN, 0, NaN]],
    ['log2', [NaN, Infinity, -Infinity, 0, -0, -1, 1, 8], [NaN, Infinity, NaN, -Infinity, -Infinity, NaN, 0, 3]],
  ];
  for (const [op, xs, ys] of cases) assert.deepEqual(run(op, 'float64', xs), ys, op);
});

test('sin, cos, tan of huge arguments (up to DBL_MAX): within 2 ulp of Math.*', () => {
  // the worst case for the reduction: 6381956970095103 * 2^797 is within 2^-61 of a multiple of pi/2
  const xs = [...signed(logUniform(20000, 20, 1024)), 6381956970095103 * 2 ** 797, Number.MAX_VALUE, -Number.MAX_VALUE,
    1e300, 1e22, 2 ** 1023, 2 ** 52, 2 ** 20 * Math.PI / 2, 1.0000000000000002 * 2 ** 20 * Math.PI / 2];
  for (const [op, ref] of [['sin', Math.sin], ['cos', Math.cos], ['tan', Math.tan]]) {
    assert.deepEqual(offenders(op, 'float64', 2, ref, xs), [], op);
  }
});

test('float32 sin and cos of huge arguments: within 4 ulp of the float64 result rounded', () => {
  const xs = signed(logUniform(20000, 10, 127.99)).map(Math.fround);
  xs.push(Math.fround(3.4028234663852886e38), Math.fround(1e30), Math.fround(2 ** 28 * Math.PI / 2));
  for (const [op, ref] of [['sin', Math.sin], ['cos', Math.cos]]) {
    assert.deepEqual(offenders(op, 'float32', 4, ref, xs), [], op);
  }
});
