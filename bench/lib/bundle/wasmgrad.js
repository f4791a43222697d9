// unary_grad2 as a browser app would write it with wasmgrad (bundle-size entry).
import { init, nd, autograd } from '../../../dist/wasmgrad.mjs';

export async function secondDerivative(data) {
  await init();
  const x = nd.array(data);
  x.attachGrad();
  autograd.record(() => autograd.grad(nd.tanh(x).sum(), x, { createGraph: true })[0].sum()).backward();
  return x.grad.toTypedArray();
}
