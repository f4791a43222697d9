// An independent erf oracle (JS has no Math.erf), accurate to well under an ulp of float64:
// - |x| < 3: the Maclaurin series erf(x) = 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)), summed in
//   double-double arithmetic (~32 digits), so its cancellation (terms up to ~16x the result at
//   x = 3) costs nothing visible in float64;
// - |x| >= 3: 1 - erfc(x), erfc by its continued fraction (Lentz) in float64. erfc(3) = 2.2e-5,
//   so erfc's relative error ~1e-15 is ~1e-20 in erf, far below ulp(1).
// It is checked against tabulated values in oracles.test.mjs.

// ---- double-double: a value is [hi, lo] with |lo| <= ulp(hi)/2 ------------------------------
const SPLITTER = 134217729; // 2^27 + 1 (Dekker)

function twoSum(a, b) {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function split(a) {
  const t = SPLITTER * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

function twoProd(a, b) {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd([ah, al], [bh, bl]) {
  const [s, e] = twoSum(ah, bh);
  return twoSum(s, e + al + bl);
}

function ddMul([ah, al], [bh, bl]) {
  const [p, e] = twoProd(ah, bh);
  return twoSum(p, e + ah * bl + al * bh);
}

/** a double-double divided by a (small, exact) integer */
function ddDivInt([ah, al], n) {
  const q = ah / n;
  const [p, e] = twoProd(q, n);
  return twoSum(q, (ah - p - e + al) / n);
}

const TWO_OVER_SQRT_PI = [1.1283791670955126, 1.533545961316588e-17];

function erfSeries(x) {
  // term_n = (-1)^n x^(2n+1) / n!, summed as term_n / (2n+1)
  const x2 = twoProd(-x, x);
  let term = [x, 0];
  let sum = [x, 0];
  for (let n = 1; n < 200; n++) {
    term = ddDivInt(ddMul(term, x2), n);
    const t = ddDivInt(term, 2 * n + 1);
    sum = ddAdd(sum, t);
    if (Math.abs(t[0]) < 1e-34 * Math.abs(sum[0])) break;
  }
  const [hi, lo] = ddMul(sum, TWO_OVER_SQRT_PI);
  return hi + lo;
}

/** erfc(x) for x >= 3: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) */
function erfcContinuedFraction(x) {
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    D = x + a * D;
    D = D === 0 ? 1 / tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * erf(x) = 2/sqrt(pi) x (the next term is x^3/3 smaller than ulp) for |x| < 2^-600, rounded once
 * also where the result is denormal: of the three grid points nearest the double-double product,
 * the closest one.
 */
function erfTiny(x) {
  const k = 2 ** 600;
  const [p, e] = ddMul([x * k, 0], TWO_OVER_SQRT_PI);
  const q = p / k;
  const step = 5e-324;
  const candidates = [q - step, q, q + step];
  const err = (c) => Math.abs(p - c * k + e);
  return candidates.reduce((best, c) => (err(c) < err(best) ? c : best));
}

/** erf(x) in float64, within an ulp of the exact value (0.5 ulp away from rounding ties) */
export function erf(x) {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return x; // keeps -0
  const ax = Math.abs(x);
  if (ax < 2 ** -600) return erfTiny(x);
  if (ax < 3) return erfSeries(x);
  const r = ax === Infinity ? 1 : 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}
