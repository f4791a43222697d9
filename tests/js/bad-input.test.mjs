// Bad input from JS, systematically: every API function (nd.*, NDArray methods, autograd.*,
// func.*) × the wrong values its arguments can get (strings, objects, symbols, BigInts, NaN
// or fractional or negative sizes, typed arrays where lists belong, detached buffers,
// disposed arrays, look-alike NDArrays, NDArrays of another instance of the library, ...).
// Each case must throw a WasmgradError with the right code whose message starts with the
// function's name and says what to do; afterwards the library still works, no live array
// changed, and no handle or byte of memory was left behind.
//
// The table is (function, argument, bad values) → code; the bad values are defined once below.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd, func, NDArray, WasmgradError } from '../../js/index.js';
import { assertClose } from './helpers/check.mjs';

let fx; // live arrays that no case may change
const FX = { a: [[1, 2, 3], [4, 5, 6]], v: [1.5, -2.5, 3.5, -4.5], i: [0, 1, 2] };
// the library's own bundle (dist/wasmgrad.mjs) is a second, independent instance; its cases are
// skipped when it is not built
const other = await import('../../dist/wasmgrad.mjs').then(async (m) => (await m.init(), m), () => null);

before(async () => {
  await init();
  fx = {
    a: nd.array(FX.a), // float32 [2, 3]
    v: nd.array(FX.v, { dtype: 'float64' }).attachGrad(), // a variable
    i: nd.array(FX.i, { dtype: 'int32' }),
  };
});
after(() => Object.values(fx).forEach((x) => x.dispose()));

// ---- the bad values, made fresh for each case ---------------------------------------------
function detachedFloat32() {
  const t = new Float32Array([1, 2, 3]);
  structuredClone(t.buffer, { transfer: [t.buffer] }); // t's buffer is now detached
  return t;
}
function disposedArray() {
  const x = nd.array([1, 2, 3]);
  x.dispose();
  return x;
}
const BAD = {
  string: () => 'abc',
  emptyString: () => '',
  object: () => ({ shape: [3], data: [1, 2, 3] }),
  nullValue: () => null,
  boolean: () => true,
  func: () => () => 1,
  symbol: () => Symbol('s'),
  bigint: () => 3n,
  nan: () => NaN,
  fraction: () => 1.5,
  negative: () => -2,
  infinity: () => Infinity,
  number: () => 2,
  list: () => [1, 2],
  typedList: () => Int32Array.of(2, 3), // a typed array where a JS list belongs
  detached: detachedFloat32,
  bigintTyped: () => BigInt64Array.of(1n),
  dataView: () => new DataView(new ArrayBuffer(8)),
  disposed: disposedArray,
  lookAlike: () => Object.create(NDArray.prototype), // instanceof NDArray, but no array behind it
  cloned: () => structuredClone({ ...nd.tidy(() => nd.ones([2])) }), // what postMessage makes of one
  otherInstance: () => other.nd.array([1, 2, 3]),
  promise: () => Promise.resolve(1),
  cyclic: () => {
    const a = [[1, 2], [3, 4]];
    a[1][1] = a; // contains itself
    return a;
  },
  selfNested: () => {
    const a = [1];
    a[0] = a; // nested forever: this crashed V8 ("invalid size") in nd.array
    return a;
  },
  deep: () => {
    let a = [1];
    for (let i = 0; i < 100_000; i++) a = [a];
    return a;
  },
  // shapes and axis lists
  nanShape: () => [2, NaN],
  fracShape: () => [2, 1.5],
  negShape: () => [2, -3],
  infShape: () => [Infinity],
  hugeShape: () => [2 ** 40],
  strShape: () => ['2', '3'],
  bigintShape: () => [2n],
  minusOnes: () => [-1, -1],
  fracAxes: () => [0.5],
  nestedAxes: () => [[0]],
  // option values
  unknownDtype: () => 'float16',
  wrongCaseDtype: () => 'Float32',
  yes: () => 'yes',
  one: () => 1,
};

const NDARRAY = ['string', 'object', 'nullValue', 'boolean', 'symbol', 'bigint', 'list', 'typedList', 'detached',
  'dataView', 'disposed', 'lookAlike', 'cloned', 'otherInstance', 'func'];
const STRICT_NDARRAY = [...NDARRAY, 'number', 'nan'];
const SHAPE = ['string', 'object', 'nullValue', 'boolean', 'symbol', 'bigint', 'nan', 'fraction', 'negative', 'infinity',
  'typedList', 'nanShape', 'fracShape', 'negShape', 'infShape', 'hugeShape', 'strShape', 'bigintShape', 'lookAlike'];
const AXIS = ['string', 'object', 'boolean', 'symbol', 'bigint', 'nan', 'fraction', 'infinity', 'typedList', 'fracAxes',
  'nestedAxes', 'strShape'];
const NUMBER = ['string', 'object', 'nullValue', 'boolean', 'symbol', 'bigint', 'list', 'typedList', 'lookAlike'];
const OPTIONS = ['string', 'number', 'list', 'boolean', 'symbol', 'nullValue', 'lookAlike', 'typedList'];
const DTYPE = ['unknownDtype', 'wrongCaseDtype', 'emptyString', 'number', 'object', 'nullValue', 'symbol'];
const FLAG = ['yes', 'one', 'object', 'nullValue', 'string'];
const FUNCTION = ['string', 'object', 'nullValue', 'number', 'symbol', 'list', 'lookAlike'];
const LIST = ['string', 'object', 'number', 'nullValue', 'symbol', 'typedList', 'lookAlike', 'disposed', 'otherInstance'];

// ---- the table ----------------------------------------------------------------------------
// [where, (bad, fx) => call, bad value names, code (default INVALID_ARGUMENT)]
// `where` is the name the message must start with. A disposed array is always DISPOSED.
const opts = (key) => (b) => ({ [key]: b });
const recorded = ({ v }) => autograd.record(() => v.mul(v).sum());

const CASES = [
  // creation
  ['nd.array', (b) => nd.array(b), ['string', 'object', 'nullValue', 'symbol', 'bigint', 'detached', 'bigintTyped',
    'dataView', 'lookAlike', 'otherInstance', 'func', 'promise', 'cyclic', 'selfNested', 'deep']],
  ['nd.array', (b) => nd.array([[1, 2], b]), ['string', 'number', 'object', 'symbol', 'detached']],
  ['nd.array', (b) => nd.array([1, b]), ['string', 'object', 'nullValue', 'symbol', 'bigint', 'list', 'lookAlike']],
  ['nd.array', (b) => nd.array([1, 2], b), OPTIONS],
  ['nd.array', (b) => nd.array([1, 2], { dtype: b }), DTYPE],
  ['nd.array', (b) => nd.array([1, 2], { shape: b }), SHAPE.filter((k) => k !== 'nullValue')],
  ['nd.zeros', (b) => nd.zeros(b), [...SHAPE, 'cyclic', 'selfNested']],
  ['nd.zeros', (b) => nd.zeros([2], b), OPTIONS],
  ['nd.ones', (b) => nd.ones([2], { dtype: b }), DTYPE],
  ['nd.full', (b) => nd.full(b, 1), SHAPE],
  ['nd.full', (b) => nd.full([2], b), NUMBER],
  ['nd.zerosLike', (b) => nd.zerosLike(b), STRICT_NDARRAY],
  ['nd.onesLike', (b) => nd.onesLike(b), STRICT_NDARRAY],
  ['nd.arange', (b) => nd.arange(b), NUMBER.filter((k) => k !== 'nullValue' && k !== 'object' && k !== 'lookAlike')],
  ['nd.arange', (b) => nd.arange(0, 5, b), [...NUMBER.filter((k) => k !== 'object' && k !== 'lookAlike'), 'nan', 'infinity']],
  ['nd.arange', (b) => nd.arange(0, 5, 1, { dtype: b }), DTYPE.filter((k) => k !== 'object' && k !== 'nullValue')],
  ['nd.linspace', (b) => nd.linspace(b, 1, 3), NUMBER.filter((k) => k !== 'object' && k !== 'lookAlike')],
  ['nd.linspace', (b) => nd.linspace(0, 1, b), ['string', 'nan', 'fraction', 'negative', 'infinity', 'symbol', 'bigint', 'list']],
  ['nd.linspace', (b) => nd.linspace(0, 1, 3, { endpoint: b }), FLAG],
  ['nd.eye', (b) => nd.eye(b), ['string', 'nan', 'fraction', 'negative', 'infinity', 'symbol', 'bigint', 'list', 'nullValue']],
  ['nd.eye', (b) => nd.eye(2, { k: b }), ['string', 'nan', 'fraction', 'infinity', 'symbol', 'bigint', 'list']],
  ['nd.eye', (b) => nd.eye(2, { m: b }), ['string', 'nan', 'fraction', 'negative', 'symbol', 'list']],
  ['nd.random.seed', (b) => nd.random.seed(b), ['string', 'nan', 'fraction', 'negative', 'infinity', 'symbol', 'bigint',
    'list', 'nullValue', 'hugeShape']],
  ['nd.random.uniform', (b) => nd.random.uniform(b, 1, [2]), [...NUMBER.filter((k) => k !== 'object' && k !== 'lookAlike' && k !== 'nullValue'), 'nan', 'infinity']],
  ['nd.random.uniform', (b) => nd.random.uniform(0, 1, b), SHAPE.filter((k) => k !== 'object' && k !== 'nullValue' && k !== 'lookAlike')],
  ['nd.random.normal', (b) => nd.random.normal(0, b, [2]), ['string', 'symbol', 'bigint', 'list', 'nan', 'infinity', 'negative']],
  ['nd.random.normal', (b) => nd.random.normal(0, 1, [2], { dtype: b }), DTYPE.filter((k) => k !== 'object' && k !== 'nullValue')],
  ['nd.random.normal', (b) => nd.random.normal(0, 1, [2], { dtype: 'int32' }), ['one'], 'DTYPE_MISMATCH'],
  ['nd.tidy', (b) => nd.tidy(b), FUNCTION],
  ['nd.tidy', (b) => nd.tidy(() => b), ['promise']],
  // elementwise, reductions
  ['nd.sin', (b) => nd.sin(b), STRICT_NDARRAY],
  ['nd.sin', (b, { i }) => nd.sin(i), ['one'], 'DTYPE_MISMATCH'],
  ['nd.exp', (b, { a }) => a.exp(b), []], // extra arguments are ignored: nothing to check
  ['nd.add', (b, { a }) => nd.add(a, b), [...NDARRAY, 'cyclic', 'selfNested']],
  ['nd.add', (b, { a }) => nd.add(b, a), NDARRAY],
  ['nd.add', (b) => nd.add(b, 1), NDARRAY],
  ['nd.subtract', (b, { a }) => a.sub(b), NDARRAY],
  ['nd.power', (b, { i }) => nd.power(i, i), ['one'], 'DTYPE_MISMATCH'],
  ['nd.maximum', (b, { a }) => nd.maximum(a, b), NDARRAY],
  ['nd.greater', (b, { a }) => a.greater(b), NDARRAY],
  ['nd.sum', (b) => nd.sum(b), STRICT_NDARRAY],
  ['nd.sum', (b, { a }) => nd.sum(a, { axis: b }), AXIS],
  ['nd.sum', (b, { a }) => a.sum(b), AXIS.filter((k) => k !== 'object')],
  ['nd.sum', (b, { a }) => nd.sum(a, { keepdims: b }), FLAG.filter((k) => k !== 'nullValue')],
  ['nd.prod', (b, { a }) => nd.prod(a, { axis: b }), AXIS],
  ['nd.max', (b, { a }) => a.max({ axis: b }), AXIS],
  ['nd.mean', (b, { a }) => nd.mean(a, { axis: b }), AXIS],
  ['nd.mean', (b, { i }) => nd.mean(i), ['one'], 'DTYPE_MISMATCH'],
  ['nd.logsumexp', (b, { a }) => nd.logsumexp(a, b), AXIS.filter((k) => k !== 'object')],
  ['nd.norm', (b, { a }) => nd.norm(a, { ord: b }), ['string', 'object', 'symbol', 'bigint', 'list', 'nan', 'negative', 'emptyString']],
  ['nd.norm', (b, { a }) => nd.norm(a, b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['nd.clip', (b, { a }) => nd.clip(a, b, 5), NUMBER.filter((k) => k !== 'nullValue')],
  ['nd.clip', (b, { a }) => nd.clip(b, 0, 5), STRICT_NDARRAY],
  ['nd.where', (b, { a }) => nd.where(b, a, a), STRICT_NDARRAY],
  ['nd.where', (b, { a, i }) => nd.where(i, a, b), NDARRAY.filter((k) => k !== 'number')],
  ['nd.astype', (b, { a }) => nd.astype(a, b), DTYPE],
  ['NDArray.astype', (b, { a }) => a.astype(b), DTYPE],
  ['nd.astype', (b) => nd.astype(b, 'float32'), STRICT_NDARRAY],
  // layout
  ['nd.reshape', (b, { a }) => nd.reshape(a, b), [...SHAPE.filter((k) => k !== 'nullValue' && k !== 'negative'), 'minusOnes']],
  ['nd.reshape', (b, { a }) => a.reshape(b), ['nanShape', 'fracShape', 'strShape', 'typedList']],
  ['nd.reshape', (b) => nd.reshape(b, [3]), STRICT_NDARRAY],
  ['nd.transpose', (b, { a }) => nd.transpose(a, b), AXIS],
  ['nd.transpose', (b, { a }) => a.transpose([0, b]), ['string', 'fraction', 'nan', 'nullValue', 'symbol', 'number', 'negative']],
  ['nd.broadcastTo', (b, { a }) => nd.broadcastTo(a, b), SHAPE.filter((k) => k !== 'nullValue')],
  ['nd.expandDims', (b, { a }) => nd.expandDims(a, b), ['string', 'object', 'nullValue', 'symbol', 'bigint', 'nan', 'fraction',
    'infinity', 'list', 'hugeShape']],
  ['nd.expandDims', (b, { a }) => a.expandDims(), ['one']],
  ['nd.squeeze', (b, { a }) => nd.squeeze(a, b), AXIS],
  ['nd.squeeze', (b, { a }) => a.squeeze(0), ['one']], // axis 0 has size 2
  ['nd.flip', (b, { a }) => nd.flip(a, b), AXIS],
  ['nd.concat', (b) => nd.concat(b), [...LIST.filter((k) => k !== 'disposed'), 'list', 'emptyList']],
  ['nd.concat', (b, { a }) => nd.concat([a, b]), NDARRAY],
  ['nd.concat', (b, { a }) => nd.concat([a, a], b), ['string', 'fraction', 'nan', 'symbol', 'bigint', 'list', 'object']],
  ['nd.stack', (b, { a }) => nd.stack([a, b]), NDARRAY],
  ['nd.stack', (b, { a }) => a.stack(b), NDARRAY.filter((k) => k !== 'list')],
  ['nd.slice', (b, { a }) => nd.slice(a, b), ['string', 'object', 'symbol', 'fraction', 'nan', 'fracAxes', 'strShape', 'typedList']],
  ['nd.slice', (b, { a }) => nd.slice(a, [0], [2], b), ['string', 'object', 'fraction', 'fracAxes']],
  ['nd.slice', (b, { a }) => nd.slice(a, [0], [2], [0]), ['one']], // step 0
  ['nd.take', (b, { a }) => nd.take(a, b), ['string', 'object', 'nullValue', 'symbol', 'fraction', 'fracAxes', 'strShape',
    'detached', 'disposed', 'lookAlike', 'otherInstance', 'cyclic', 'selfNested', 'deep']],
  ['nd.take', (b, { a }) => nd.take(a, [0, 1], b), ['string', 'fraction', 'nan', 'symbol', 'list']],
  ['nd.take', (b, { a }) => nd.take(a, [0, 5]), ['one']], // out of range: take does not clip
  ['nd.take', (b, { a }) => nd.take(a, a), ['one'], 'DTYPE_MISMATCH'],
  // linear algebra and neural
  ['nd.dot', (b, { v }) => nd.dot(v, b), STRICT_NDARRAY],
  ['nd.matmul', (b, { a }) => nd.matmul(b, a), STRICT_NDARRAY],
  ['nd.matmul', (b, { a }) => a.matmul(b), STRICT_NDARRAY],
  ['nd.fullyConnected', (b, { a }) => nd.fullyConnected(a, b), STRICT_NDARRAY],
  ['nd.fullyConnected', (b, { a }) => nd.fullyConnected(a, a, b), STRICT_NDARRAY.filter((k) => k !== 'nullValue')],
  ['nd.softmax', (b, { a }) => nd.softmax(a, b), ['string', 'fraction', 'nan', 'symbol', 'bigint', 'list', 'infinity']],
  ['nd.softmax', (b, { a }) => nd.softmax(a, { axis: b }), ['string', 'fraction', 'nan', 'symbol', 'list']],
  ['nd.logSoftmax', (b) => nd.logSoftmax(b), STRICT_NDARRAY],
  ['nd.softmaxCrossEntropy', (b, { a }) => nd.softmaxCrossEntropy(a, b), ['string', 'object', 'nullValue', 'symbol', 'fraction',
    'fracAxes', 'disposed', 'lookAlike', 'otherInstance']],
  ['nd.softmaxCrossEntropy', (b, { a }) => nd.softmaxCrossEntropy(a, [0, 7]), ['one']], // label out of range
  ['nd.softmaxCrossEntropy', (b, { a }) => nd.softmaxCrossEntropy(a, nd.array([0, 1])), ['one'], 'DTYPE_MISMATCH'],
  // NDArray methods
  ['NDArray.attachGrad', (b) => nd.ones([2]).attachGrad(b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['NDArray.attachGrad', (b) => nd.ones([2]).attachGrad({ gradReq: b }), ['string', 'one', 'nullValue', 'symbol', 'object']],
  ['NDArray.attachGrad', (b, { i }) => i.attachGrad(), ['one'], 'DTYPE_MISMATCH'],
  ['NDArray.backward', (b, fx) => recorded(fx).backward(b), ['string', 'number', 'symbol', 'list', 'typedList', 'boolean']],
  ['NDArray.backward', (b, fx) => recorded(fx).backward(undefined, b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['NDArray.backward', (b, fx) => recorded(fx).backward(b === 0 ? 0 : nd.ones([2], { dtype: 'float64' })), ['one'], 'SHAPE_MISMATCH'],
  ['NDArray.backward', (b, fx) => recorded(fx).backward({ retainGraph: b }), FLAG],
  ['NDArray.backward', (b, { a }) => a.backward(), ['one'], 'NOT_RECORDED'],
  ['NDArray.item', (b, { a }) => a.item(), ['one']],
  ['NDArray.toArray', (b) => b.toArray(), ['disposed']],
  ['NDArray.toTypedArray', (b) => b.toTypedArray(), ['disposed']],
  ['NDArray.grad', (b) => b.grad, ['disposed']],
  ['NDArray.detach', (b) => b.detach(), ['disposed']],
  ['nd.sin', (b) => NDArray.prototype.sin.call(b), ['object', 'lookAlike', 'cloned', 'otherInstance', 'disposed']],
  ['new NDArray', (b) => new NDArray(b, 1), ['string', 'number', 'object', 'nullValue']],
  // autograd
  ['autograd.record', (b) => autograd.record(b), FUNCTION],
  ['autograd.record', (b) => autograd.record(() => 1, b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['autograd.record', (b) => autograd.record(() => 1, { trainMode: b }), FLAG],
  ['autograd.record', (b) => autograd.record(() => b), ['promise']],
  ['autograd.pause', (b) => autograd.pause(b), FUNCTION],
  ['autograd.grad', (b, { v }) => autograd.grad(b, v), [...LIST, 'emptyList']],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), b), LIST],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), [fx.v, b]), NDARRAY],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), fx.a), ['one']], // not a variable
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), fx.v, b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), fx.v, { createGraph: b }), FLAG],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), fx.v, { allowUnused: b }), FLAG],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), fx.v, { headGrads: b }), ['string', 'object', 'number', 'symbol',
    'typedList', 'lookAlike', 'disposed', 'otherInstance']],
  ['autograd.grad', (b, fx) => autograd.grad(recorded(fx), fx.v, { headGrads: [b, b] }), ['one']], // 2 for 1 head
  ['autograd.grad', (b, fx) => autograd.grad(nd.ones([2]).mul(2), fx.v), ['one'], 'NOT_RECORDED'],
  ['autograd.grad', (b, fx) => { // a variable the head does not depend on
    const w = nd.ones([2]).attachGrad();
    autograd.grad(autograd.record(() => w.mul(2)), fx.v);
  }, ['one']],
  ['autograd.backward', (b) => autograd.backward(b), [...LIST, 'emptyList']],
  ['autograd.backward', (b, fx) => autograd.backward(recorded(fx), b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['autograd.backward', (b, fx) => { const y = recorded(fx); y.backward(); autograd.backward(y); }, ['one'], 'GRAPH_FREED'],
  ['autograd.Function', (b) => new autograd.Function(b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['autograd.Function', (b) => new autograd.Function({ forward: b, backward: (g) => g }), FUNCTION.filter((k) => k !== 'nullValue')],
  ['autograd.Function', (b) => new autograd.Function({ forward: (x) => x, backward: (g) => g, onceDifferentiable: b }), FLAG.filter((k) => k !== 'nullValue')],
  // func
  ['func.grad', (b) => func.grad(b), FUNCTION],
  ['func.grad', (b, { v }) => func.grad((x) => x.sum(), b)(v), OPTIONS.filter((k) => k !== 'lookAlike')],
  ['func.grad', (b, { v }) => func.grad((x) => x.sum(), { argnums: b })(v), ['string', 'fraction', 'nan', 'number', 'symbol', 'object']],
  ['func.grad', (b, { v }) => func.grad((x) => x)(v), ['one']], // not a scalar
  ['func.grad', (b) => func.grad((x) => x.sum())(b), ['string', 'object', 'symbol', 'bigint', 'disposed', 'lookAlike', 'otherInstance', 'detached']],
  ['func.valueAndGrad', (b) => func.valueAndGrad(b), FUNCTION],
  ['func.vjp', (b) => func.vjp(b, 1), FUNCTION],
  ['func.vjp', (b) => func.vjp((x) => x.sin(), b), ['string', 'object', 'symbol', 'bigint', 'disposed', 'lookAlike', 'otherInstance']],
  ['func.vjp', (b, { v }) => func.vjp((x) => x.sin(), v)[1](b), ['string', 'object', 'symbol', 'disposed', 'lookAlike']],
  ['func.jvp', (b, { v }) => func.jvp((x) => x.sin(), [v], b), ['string', 'object', 'symbol', 'disposed', 'lookAlike', 'otherInstance']],
  ['func.jvp', (b, { v }) => func.jvp((x) => x.sin(), [v], [nd.ones([3], { dtype: 'float64' })]), ['one'], 'SHAPE_MISMATCH'],
  ['func.jvp', (b, { v }) => func.jvp((x) => x.sin(), [v, v], [v]), ['one']],
  ['func.hvp', (b, { v }) => func.hvp((x) => x.sum(), b, [v]), ['string', 'object', 'symbol', 'disposed', 'lookAlike']],
  ['func.jacobian', (b) => func.jacobian(b), FUNCTION],
  ['func.jacobian', (b, { v }) => func.jacobian((x) => b)(v), ['string', 'number', 'object', 'nullValue', 'list']],
  ['func.hessian', (b, { v }) => func.hessian((x) => x.sum(), b)(v), OPTIONS.filter((k) => k !== 'lookAlike')],
  ['func.checkGrad', (b, { v }) => func.checkGrad(b, [v]), FUNCTION],
  ['func.checkGrad', (b) => func.checkGrad((x) => x.sin(), b), ['string', 'number', 'symbol', 'nullValue', 'object']],
  ['func.checkGrad', (b, { v }) => func.checkGrad((x) => x.sin(), [v], b), OPTIONS.filter((k) => k !== 'nullValue')],
  ['func.checkGrad', (b, { v }) => func.checkGrad((x) => x.sin(), [v], { order: b }), ['string', 'fraction', 'negative', 'nan', 'object']],
  ['func.checkGrad', (b, { v }) => func.checkGrad((x) => x.sin(), [v], { eps: b }), ['string', 'negative', 'nan', 'infinity', 'object']],
];
BAD.emptyList = () => [];

// what the message must say for some bad values (where the value itself is the problem)
const SAYS = {
  otherInstance: /another instance of wasmgrad/,
  lookAlike: /NDArray|must be|needs|expects/,
  detached: /detached|must be/,
  disposed: /dispose/,
};
const FIX = /must|use |pass|copy|call|make|give|expects|needs|keep|convert|only|should|list each|at most|at least|in \[|choose|return|before|drop|instead|reshape|define|name/i;
const CODES = ['NOT_INITIALIZED', 'INVALID_ARGUMENT', 'SHAPE_MISMATCH', 'DTYPE_MISMATCH', 'DISPOSED', 'GRAPH_FREED',
  'NOT_RECORDED', 'NOT_DIFFERENTIABLE', 'OUT_OF_MEMORY'];

function assertStillWorking(before) {
  for (const [k, values] of Object.entries(FX)) {
    assertClose(fx[k].toTypedArray(), values.flat(), { rtol: 0, what: `live array ${k}` });
  }
  assert.equal(fx.v.isDisposed, false);
  assert.deepEqual(nd.tidy(() => nd.add(fx.v, 1).toArray()), FX.v.map((x) => x + 1), 'the library still computes');
  assert.equal(autograd.isRecording(), false, 'recording is off again');
  const now = nd.memory();
  assert.equal(now.arrays, before.arrays, 'no handle left behind');
  assert.equal(now.bytes, before.bytes, 'no array bytes left behind');
  assert.equal(now.graphBytes, before.graphBytes, 'no graph bytes left behind');
}

describe('every function × bad arguments', () => {
  for (const [where, call, bads, code = 'INVALID_ARGUMENT'] of CASES) {
    for (const bad of bads) {
      const label = `${where}: ${call.toString().replace(/^\(b(, [^)]*)?\) => /, '').slice(0, 70)} with ${bad}`;
      test(label, { skip: bad === 'otherInstance' && !other ? 'dist/wasmgrad.mjs is not built' : false }, () => {
        const before = nd.memory();
        let err;
        nd.tidy(() => {
          const value = BAD[bad]();
          try {
            call(value, fx);
          } catch (e) {
            err = e;
          }
        });
        assert.ok(err, `${label}: nothing was thrown`);
        assert.ok(err instanceof WasmgradError, `${label}: threw ${err?.constructor?.name}: ${err?.message}`);
        const want = bad === 'disposed' ? 'DISPOSED' : code;
        assert.equal(err.code, want, `${label}: code ${err.code} (${err.message})`);
        assert.ok(CODES.includes(err.code));
        const name = where.replace(/\./g, '\\.').replace(/^NDArray\\\./, '(NDArray|nd)\\.');
        assert.match(err.message, new RegExp(`^${name}\\b`), `${label}: the message names the function: ${err.message}`);
        assert.match(err.message, FIX, `${label}: the message says what to do: ${err.message}`);
        if (SAYS[bad]) assert.match(err.message, SAYS[bad], `${label}: the message says what is wrong: ${err.message}`);
        assertStillWorking(before);
      });
    }
  }
});

test('nd.tidy keeps the arrays of a result that contains itself or is nested very deep', () => {
  const before = nd.memory().arrays;
  const o = nd.tidy(() => {
    nd.ones([2]); // disposed
    const r = { a: nd.ones([1]), list: [] };
    r.self = r;
    r.list.push(r.list, r);
    return r;
  });
  let d = nd.tidy(() => BAD.deep().concat([nd.ones([3])]));
  assert.equal(nd.memory().arrays, before + 2);
  assert.deepEqual(o.a.toArray(), [1]);
  o.a.dispose();
  d.at(-1).dispose();
  d = null;
  assert.equal(nd.memory().arrays, before);
});

describe('the bad values are what they claim', () => {
  test('a detached typed array has length 0 and its buffer cannot be viewed', () => {
    const t = detachedFloat32();
    assert.equal(t.length, 0);
    assert.throws(() => new Uint8Array(t.buffer));
  });
  test('a look-alike passes instanceof but is no array', () => {
    assert.ok(BAD.lookAlike() instanceof NDArray);
  });
  test('the other instance is a separate copy of the library', { skip: !other && 'dist/wasmgrad.mjs is not built' }, () => {
    const y = other.nd.array([1, 2]);
    assert.ok(!(y instanceof NDArray));
    assert.deepEqual(other.nd.sin(y).toArray().map(Math.fround), [Math.sin(1), Math.sin(2)].map(Math.fround));
  });
});
