// The computation that every setup runs (Node ESM and CommonJS, a page with an import map, a
// Web Worker, the esbuild and Vite bundles): the seed example, a third derivative, a
// Hessian-vector product and a custom function to order 3. It returns plain numbers;
// tests/packaging/run.mjs checks them against Math.* (expected.mjs).
export const SEED_X = [1, 2, 3];
export const X64 = 0.5;
export const HVP = { x: [0.3, -1.2], t: [1, 2] };
export const CUBE_X = 1.5;

export function compute({ nd, autograd, func, WasmgradError }) {
  return nd.tidy(() => {
    // seed (API.md)
    const x = nd.array(SEED_X);
    x.attachGrad();
    const y = autograd.record(() => nd.sin(x));
    const dy = autograd.grad(y, x, { createGraph: true, retainGraph: true })[0];
    dy.backward();
    // d3/dx3 sin by composing func.grad
    const third = func.grad(func.grad(func.grad((v) => nd.sin(v))))(nd.array(X64, { dtype: 'float64' }));
    // Hessian-vector product of sum(sin x)
    const [hv] = func.hvp((v) => v.sin().sum(), [nd.array(HVP.x, { dtype: 'float64' })], [nd.array(HVP.t, { dtype: 'float64' })]);
    // a custom function to order 3
    const cube = new autograd.Function({
      forward(v) {
        this.saveForBackward(v);
        return v.mul(v).mul(v);
      },
      backward(g) {
        const [v] = this.saved;
        return g.mul(v.square()).mul(3);
      },
    });
    const c = nd.array(CUBE_X, { dtype: 'float64' });
    const cubeDerivs = [1, 2, 3].map((k) => {
      let f = (v) => cube.apply(v);
      for (let i = 0; i < k; i++) f = func.grad(f);
      return f(c).item();
    });
    let errorCode = null;
    try {
      nd.zeros([-1]);
    } catch (e) {
      errorCode = e instanceof WasmgradError ? e.code : `not a WasmgradError: ${e}`;
    }
    return {
      sin: y.toArray(), cos: dy.toArray(), negSin: x.grad.toArray(), third: third.item(), hvp: hv.toArray(),
      cube: cubeDerivs, checkGrad: func.checkGrad((v) => cube.apply(v), [[0.3, -0.8]], { order: 3 }).ok, errorCode,
    };
  });
}
