// Analytic derivatives, in plain JS with Math.*, of the elementwise operators, and the
// expected nested gradients they imply (with broadcasting and head gradients).
import { zipWith, broadcastShape, broadcastTo, sumTo } from './ref.mjs';
import { erf } from './erf.mjs';

const sigmoid = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const LN2 = Math.LN2;
const LN10 = Math.LN10;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const zero = () => 0;
/** a function that is constant almost everywhere: f, then zeros */
const stepwise = (f) => [f, zero, zero, zero];
/** the scaled line x * c */
const line = (c) => [(x) => x * c, () => c, zero, zero];

/**
 * f and its derivatives of orders 1..3, as functions of x, written out by hand (oracles.test.mjs
 * checks each against the central difference of the one before it). At kinks the value given is
 * PyTorch's convention (abs'(0) = 0, relu'(0) = 0, softsign''(0) = 0).
 */
export const UNARY_DERIVS = {
  negative: [(x) => -x, () => -1, zero, zero],
  abs: [Math.abs, Math.sign, zero, zero],
  sign: stepwise(Math.sign),
  square: [(x) => x * x, (x) => 2 * x, () => 2, zero],
  sqrt: [Math.sqrt, (x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, (x) => 0.375 * x ** -2.5],
  // with c = cbrt(x), valid for x < 0 too: x^(-2/3) = 1/c^2, ...
  cbrt: [Math.cbrt, (x) => 1 / (3 * Math.cbrt(x) ** 2), (x) => -2 / (9 * Math.cbrt(x) ** 5),
    (x) => 10 / (27 * Math.cbrt(x) ** 8)],
  rsqrt: [(x) => 1 / Math.sqrt(x), (x) => -0.5 * x ** -1.5, (x) => 0.75 * x ** -2.5, (x) => -1.875 * x ** -3.5],
  rcbrt: [(x) => 1 / Math.cbrt(x), (x) => -1 / (3 * Math.cbrt(x) ** 4), (x) => 4 / (9 * Math.cbrt(x) ** 7),
    (x) => -28 / (27 * Math.cbrt(x) ** 10)],
  reciprocal: [(x) => 1 / x, (x) => -1 / x ** 2, (x) => 2 / x ** 3, (x) => -6 / x ** 4],
  exp: [Math.exp, Math.exp, Math.exp, Math.exp],
  expm1: [Math.expm1, Math.exp, Math.exp, Math.exp],
  log: [Math.log, (x) => 1 / x, (x) => -1 / (x * x), (x) => 2 / (x * x * x)],
  log2: [Math.log2, (x) => 1 / (x * LN2), (x) => -1 / (x * x * LN2), (x) => 2 / (x ** 3 * LN2)],
  log10: [Math.log10, (x) => 1 / (x * LN10), (x) => -1 / (x * x * LN10), (x) => 2 / (x ** 3 * LN10)],
  log1p: [Math.log1p, (x) => 1 / (1 + x), (x) => -1 / (1 + x) ** 2, (x) => 2 / (1 + x) ** 3],
  sin: [Math.sin, Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x)],
  cos: [Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x), Math.sin],
  tan: [
    Math.tan,
    (x) => 1 + Math.tan(x) ** 2,
    (x) => { const t = Math.tan(x); return 2 * t * (1 + t * t); },
    (x) => { const t = Math.tan(x); return 2 * (1 + t * t) * (1 + 3 * t * t); },
  ],
  arcsin: [Math.asin, (x) => (1 - x * x) ** -0.5, (x) => x * (1 - x * x) ** -1.5,
    (x) => (1 + 2 * x * x) * (1 - x * x) ** -2.5],
  arccos: [Math.acos, (x) => -((1 - x * x) ** -0.5), (x) => -x * (1 - x * x) ** -1.5,
    (x) => -(1 + 2 * x * x) * (1 - x * x) ** -2.5],
  arctan: [Math.atan, (x) => 1 / (1 + x * x), (x) => (-2 * x) / (1 + x * x) ** 2,
    (x) => (6 * x * x - 2) / (1 + x * x) ** 3],
  sinh: [Math.sinh, Math.cosh, Math.sinh, Math.cosh],
  cosh: [Math.cosh, Math.sinh, Math.cosh, Math.sinh],
  tanh: [
    Math.tanh,
    (x) => 1 - Math.tanh(x) ** 2,
    (x) => { const t = Math.tanh(x); return -2 * t * (1 - t * t); },
    (x) => { const t = Math.tanh(x); return -2 * (1 - t * t) * (1 - 3 * t * t); },
  ],
  // MXNet's tests expected the opposite signs for the second derivatives of these two
  arcsinh: [Math.asinh, (x) => (1 + x * x) ** -0.5, (x) => -x * (1 + x * x) ** -1.5,
    (x) => (2 * x * x - 1) * (1 + x * x) ** -2.5],
  arccosh: [Math.acosh, (x) => (x * x - 1) ** -0.5, (x) => -x * (x * x - 1) ** -1.5,
    (x) => (2 * x * x + 1) * (x * x - 1) ** -2.5],
  arctanh: [Math.atanh, (x) => 1 / (1 - x * x), (x) => (2 * x) / (1 - x * x) ** 2,
    (x) => (2 + 6 * x * x) / (1 - x * x) ** 3],
  sigmoid: [
    sigmoid,
    (x) => { const s = sigmoid(x); return s * (1 - s); },
    (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 2 * s); },
    (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 6 * s + 6 * s * s); },
  ],
  softsign: [(x) => x / (1 + Math.abs(x)), (x) => (1 + Math.abs(x)) ** -2, (x) => -2 * Math.sign(x) * (1 + Math.abs(x)) ** -3,
    (x) => 6 * (1 + Math.abs(x)) ** -4],
  relu: [(x) => Math.max(x, 0), (x) => (x > 0 ? 1 : 0), zero, zero],
  softplus: [
    (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    sigmoid,
    (x) => { const s = sigmoid(x); return s * (1 - s); },
    (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 2 * s); },
  ],
  erf: [
    erf,
    (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
    (x) => -2 * x * TWO_OVER_SQRT_PI * Math.exp(-x * x),
    (x) => (4 * x * x - 2) * TWO_OVER_SQRT_PI * Math.exp(-x * x),
  ],
  degrees: line(180 / Math.PI),
  radians: line(Math.PI / 180),
  floor: stepwise(Math.floor),
  ceil: stepwise(Math.ceil),
  round: stepwise((x) => { const t = Math.trunc(x); return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t; }),
  trunc: stepwise(Math.trunc),
};

/** x**p for a constant p: p(p-1)...(p-k+1) x**(p-k) */
export const powerConstExponent = (p) =>
  [0, 1, 2, 3].map((k) => (x) => {
    let c = 1;
    for (let i = 0; i < k; i++) c *= p - i;
    return c * x ** (p - k);
  });

/** c**x for a constant c: ln(c)**k c**x */
export const powerConstBase = (c) => [0, 1, 2, 3].map((k) => (x) => Math.log(c) ** k * c ** x);

/**
 * d^(na+nb) a**b / da^na db^nb. d/db^nb gives ln(a)^nb a^b; then differentiate terms
 * coef * ln(a)^m * a^(b-j) in a: m coef ln^(m-1) a^(b-j-1) + (b-j) coef ln^m a^(b-j-1).
 */
function powerPartial(na, nb, a, b) {
  let terms = [{ coef: 1, m: nb, j: 0 }];
  for (let s = 0; s < na; s++) {
    terms = terms.flatMap(({ coef, m, j }) => [
      ...(m > 0 ? [{ coef: coef * m, m: m - 1, j: j + 1 }] : []),
      { coef: coef * (b - j), m, j: j + 1 },
    ]);
  }
  return terms.reduce((s, { coef, m, j }) => s + coef * Math.log(a) ** m * a ** (b - j), 0);
}

const factorial = (n) => (n <= 1 ? 1 : n * factorial(n - 1));

/** mixed partials of hypot(a, b) = h up to total order 3, keyed by `${na}${nb}` */
const HYPOT = {
  '00': (a, b, h) => h,
  10: (a, b, h) => a / h,
  '01': (a, b, h) => b / h,
  20: (a, b, h) => (b * b) / h ** 3,
  11: (a, b, h) => (-a * b) / h ** 3,
  '02': (a, b, h) => (a * a) / h ** 3,
  30: (a, b, h) => (-3 * a * b * b) / h ** 5,
  21: (a, b, h) => (b * (2 * a * a - b * b)) / h ** 5,
  12: (a, b, h) => (a * (2 * b * b - a * a)) / h ** 5,
  '03': (a, b, h) => (-3 * a * a * b) / h ** 5,
};

/** mixed partials of arctan2(a, b) (the angle of the point (b, a)), with r2 = a^2 + b^2 */
const ARCTAN2 = {
  '00': (a, b) => Math.atan2(a, b),
  10: (a, b, r2) => b / r2,
  '01': (a, b, r2) => -a / r2,
  20: (a, b, r2) => (-2 * a * b) / r2 ** 2,
  11: (a, b, r2) => (a * a - b * b) / r2 ** 2,
  '02': (a, b, r2) => (2 * a * b) / r2 ** 2,
  30: (a, b, r2) => (b * (6 * a * a - 2 * b * b)) / r2 ** 3,
  21: (a, b, r2) => (a * (6 * b * b - 2 * a * a)) / r2 ** 3,
  12: (a, b, r2) => (b * (2 * b * b - 6 * a * a)) / r2 ** 3,
  '03': (a, b, r2) => (a * (2 * a * a - 6 * b * b)) / r2 ** 3,
};

/** maximum (sign 1) or minimum (sign -1): the winner takes the gradient, a tie splits it (PyTorch) */
const extremum = (sign) => (na, nb, a, b) => {
  if (na + nb === 0) return sign > 0 ? Math.max(a, b) : Math.min(a, b);
  if (na + nb > 1) return 0;
  const [mine, other] = na ? [a, b] : [b, a];
  return mine === other ? 0.5 : sign * (mine - other) > 0 ? 1 : 0;
};

/** mixed partials d^(na+nb) f / da^na db^nb of the binary operators */
export const BINARY_PARTIALS = {
  add: (na, nb, a, b) => (na + nb === 0 ? a + b : na + nb === 1 ? 1 : 0),
  subtract: (na, nb, a, b) => (na + nb === 0 ? a - b : na + nb > 1 ? 0 : na === 1 ? 1 : -1),
  multiply: (na, nb, a, b) => (na > 1 || nb > 1 ? 0 : (na ? 1 : a) * (nb ? 1 : b)),
  // a * b**-1: the a-part is a, 1, 0...; the b-part is (-1)^nb nb! b^-(nb+1)
  divide: (na, nb, a, b) => (na > 1 ? 0 : (na ? 1 : a) * (-1) ** nb * factorial(nb) * b ** -(nb + 1)),
  power: powerPartial,
  maximum: extremum(1),
  minimum: extremum(-1),
  hypot: (na, nb, a, b) => HYPOT[`${na}${nb}`]?.(a, b, Math.hypot(a, b)) ?? NaN,
  arctan2: (na, nb, a, b) => ARCTAN2[`${na}${nb}`]?.(a, b, a * a + b * b) ?? NaN,
};

/** clip(x, lo, hi) (null: unbounded): the gradient passes on the closed interval [lo, hi] (PyTorch) */
export const clipDerivs = (lo, hi) => {
  const inside = (x) => (lo === null || x >= lo) && (hi === null || x <= hi);
  return [(x) => Math.min(Math.max(x, lo ?? -Infinity), hi ?? Infinity), (x) => (inside(x) ? 1 : 0), zero, zero];
};

/** where(cond, a, b) as a function of (cond, a, b): cond is a constant, a and b get cond and 1 - cond */
export const wherePartial = ([, na, nb], c, a, b) => {
  if (na + nb === 0) return c ? a : b;
  if (na + nb > 1) return 0;
  return (na ? c : !c) ? 1 : 0;
};

/**
 * The expected gradient w.r.t. input `wrt` of an elementwise op after following `path`
 * (see grad.mjs followPath), with heads[i] reference tensors or null (ones).
 * inputs: reference tensors or JS numbers (constants). partial(counts, ...args): the mixed
 * partial derivative with counts[i] derivatives w.r.t. input i.
 */
export function expectedElementwise(partial, inputs, path, wrt, heads = []) {
  const counts = inputs.map(() => 0);
  for (const i of [...path, wrt]) counts[i]++;
  const shape = broadcastShape(...inputs.filter((x) => typeof x !== 'number').map((x) => x.shape));
  let t = zipWith(inputs, (...args) => partial(counts, ...args));
  for (const h of heads.slice(0, path.length + 1)) {
    if (h) t = zipWith([t, broadcastTo(h, shape)], (u, v) => u * v);
  }
  return sumTo(t, inputs[wrt].shape);
}
