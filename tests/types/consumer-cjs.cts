// Type test: a CommonJS consumer of require('wasmgrad') (index.d.cts). Never run.
import wasmgrad = require('wasmgrad');

export async function main(): Promise<number> {
  const api = await wasmgrad.init();
  const { nd, autograd, func } = api;
  await wasmgrad.init({ wasm: 'dist/wasmgrad.wasm' });
  const x: wasmgrad.NDArray = nd.array([1, 2, 3]).attachGrad();
  const y = autograd.record(() => nd.sin(x));
  const [dy] = autograd.grad(y, x, { createGraph: true });
  dy.backward();
  const cube = new wasmgrad.autograd.Function({ forward: (v: wasmgrad.NDArray) => v.mul(v).mul(v), backward: (g) => g });
  cube.apply(x);
  const h: wasmgrad.NDArray = func.hessian((v: wasmgrad.NDArray) => v.sin().sum())(x);
  // the same objects as properties after init
  const same: boolean = wasmgrad.nd === nd && wasmgrad.func === func && api.NDArray === wasmgrad.NDArray;
  try {
    wasmgrad.nd.zeros([-1]);
  } catch (e) {
    if (e instanceof wasmgrad.WasmgradError) return e.code.length;
    if (e instanceof api.WasmgradError) return 0;
  }
  // @ts-expect-error: init resolves to the API, not an NDArray
  const wrong: wasmgrad.NDArray = await wasmgrad.init();
  void [h, same, wrong];
  return 0;
}
