// Forward accuracy of the elementwise operators in units in the last place (ulp), against
// independent float64 references: JS's Math.* (V8's fdlibm ports, < 1 ulp), exact IEEE
// arithmetic, the double-double erf of erf.mjs, or a short float64 formula where neither
// exists (marked `formula`: the reference itself may then be ~1-2 ulp off). float32 results are
// compared with Math.fround of the float64 reference at the float32 input.
// Used by forward.test.mjs (bounds) and scripts/operators-doc.mjs (the worst ulp in docs/operators.md).
import { nd } from '../../../js/index.js';
import { makeRng } from './prng.mjs';
import { ulpDistance64, ulpDistance32 } from './ulp.mjs';
import { erf } from './erf.mjs';

const sigmoid = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** C99 (and NumPy) pow: 1 ** y and (-1) ** +-inf are 1 even where Math.pow says NaN */
const powC99 = (a, b) => (a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b));
const roundHalfAway = (x) => {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
};

/**
 * name: [reference, kind]. kind: 'exact' (IEEE arithmetic, or the same rounding: must match
 * exactly), 'libm' (Math.* or erf.mjs: within 2 ulp in float64), 'formula' (several roundings in the
 * reference: within 4 ulp).
 */
export const UNARY_REFERENCES = {
  negative: [(x) => -x, 'exact'],
  abs: [Math.abs, 'exact'],
  sign: [Math.sign, 'exact'],
  square: [(x) => x * x, 'exact'],
  sqrt: [Math.sqrt, 'exact'],
  cbrt: [Math.cbrt, 'libm'],
  rsqrt: [(x) => 1 / Math.sqrt(x), 'formula'],
  rcbrt: [(x) => 1 / Math.cbrt(x), 'formula'],
  reciprocal: [(x) => 1 / x, 'exact'],
  exp: [Math.exp, 'libm'],
  expm1: [Math.expm1, 'libm'],
  log: [Math.log, 'libm'],
  log2: [Math.log2, 'libm'],
  log10: [Math.log10, 'libm'],
  log1p: [Math.log1p, 'libm'],
  sin: [Math.sin, 'libm'],
  cos: [Math.cos, 'libm'],
  tan: [Math.tan, 'libm'],
  arcsin: [Math.asin, 'libm'],
  arccos: [Math.acos, 'libm'],
  arctan: [Math.atan, 'libm'],
  sinh: [Math.sinh, 'libm'],
  cosh: [Math.cosh, 'libm'],
  tanh: [Math.tanh, 'libm'],
  arcsinh: [Math.asinh, 'libm'],
  arccosh: [Math.acosh, 'libm'],
  arctanh: [Math.atanh, 'libm'],
  sigmoid: [sigmoid, 'formula'],
  softsign: [(x) => (Math.abs(x) === Infinity ? Math.sign(x) : x / (1 + Math.abs(x))), 'formula'],
  relu: [(x) => (x < 0 ? 0 : x), 'exact'],
  softplus: [(x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), 'formula'],
  erf: [erf, 'libm'],
  degrees: [(x) => x * (180 / Math.PI), 'formula'],
  radians: [(x) => x * (Math.PI / 180), 'formula'],
  floor: [Math.floor, 'exact'],
  ceil: [Math.ceil, 'exact'],
  round: [roundHalfAway, 'exact'],
  trunc: [Math.trunc, 'exact'],
};

export const BINARY_REFERENCES = {
  add: [(a, b) => a + b, 'exact'],
  subtract: [(a, b) => a - b, 'exact'],
  multiply: [(a, b) => a * b, 'exact'],
  divide: [(a, b) => a / b, 'exact'],
  power: [powC99, 'libm'],
  maximum: [(a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), 'exact'],
  minimum: [(a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), 'exact'],
  hypot: [Math.hypot, 'libm'],
  arctan2: [Math.atan2, 'libm'],
};

/** the float64 ulp bound of each kind; float32 is within F32_ULPS of the rounded reference */
export const F64_ULPS = { exact: 0, libm: 2, formula: 4 };
export const F32_ULPS = 4;

// ---- sweeps: 0, +-denormals, cut-offs, large arguments, +-inf, NaN, and random points --------
const rng = makeRng(99);
const bothSigns = (xs) => xs.flatMap((x) => [x, -x]);
/** log-uniform magnitudes over [10^lo, 10^hi), random signs */
const logUniform = (n, lo, hi) => Array.from(rng.signedAway(n, lo, hi), (e) => Math.sign(e) * 10 ** Math.abs(e));
/** halves and near-halves, where round/floor/ceil/trunc differ */
const nearHalves = [0.5, 1.5, 2.5, 0.49999999999999994, 1 - 2 ** -53, 4503599627370495.5, 2 ** 52, 2 ** 53 + 2];

export const SWEEP64 = [
  ...bothSigns([0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-20, 1e-8, 1e-5, 0.1, 0.5, 0.9, 0.999, 1,
    1.001, 1.1, 2, Math.PI / 4, Math.PI / 2, Math.PI, 3, 5.9, 6, 10, 19.0615, 20, 22, 37, 100, 700, 709.78, 710, 745,
    746, 1e4, 1e5, 1e10, 1e22, 1e300, Number.MAX_VALUE, Infinity, ...nearHalves]),
  NaN,
  ...logUniform(300, 0, 3).map((e) => e / 100), // [-10, 10] mostly
  ...logUniform(60, -3, 0).map((e) => e / 10), // (-0.1, 0.1)
  ...logUniform(100, 1, 300),
];

export const SWEEP32 = [
  ...bothSigns([0, 1e-45, 1e-40, 1.1754943508222875e-38, 1e-30, 1e-8, 1e-4, 0.1, 0.5, 0.9, 0.999, 1, 1.001, 1.1,
    2, Math.PI / 4, Math.PI / 2, Math.PI, 3, 3.9, 4, 9, 10, 20, 80, 88.72, 89, 103, 104, 1e4, 1e10, 1e30,
    3.4028234663852886e38, Infinity, 0.5, 1.5, 2.5, 0.49999997, 8388607.5, 2 ** 23, 2 ** 24 + 2]),
  NaN,
  ...logUniform(300, 0, 3).map((e) => e / 100),
  ...logUniform(60, -3, 0).map((e) => e / 10),
  ...logUniform(100, 1, 38),
].map(Math.fround);

/** pairs (a, b): every special value against every other, then random pairs */
function pairs(specials, random) {
  const out = [];
  for (const a of specials) for (const b of specials) out.push([a, b]);
  for (let i = 0; i < random.length; i += 2) out.push([random[i], random[i + 1] ?? 1]);
  return out;
}
const SPECIALS64 = [0, -0, 5e-324, -1e-310, 1e-300, 0.5, -0.5, 1, -1, 2, -2, 2.5, -3, 10, 1e10, 1e300, -1e300,
  Infinity, -Infinity, NaN];
const SPECIALS32 = [0, -0, 1e-45, -1e-40, 1e-30, 0.5, -0.5, 1, -1, 2, -2, 2.5, -3, 10, 1e10, 1e30, -1e30, Infinity,
  -Infinity, NaN];
export const PAIRS64 = pairs(SPECIALS64, [...logUniform(400, 0, 3).map((e) => e / 100), ...logUniform(100, -10, 10)]);
export const PAIRS32 = pairs(SPECIALS32, [...logUniform(400, 0, 3).map((e) => e / 100), ...logUniform(100, -10, 10)])
  .map(([a, b]) => [Math.fround(a), Math.fround(b)]);

// ---- measuring ---------------------------------------------------------------------------

const DISTANCE = { float32: ulpDistance32, float64: ulpDistance64 };

function compare(dtype, inputs, got, reference) {
  const rows = inputs.map((args, i) => {
    const r = reference(...args);
    const expected = dtype === 'float32' ? Math.fround(r) : r;
    return { args, got: got[i], expected, ulp: DISTANCE[dtype](got[i], expected) };
  });
  rows.sort((a, b) => b.ulp - a.ulp);
  return { worst: rows[0]?.ulp ?? 0, rows, count: rows.length };
}

/** { worst, rows (worst first), count } of a unary operator over its sweep */
export function measureUnary(op, dtype) {
  const xs = dtype === 'float32' ? SWEEP32 : SWEEP64;
  const got = nd.tidy(() => nd[op](nd.array(xs, { dtype })).toTypedArray());
  return compare(dtype, xs.map((x) => [x]), got, UNARY_REFERENCES[op][0]);
}

/** the same for a binary operator over its pairs */
export function measureBinary(op, dtype) {
  const ps = dtype === 'float32' ? PAIRS32 : PAIRS64;
  const got = nd.tidy(() => nd[op](
    nd.array(ps.map((p) => p[0]), { dtype }),
    nd.array(ps.map((p) => p[1]), { dtype }),
  ).toTypedArray());
  return compare(dtype, ps, got, BINARY_REFERENCES[op][0]);
}

/** the ulp bound an operator of this kind must meet */
export const bound = (kind, dtype) => (dtype === 'float32' ? (kind === 'exact' ? 0 : F32_ULPS) : F64_ULPS[kind]);

/** worst-first lines of a failure message */
export const report = (rows, ulps) => rows.filter((r) => r.ulp > ulps).slice(0, 10)
  .map((r) => `  (${r.args.join(', ')}): got ${r.got}, expected ${r.expected} (${r.ulp} ulp)`).join('\n');
