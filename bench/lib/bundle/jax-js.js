// unary_grad2 as a browser app would write it with jax-js (bundle-size entry). lib/bundle.mjs
// defines USE_JIT; the minifier drops the branch not taken.
/* global USE_JIT */
import { init, numpy as np, grad, jit } from '@jax-js/jax';

export async function secondDerivative(data) {
  await init('wasm');
  const d2 = grad((x) => np.sum(grad((y) => np.sum(np.tanh(y)))(x)));
  return (USE_JIT ? jit(d2) : d2)(np.array(data)).data();
}
