// Every error code of API.md: .code, instanceof WasmgradError, a message naming the operator
// and the shapes/dtypes, and after each error the library keeps working with live arrays
// unchanged.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, nd, autograd } from '../../js/index.js';
import { assertWgError, assertClose, shapeRe } from './helpers/check.mjs';

const INDEX = fileURLToPath(new URL('../../js/index.js', import.meta.url));

// Live arrays that every error case may use and none may change.
let fx;
const FX_VALUES = { a23: [1, 2, 3, 4, 5, 6], v4: [1.5, -2.5, 3.5, -4.5], i3: [0, 1, 2] };
before(async () => {
  await init();
  fx = {
    a23: nd.array(FX_VALUES.a23, { shape: [2, 3] }),
    v4: nd.array(FX_VALUES.v4, { dtype: 'float64' }),
    i3: nd.array(FX_VALUES.i3, { dtype: 'int32' }),
  };
});
after(() => Object.values(fx).forEach((x) => x.dispose()));

function assertStillWorking() {
  for (const [k, values] of Object.entries(FX_VALUES)) {
    assertClose(Array.from(fx[k].toTypedArray()), values, { rtol: 0, what: `live array ${k}` });
  }
  const y = nd.tidy(() => nd.add(fx.v4, 1).toArray());
  assert.deepEqual(y, FX_VALUES.v4.map((v) => v + 1), 'the library still computes');
}

/** one test per case: the error (code null: any code of API.md), then the library still works */
function errorCases(code, cases) {
  describe(code ?? 'errors whose code API.md leaves open', () => {
    for (const [name, fn, ...patterns] of cases) {
      test(name, () => {
        nd.tidy(() => assertWgError(() => fn(fx), code, ...patterns));
        assertStillWorking();
      });
    }
  });
}

test('NOT_INITIALIZED before init() (fresh process)', () => {
  const script = `
    import { nd, init, WasmgradError } from ${JSON.stringify(INDEX)};
    const out = {};
    try { nd.array([1, 2]); out.thrown = false; } catch (e) {
      Object.assign(out, { thrown: true, code: e.code, isWg: e instanceof WasmgradError, message: e.message });
    }
    await init();
    out.after = nd.array([1, 2]).toArray();
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  assert.equal(out.thrown, true, 'nd.array before init() throws');
  assert.equal(out.code, 'NOT_INITIALIZED');
  assert.equal(out.isWg, true);
  assert.match(out.message, /init\(\)/);
  assert.deepEqual(out.after, [1, 2], 'works once init() resolved');
});

test('init() returns the same promise on later calls', () => {
  assert.equal(init(), init());
});

errorCases('INVALID_ARGUMENT', [
  ['sum: axis out of range', ({ a23 }) => nd.sum(a23, { axis: 2 }), /sum/, /axis/, shapeRe([2, 3])],
  ['mean: negative axis out of range', ({ a23 }) => nd.mean(a23, { axis: -3 }), /mean/, /axis/, shapeRe([2, 3])],
  ['sum: repeated axes', ({ a23 }) => nd.sum(a23, { axis: [0, 0] }), /sum/, /axis|axes/],
  ['sum: repeated axes after normalizing -1', ({ a23 }) => nd.sum(a23, { axis: [1, -1] }), /sum/, /axis|axes/],
  ['expandDims: axis out of range', ({ a23 }) => nd.expandDims(a23, 4), /expandDims/, /axis/],
  ['transpose: not a permutation', ({ a23 }) => nd.transpose(a23, [0, 0]), /transpose/],
  ['array: ragged data', () => nd.array([[1, 2], [3]]), /array/, /ragged|shape|length/i],
  ['array: non-numeric data', () => nd.array([1, 'a']), /array/, /"a"|string|number/i],
  ['array: an object inside', () => nd.array([[1, {}]]), /array/],
  ['array: unknown dtype', () => nd.array([1], { dtype: 'float16' }), /array/, /float16/],
  ['zeros: unknown dtype', () => nd.zeros([2], { dtype: 'bool' }), /zeros/, /bool/],
  ['zeros: negative size', () => nd.zeros([2, -1]), /zeros/, /-1/],
  ['ones: fractional size', () => nd.ones([2.5]), /ones/, /2\.5/],
  ['take: index out of range', ({ a23 }) => nd.take(a23, nd.array([0, 2], { dtype: 'int32' }), 0), /take/, /out of range/, shapeRe([2, 3])],
  ['attachGrad: bad gradReq', ({ v4 }) => v4.detach().attachGrad({ gradReq: 'sometimes' }), /gradReq/, /sometimes/],
  ['sum: bad axis option', ({ a23 }) => nd.sum(a23, { axis: 'rows' }), /sum/, /axis/],
  ['grad: headGrads not an NDArray', ({ v4 }) => {
    const x = v4.detach();
    x.attachGrad();
    autograd.grad(autograd.record(() => x.mul(2)), x, { headGrads: 'ones' });
  }, /headGrads/],
  ['record: not a function', () => autograd.record(42), /record/],
]);

errorCases('SHAPE_MISMATCH', [
  ['add [2,3] + [4]', ({ a23 }) => nd.add(a23, nd.ones([4])), /add/, shapeRe([2, 3]), shapeRe([4])],
  ['multiply method [2,3] * [2]', ({ a23 }) => a23.mul(nd.ones([2])), /multiply|mul/, shapeRe([2, 3]), shapeRe([2])],
  ['matmul inner sizes [2,3] @ [4,5]', ({ a23 }) => nd.matmul(a23, nd.ones([4, 5])), /matmul/, shapeRe([2, 3]), shapeRe([4, 5])],
  ['matmul batch dims [2,2,3] @ [3,3,4]', () => nd.matmul(nd.ones([2, 2, 3]), nd.ones([3, 3, 4])), /matmul/, shapeRe([2, 2, 3])],
  ['reshape to another size', ({ a23 }) => nd.reshape(a23, [4, 2]), /reshape/, shapeRe([2, 3]), shapeRe([4, 2])],
  ['broadcastTo an incompatible shape', ({ a23 }) => nd.broadcastTo(a23, [2, 4]), /broadcastTo/, shapeRe([2, 3]), shapeRe([2, 4])],
]);

errorCases('DTYPE_MISMATCH', [
  ['attachGrad on int32', ({ i3 }) => i3.attachGrad(), /attachGrad/, /int32/],
]);

errorCases('DISPOSED', [
  ['toArray after dispose', () => {
    const x = nd.ones([2]);
    x.dispose();
    x.toArray();
  }, /dispose/],
  ['an operator on a disposed input', ({ v4 }) => {
    const x = nd.ones([4], { dtype: 'float64' });
    x.dispose();
    nd.add(v4, x);
  }, /add/],
]);

errorCases('GRAPH_FREED', [
  ['a second backward', ({ v4 }) => {
    const x = v4.detach();
    x.attachGrad();
    const y = autograd.record(() => nd.sin(x));
    y.backward();
    y.backward();
  }, /retainGraph/],
]);

errorCases('NOT_RECORDED', [
  ['backward on an unrecorded result', ({ v4 }) => {
    const x = v4.detach();
    x.attachGrad();
    nd.sin(x).backward();
  }, /record/],
]);

errorCases(null, [
  ['array: shape option of another size', () => nd.array([1, 2, 3], { shape: [2, 2] }), /array/, shapeRe([2, 2])],
  ['backward with a head gradient of another shape', ({ v4 }) => {
    const x = v4.detach();
    x.attachGrad();
    autograd.record(() => x.mul(2)).backward(nd.ones([3], { dtype: 'float64' }));
  }, shapeRe([4]), shapeRe([3])],
]);

test('a failed record scope or operator leaves recording off and gradients correct', () => {
  nd.tidy(() => {
    const x = nd.array([0.5, 1.5], { dtype: 'float64' });
    x.attachGrad();
    assertWgError(() => autograd.record(() => nd.add(x, nd.ones([3], { dtype: 'float64' }))), 'SHAPE_MISMATCH');
    assert.equal(autograd.isRecording(), false);
    autograd.record(() => nd.exp(x)).backward();
    assertClose(Array.from(x.grad.toTypedArray()), [Math.exp(0.5), Math.exp(1.5)], { rtol: 1e-15, what: 'x.grad' });
  });
});
