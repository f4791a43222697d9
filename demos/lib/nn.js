// Small neural-network pieces written with wasmgrad's nd operators, shared by the demos
// (demos/*.mjs) and the browser pages (web/): multilayer perceptrons and the Adam optimiser.
// Parameters are plain lists of NDArrays with attachGrad(); nothing here keeps hidden state
// besides Adam's moment estimates.
import { nd } from '../../js/index.js';

/**
 * Parameters of a perceptron with layer sizes `sizes` (inputs first): [W1, b1, W2, b2, ...],
 * W of shape [out, in] (as nd.fullyConnected wants), b of shape [out]. Weights are drawn from
 * N(0, gain² / fan_in) with nd.random (seed it first for repeatable runs), biases are zero.
 */
export function mlpParams(sizes, { dtype = 'float32', gain = 1 } = {}) {
  const params = [];
  for (let i = 1; i < sizes.length; i++) {
    params.push(nd.random.normal(0, gain / Math.sqrt(sizes[i - 1]), [sizes[i], sizes[i - 1]], { dtype }).attachGrad());
    params.push(nd.zeros([sizes[i]], { dtype }).attachGrad());
  }
  return params;
}

/** The perceptron applied to x of shape [batch, in]: activation between layers, none after the last. */
export function mlp(params, x, activation = 'tanh') {
  const act = typeof activation === 'function' ? activation : (v) => nd[activation](v); // nd.tanh, nd.relu, ...
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    h = nd.fullyConnected(h, params[i], params[i + 1]);
    if (i + 2 < params.length) h = act(h);
  }
  return h;
}

/** The number of scalars in a list of parameters. */
export function countParams(params) {
  return params.reduce((n, p) => n + p.size, 0);
}

/**
 * Adam (Kingma & Ba) written with nd operators. `opt.params` is the live parameter list:
 * each step replaces its entries with new variables and disposes the old ones, so hold on to
 * the list, not to its entries. Call step() outside nd.tidy (it keeps its new state).
 */
export class Adam {
  constructor(params, { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = {}) {
    Object.assign(this, { params, lr, beta1, beta2, eps, t: 0 });
    this.m = params.map((p) => nd.zerosLike(p));
    this.v = params.map((p) => nd.zerosLike(p));
  }

  /**
   * One step: gradFn(params) runs inside nd.tidy and returns { grads, ...rest } with one
   * gradient per parameter; whatever else it returns (numbers) is returned from step().
   * Every NDArray that gradFn makes is freed when the step ends.
   */
  step(gradFn) {
    const { lr, beta1, beta2, eps } = this;
    const t = ++this.t;
    const scale = lr * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t); // bias corrections folded in
    const next = nd.tidy(() => {
      const { grads, ...rest } = gradFn(this.params);
      const m = grads.map((g, i) => this.m[i].mul(beta1).add(g.mul(1 - beta1)));
      const v = grads.map((g, i) => this.v[i].mul(beta2).add(g.square().mul(1 - beta2)));
      const params = this.params.map((p, i) => p.sub(m[i].div(v[i].sqrt().add(eps)).mul(scale)).attachGrad());
      return { params, m, v, rest };
    });
    for (const list of [this.params, this.m, this.v]) list.forEach((a) => a.dispose());
    this.params.splice(0, this.params.length, ...next.params);
    this.m = next.m;
    this.v = next.v;
    return next.rest;
  }

  dispose() {
    for (const list of [this.m, this.v]) list.forEach((a) => a.dispose());
  }
}
