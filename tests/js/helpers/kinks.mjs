// What each operator does where it is not differentiable, or at the edge of its domain: the
// convention (PyTorch's, where it has one) and the points that pin it down. kinks.test.mjs checks
// every point in float32 and float64; docs/operators.md prints the conventions.
//
// A point: f(x) of one variable x (a 1-D array; constants in x's dtype via `like`), and the
// expected gradients of orders 1, 2, ... with head gradients of ones (for an elementwise f,
// f', f'', ... at each element).
import { nd } from '../../../js/index.js';

/** a constant array in x's dtype */
export const like = (x, values) => nd.array(values, { dtype: x.dtype });
const NaN_ = NaN;
const INF = Infinity;

export const KINKS = {
  abs: { convention: "abs'(0) = 0, as PyTorch", points: [
    { f: (x) => nd.abs(x), x: [0, -1.5, 2], grads: [[0, -1, 1], [0, 0, 0], [0, 0, 0]] }] },
  sign: { convention: 'zero gradient everywhere, 0 included', points: [
    { f: (x) => nd.sign(x), x: [0, -1, 2], grads: [[0, 0, 0], [0, 0, 0]] }] },
  relu: { convention: "relu'(0) = 0, as PyTorch", points: [
    { f: (x) => nd.relu(x), x: [0, -1, 2], grads: [[0, 0, 1], [0, 0, 0]] }] },
  softsign: { convention: "smooth f' at 0; f''(0) = f'''(0) = 0 (from abs'(0) = 0, as PyTorch's composition)", points: [
    { f: (x) => nd.softsign(x), x: [0, -1], grads: [[1, 0.25], [0, 0.25], [0, 0.375]] }] },
  floor: { convention: 'zero gradient everywhere, jumps included', points: [
    { f: (x) => nd.floor(x), x: [0, 1, -1.5, 2.3], grads: [[0, 0, 0, 0], [0, 0, 0, 0]] }] },
  ceil: { convention: 'zero gradient everywhere, jumps included', points: [
    { f: (x) => nd.ceil(x), x: [0, 1, -1.5, 2.3], grads: [[0, 0, 0, 0], [0, 0, 0, 0]] }] },
  round: { convention: 'zero gradient everywhere, jumps included (half away from zero)', points: [
    { f: (x) => nd.round(x), x: [0.5, -0.5, 1, 2.3], grads: [[0, 0, 0, 0], [0, 0, 0, 0]] }] },
  trunc: { convention: 'zero gradient everywhere, jumps included', points: [
    { f: (x) => nd.trunc(x), x: [0, 1, -1.5, 2.3], grads: [[0, 0, 0, 0], [0, 0, 0, 0]] }] },
  maximum: { convention: 'a tie splits the gradient evenly (0.5 each), as PyTorch', points: [
    { f: (x) => nd.maximum(x, like(x, [1, 0, 2])), x: [1, 1, 1], grads: [[0.5, 1, 0], [0, 0, 0]] },
    { f: (x) => nd.maximum(x, 0), x: [0, 2, -1], grads: [[0.5, 1, 0], [0, 0, 0]] }] },
  minimum: { convention: 'a tie splits the gradient evenly (0.5 each), as PyTorch', points: [
    { f: (x) => nd.minimum(like(x, [1, 0, 2]), x), x: [1, 1, 1], grads: [[0.5, 0, 1], [0, 0, 0]] }] },
  max: { convention: 'ties split the gradient evenly among the maxima, as PyTorch (amax)', points: [
    { f: (x) => nd.max(x), x: [1, 3, 3, -2], grads: [[0, 0.5, 0.5, 0], [0, 0, 0, 0]] }] },
  min: { convention: 'ties split the gradient evenly among the minima, as PyTorch (amin)', points: [
    { f: (x) => nd.min(x), x: [-2, 1, -2], grads: [[0.5, 0, 0.5], [0, 0, 0]] }] },
  clip: { convention: 'the gradient passes on the closed interval [min, max] (1 at both bounds), as PyTorch', points: [
    { f: (x) => nd.clip(x, -1, 1), x: [-1, 1, -1.5, 1.5, 0], grads: [[1, 1, 0, 0, 1], [0, 0, 0, 0, 0]] },
    { f: (x) => nd.clip(x, null, 1), x: [1, -5], grads: [[1, 1]] }] },
  power: { convention: 'd/da = 0 where b == 0 (0**0 included) and d/db = 0 where a == 0 and b >= 0, at every order, as PyTorch', points: [
    { f: (x) => nd.power(x, 0), x: [0, 2], grads: [[0, 0], [0, 0], [0, 0]] },
    { f: (x) => nd.power(x, 2), x: [0], grads: [[0], [2], [0]] },
    { f: (x) => nd.power(x, 1), x: [0], grads: [[1], [0], [0]] },
    { f: (x) => nd.power(0, x), x: [0, 1, 2], grads: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] },
    { f: (x) => nd.power(x, 0.5), x: [0], grads: [[INF]] }] },
  norm: { convention: 'zero gradient at a zero vector (every order), as PyTorch; ord 1 uses abs, ord Infinity splits ties', points: [
    { f: (x) => nd.norm(x), x: [0, 0, 0], grads: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] },
    { f: (x) => nd.norm(x, { ord: 3 }), x: [0, 0], grads: [[0, 0], [0, 0]] },
    { f: (x) => nd.norm(x, { ord: 1 }), x: [0, -3, 1], grads: [[0, -1, 1], [0, 0, 0]] },
    { f: (x) => nd.norm(x, { ord: Infinity }), x: [3, -3, 1], grads: [[0.5, -0.5, 0], [0, 0, 0]] }] },
  prod: { convention: 'exact next to zeros at every order (the gradient is the product of the others)', points: [
    { f: (x) => nd.prod(x), x: [0, 2, 3], grads: [[6, 0, 0], [5, 3, 2], [2, 2, 2]] },
    { f: (x) => nd.prod(x), x: [0, 0, 3], grads: [[0, 0, 0], [3, 3, 0], [2, 2, 2]] }] },
  logsumexp: { convention: 'entries at -inf get a zero gradient', points: [
    { f: (x) => nd.logsumexp(x), x: [-INF, 0, 0], grads: [[0, 0.5, 0.5]] }] },
  where: { convention: 'the unselected branch gets a zero gradient, but its own NaN/inf derivative still propagates as NaN (0 * inf), as PyTorch: guard the input of that branch too', points: [
    { f: (x) => nd.where(nd.greater(x, 0), x, 0), x: [-1, 2], grads: [[0, 1], [0, 0]] },
    { f: (x) => nd.where(nd.greater(x, 0), nd.sqrt(x), 0), x: [-1, 4], grads: [[NaN_, 0.25]] }] },
  take: { convention: 'repeated indices add their gradients', points: [
    { f: (x) => nd.take(x, [0, 0, 2]), x: [1, 2, 3], grads: [[2, 0, 1], [0, 0, 0]] }] },
  sqrt: { convention: "sqrt'(0) = inf, the true one-sided value (PyTorch too)", points: [
    { f: (x) => nd.sqrt(x), x: [0], grads: [[INF]] }] },
  hypot: { convention: 'NaN at (0, 0), as PyTorch (a / hypot = 0 / 0); use norm for a kink-safe length', points: [
    { f: (x) => nd.hypot(x, like(x, [0, 0])), x: [0, 2], grads: [[NaN_, 1]] }] },
  arctan2: { convention: 'NaN at (0, 0), as PyTorch (0 / 0)', points: [
    { f: (x) => nd.arctan2(x, like(x, [0, 1])), x: [0, 0], grads: [[NaN_, 1]] }] },
};

/** the operators of API.md that are not differentiable at all */
export const NOT_DIFFERENTIABLE = {
  equal: 'comparison: 0/1 in the operands\' dtype, a constant in a graph',
  notEqual: 'comparison: 0/1 in the operands\' dtype, a constant in a graph',
  greater: 'comparison: 0/1 in the operands\' dtype, a constant in a graph',
  greaterEqual: 'comparison: 0/1 in the operands\' dtype, a constant in a graph',
  less: 'comparison: 0/1 in the operands\' dtype, a constant in a graph',
  lessEqual: 'comparison: 0/1 in the operands\' dtype, a constant in a graph',
};
