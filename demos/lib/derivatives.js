// Derivatives of an elementwise function over a whole grid at once, by nesting autograd.grad
// with createGraph: one vectorised chain for all points, not a loop per point. Shared by
// demos/tanh-derivatives-svg.mjs and web/explorer.html.
import { nd, autograd } from '../../js/index.js';

/**
 * [f(x), f'(x), ..., f^(order)(x)] as typed arrays (x's dtype), for an elementwise f of an
 * NDArray x (any shape). Because f acts elementwise, the gradient of sum(f(x)) with respect to
 * x is f' at every point, and so on for each order. f must return an array of x's shape that
 * depends on x. Everything made on the way is freed before returning.
 */
export function derivativesOnGrid(f, x, order) {
  return nd.tidy(() => {
    const v = x.detach().attachGrad();
    let y = autograd.record(() => f(v));
    const values = [y.toTypedArray()];
    for (let k = 1; k <= order; k++) {
      // The last order needs no graph of its own.
      [y] = autograd.grad(y, v, { createGraph: k < order });
      values.push(y.toTypedArray());
    }
    return values;
  });
}
