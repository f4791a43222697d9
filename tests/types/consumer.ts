// Type test: an ES-module consumer that uses every export of index.d.ts.
// Compiled with tsc --strict --noEmit (tests/types/tsconfig.json); never run.
// `// @ts-expect-error` lines are mistakes that the types must reject.
import { init, nd, autograd, func, NDArray, WasmgradError } from 'wasmgrad';
import type {
  DType, ErrorCode, Shape, Axis, NestedNumbers, MemoryInfo, Primal, CheckGradResult, CheckGradDetail,
  AutogradFunction, FunctionOptions, InputGradients, InitOptions,
} from 'wasmgrad';

export async function everything(bytes: Uint8Array, module: WebAssembly.Module): Promise<void> {
  // ---- loading
  await init();
  await init({ wasm: new URL('./wasmgrad.wasm', import.meta.url) });
  await init({ wasm: 'dist/wasmgrad.wasm' });
  await init({ wasm: bytes });
  await init({ wasm: bytes.buffer as ArrayBuffer });
  await init({ wasm: module });
  const opts: InitOptions = {};
  await init(opts);
  // @ts-expect-error: not an options object
  await init('dist/wasmgrad.wasm');

  // ---- creation
  const dtypes: DType[] = ['float32', 'float64', 'int32'];
  const a: NDArray = nd.array([[1, 2], [3, 4]], { dtype: 'float64' });
  const b = nd.array(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] });
  const c = nd.array([new Float64Array([1, 2]), new Float64Array([3, 4])]);
  nd.array(3);
  nd.array(true);
  nd.array(a);
  nd.zeros([2, 3]);
  nd.zeros(4, { dtype: 'int32' });
  nd.ones([2]);
  nd.full([2], 7, { dtype: 'float64' });
  nd.zerosLike(a);
  nd.onesLike(a);
  nd.arange(5);
  nd.arange(1, 5);
  nd.arange(0, 1, 0.25, { dtype: 'float64' });
  nd.linspace(0, 1);
  nd.linspace(0, 1, 5, { endpoint: false });
  nd.linspace(0, 1, { dtype: 'float64' });
  nd.eye(3);
  nd.eye(3, { m: 4, k: 1, dtype: 'float64' });
  nd.random.seed(42);
  nd.random.uniform();
  nd.random.uniform(-1, 1, [2, 2], { dtype: 'float64' });
  nd.random.normal(0, 1, [3]);
  // @ts-expect-error: not a dtype
  nd.zeros([2], { dtype: 'float16' });

  // ---- properties and methods of NDArray
  const shape: number[] = a.shape;
  const dtype: DType = a.dtype;
  const sizes: number[] = [a.size, a.ndim];
  const grad: NDArray | null = a.grad;
  const disposed: boolean = a.isDisposed;
  const nested: NestedNumbers = a.toArray();
  const flat: Float32Array | Float64Array | Int32Array = a.toTypedArray();
  const one: number = nd.array(2).item();
  const text: string = a.toString();
  void [shape, dtype, sizes, grad, disposed, nested, flat, one, text, dtypes, c];
  a.attachGrad();
  a.attachGrad({ gradReq: 'add' });
  a.backward();
  a.backward(nd.onesLike(a), { retainGraph: true, trainMode: false });
  a.backward({ retainGraph: false });
  a.detach();
  a.astype('float32');
  // @ts-expect-error: a read-only property
  a.shape = [1];

  // ---- operators: every name, as nd functions and as methods
  const unary = [
    'negative', 'abs', 'sign', 'square', 'sqrt', 'cbrt', 'rsqrt', 'rcbrt', 'reciprocal', 'exp', 'expm1', 'log',
    'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'arcsinh',
    'arccosh', 'arctanh', 'sigmoid', 'softsign', 'relu', 'softplus', 'erf', 'degrees', 'radians', 'floor', 'ceil',
    'round', 'trunc',
  ] as const;
  for (const name of unary) {
    const y: NDArray = nd[name](a);
    y[name]();
  }
  a.neg();
  const binary = [
    'add', 'subtract', 'multiply', 'divide', 'power', 'maximum', 'minimum', 'hypot', 'arctan2',
    'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual',
  ] as const;
  for (const name of binary) {
    nd[name](a, b);
    nd[name](2, a);
    nd[name](a, 2);
    a[name](b);
  }
  a.add(1).sub(b).mul(2).div(b).pow(2);
  // @ts-expect-error: a string operand
  nd.add(a, '1');
  for (const name of ['sum', 'mean', 'prod', 'max', 'min', 'logsumexp'] as const) {
    nd[name](a);
    nd[name](a, { axis: 1, keepdims: true });
    nd[name](a, [0, 1]);
    nd[name](a, 0, true);
    a[name]();
    a[name]({ axis: -1 });
    a[name](null, false);
  }
  const axis: Axis = [0];
  nd.norm(a, { ord: 2, axis, keepdims: false });
  a.norm();
  nd.clip(a, 0, 1);
  a.clip(null, 1);
  nd.where(nd.greater(a, 0), a, 0);
  nd.greater(a, 0).where(a, b);
  nd.astype(a, 'float64');
  const s: Shape = [4];
  nd.reshape(a, s);
  nd.reshape(a, 4, 1);
  a.reshape([-1]);
  a.reshape(2, 2);
  nd.transpose(a);
  nd.transpose(a, [1, 0]);
  nd.transpose(a, 1, 0);
  a.transpose();
  nd.expandDims(a, 0);
  a.expandDims(-1);
  nd.squeeze(a);
  a.squeeze(0);
  nd.broadcastTo(a, [3, 2, 2]);
  nd.broadcastTo(a, 3, 2, 2);
  a.broadcastTo([2, 2]);
  nd.concat([a, b], 1);
  a.concat(b);
  a.concat([b, c], 0);
  nd.stack([a, b]);
  a.stack(b, 1);
  nd.slice(a, [0], [1]);
  nd.slice(a, [null, 1], [2, null], [1, 1]);
  a.slice(0, 1);
  a.slice();
  nd.flip(a);
  a.flip(0);
  nd.take(a, [1, 0]);
  nd.take(a, nd.array([0], { dtype: 'int32' }), 1);
  a.take(1, 0);
  nd.dot(a, b);
  a.dot(b);
  nd.matmul(a, b);
  a.matmul(b);
  nd.fullyConnected(a, b, nd.zeros([2]));
  nd.fullyConnected(a, b);
  a.fullyConnected(b, null);
  nd.softmax(a);
  nd.softmax(a, 0);
  nd.softmax(a, { axis: 0 });
  a.softmax(-1);
  nd.logSoftmax(a, { axis: 1 });
  a.logSoftmax();
  nd.softmaxCrossEntropy(a, [0, 1]);
  a.softmaxCrossEntropy(nd.array([1, 0], { dtype: 'int32' }));

  // ---- memory
  const kept: NDArray = nd.tidy(() => a.mul(2));
  const keptMany: { x: NDArray; list: NDArray[] } = nd.tidy(() => ({ x: a.mul(2), list: [a, b] }));
  const info: MemoryInfo = nd.memory();
  const counts: number[] = [info.arrays, info.bytes, info.graphBytes, info.wasmBytes];
  void [kept, keptMany, counts];
  a.dispose();

  // ---- autograd
  const x = nd.array([1, 2, 3]).attachGrad();
  const y: NDArray = autograd.record(() => nd.sin(x));
  autograd.record(() => nd.sin(x), { trainMode: false });
  const paused: number = autograd.pause(() => 3);
  const flags: boolean[] = [autograd.isRecording(), autograd.isTraining()];
  void [paused, flags];
  const [dy] = autograd.grad(y, x, { createGraph: true, retainGraph: true });
  autograd.grad([y], [x], { headGrads: [null], allowUnused: true, trainMode: true });
  autograd.grad(y, x, { headGrads: nd.onesLike(y) });
  dy.backward();
  autograd.backward(y, { headGrads: nd.onesLike(y), retainGraph: false, trainMode: true });
  autograd.backward([y, dy]);

  // custom functions: a subclass, options, several outputs, once-differentiable
  class Cube extends autograd.Function {
    forward(v: NDArray): NDArray {
      this.saveForBackward(v);
      return v.mul(v).mul(v);
    }
    backward(g: NDArray): NDArray {
      const [v] = this.saved;
      return g.mul(v!.square()).mul(3);
    }
  }
  const cube = new Cube({ onceDifferentiable: false, name: 'Cube' });
  const cubed: NDArray = autograd.record(() => cube.apply(x));
  const softplusOptions: FunctionOptions = {
    forward(v: NDArray) {
      this.saveForBackward(v);
      return nd.softplus(v);
    },
    backward(g: NDArray) {
      const needs: boolean[] = this.needsInputGrad;
      return needs[0] ? g.mul(this.saved[0]!.sigmoid()) : null;
    },
  };
  const softplus = new autograd.Function(softplusOptions);
  softplus.apply(x).sum();
  const sincos = new autograd.Function({
    forward: (v: NDArray) => [v.sin(), v.cos()],
    backward: (gs: NDArray, gc: NDArray): InputGradients => [gs.add(gc), null],
    onceDifferentiable: true,
  });
  const [sn, cs]: NDArray[] = sincos.apply(x, 'a non-array argument');
  void [cubed, sn, cs];
  class SinCos extends autograd.Function<NDArray[]> {
    forward(v: NDArray): NDArray[] {
      return [v.sin(), v.cos()];
    }
    backward(gs: NDArray, gc: NDArray): InputGradients {
      return gs.sub(gc);
    }
  }
  const parts: NDArray[] = new SinCos().apply(x);
  void parts;
  const asType: AutogradFunction = cube;
  void asType;
  // @ts-expect-error: onceDifferentiable is a boolean
  new Cube({ onceDifferentiable: 'yes' });

  // ---- func
  const f = (v: NDArray): NDArray => v.sin().sum();
  const f2 = (v: NDArray, w: NDArray): NDArray => v.mul(w).sum();
  const g1: NDArray = func.grad(f)(x);
  const g2: NDArray[] = func.grad(f2, { argnums: [0, 1] })(x, x);
  const g3: NDArray = func.grad(f2, { argnums: 1 })(x, [1, 2, 3]);
  const [value, grads]: [NDArray, NDArray[]] = func.valueAndGrad(f2, { argnums: [0, 1] })(x, x);
  const [value1, grad1]: [NDArray, NDArray] = func.valueAndGrad(f)(x);
  const [out, vjpFn] = func.vjp((v: NDArray) => v.sin(), x);
  const cotangents: NDArray[] = vjpFn(nd.onesLike(out));
  const [primalOut, tangentOut]: [NDArray, NDArray] = func.jvp((v: NDArray) => v.sin(), [x], [nd.onesLike(x)]);
  func.jvp((v: NDArray) => v.sin(), x, [1, 1, 1]);
  const J: NDArray = func.jacobian((v: NDArray) => v.sin())(x);
  const Js: NDArray[] = func.jacobian(f2, { argnums: [0, 1] })(x, x);
  const Jouts: NDArray[] = func.jacobian((v: NDArray) => [v.sin(), v.cos()])(x);
  const H: NDArray = func.hessian(f)(x);
  const Hs: NDArray[][] = func.hessian(f2, { argnums: [0, 1] })(x, x);
  const hv: NDArray[] = func.hvp(f, [x], [nd.onesLike(x)]);
  const third: NDArray = func.grad(func.grad(func.grad((v: NDArray) => v.sin())))(nd.array(0.5));
  const primals: Primal[] = [x, [1, 2, 3], 0.5];
  const check: CheckGradResult = func.checkGrad(f2, [x, [1, 2, 3]], { order: 3, eps: 1e-6, atol: 1e-5, rtol: 1e-3, seed: 1 });
  func.checkGrad(f, x);
  const detail: CheckGradDetail = check.details[0];
  const numbers: number[] = [check.maxAbsError, check.maxRelError, detail.order, detail.input, detail.analytic,
    detail.numeric, detail.absError, detail.relError];
  const oks: boolean[] = [check.ok, detail.ok];
  void [g1, g2, g3, value, grads, value1, grad1, cotangents, primalOut, tangentOut, J, Js, Jouts, H, Hs, hv, third,
    primals, numbers, oks];
  // @ts-expect-error: argnums as an array gives an array of gradients
  const wrong: NDArray = func.grad(f2, { argnums: [0, 1] })(x, x);
  void wrong;

  // ---- errors
  try {
    nd.zeros([-1]);
  } catch (e) {
    if (e instanceof WasmgradError) {
      const code: ErrorCode = e.code;
      const name: 'WasmgradError' = e.name;
      const message: string = e.message;
      void [code, name, message];
    }
  }
  const err = new WasmgradError('INVALID_ARGUMENT', 'made by hand', { cause: new Error('x') });
  // @ts-expect-error: not a code
  new WasmgradError('NOPE', 'x');
  void err;
}
