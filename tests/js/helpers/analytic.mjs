// Analytic derivatives, in plain JS with Math.*, of the elementwise operators, and the
// expected nested gradients they imply (with broadcasting and head gradients).
import { zipWith, broadcastShape, broadcastTo, sumTo } from './ref.mjs';

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** f and its derivatives of orders 1..3, as functions of x */
export const UNARY_DERIVS = {
  negative: [(x) => -x, () => -1, () => 0, () => 0],
  exp: [Math.exp, Math.exp, Math.exp, Math.exp],
  log: [Math.log, (x) => 1 / x, (x) => -1 / (x * x), (x) => 2 / (x * x * x)],
  sin: [Math.sin, Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x)],
  cos: [Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x), Math.sin],
  tanh: [
    Math.tanh,
    (x) => 1 - Math.tanh(x) ** 2,
    (x) => { const t = Math.tanh(x); return -2 * t * (1 - t * t); },
    (x) => { const t = Math.tanh(x); return -2 * (1 - t * t) * (1 - 3 * t * t); },
  ],
  sigmoid: [
    sigmoid,
    (x) => { const s = sigmoid(x); return s * (1 - s); },
    (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 2 * s); },
    (x) => { const s = sigmoid(x); return s * (1 - s) * (1 - 6 * s + 6 * s * s); },
  ],
  sqrt: [Math.sqrt, (x) => 0.5 * x ** -0.5, (x) => -0.25 * x ** -1.5, (x) => 0.375 * x ** -2.5],
  square: [(x) => x * x, (x) => 2 * x, () => 2, () => 0],
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

/** mixed partials d^(na+nb) f / da^na db^nb of the binary operators */
export const BINARY_PARTIALS = {
  add: (na, nb, a, b) => (na + nb === 0 ? a + b : na + nb === 1 ? 1 : 0),
  subtract: (na, nb, a, b) => (na + nb === 0 ? a - b : na + nb > 1 ? 0 : na === 1 ? 1 : -1),
  multiply: (na, nb, a, b) => (na > 1 || nb > 1 ? 0 : (na ? 1 : a) * (nb ? 1 : b)),
  // a * b**-1: the a-part is a, 1, 0...; the b-part is (-1)^nb nb! b^-(nb+1)
  divide: (na, nb, a, b) => (na > 1 ? 0 : (na ? 1 : a) * (-1) ** nb * factorial(nb) * b ** -(nb + 1)),
  power: powerPartial,
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
