// Gradients through broadcasting are summed back to each input's shape. The expected values
// are written out as explicit loops over the head gradient.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd } from '../../js/index.js';
import { makeRng } from './helpers/prng.mjs';
import { assertClose, valuesOf } from './helpers/check.mjs';

before(async () => {
  await init();
});

const rng = makeRng(7);
const TOL = { float32: { rtol: 1e-5, atol: 1e-6 }, float64: { rtol: 1e-13, atol: 1e-15 } };

/** variables from [shape, values] pairs, head H, backward(H); returns the .grad values */
function backwardGrads(dtype, f, inputs, headShape, H) {
  return nd.tidy(() => {
    const vars = inputs.map(([shape, v]) => {
      const x = shape.length ? nd.array(v, { dtype, shape }) : nd.array(v[0], { dtype });
      x.attachGrad();
      return x;
    });
    const y = autograd.record(() => f(...vars));
    assert.deepEqual(y.shape, headShape);
    y.backward(nd.array(H, { dtype, shape: headShape }));
    return vars.map((x, i) => {
      assert.deepEqual(x.grad.shape, inputs[i][0], 'grad has the input shape');
      return valuesOf(x.grad);
    });
  });
}

const round = (dtype, a) => (dtype === 'float32' ? a.map(Math.fround) : a);

for (const dtype of ['float32', 'float64']) {
  const tol = TOL[dtype];

  test(`x [2,3] + b [3]: b.grad is the column sums of the head (${dtype})`, () => {
    const x = round(dtype, rng.array(6));
    const b = round(dtype, rng.array(3));
    const H = round(dtype, rng.array(6));
    const [gx, gb] = backwardGrads(dtype, nd.add, [[[2, 3], x], [[3], b]], [2, 3], H);
    assertClose(gx, H, { ...tol, what: 'x.grad' });
    assertClose(gb, [0, 1, 2].map((j) => H[j] + H[3 + j]), { ...tol, what: 'b.grad' });
  });

  test(`a [4,1] * b [1,5]: row and column sums (${dtype})`, () => {
    const a = round(dtype, rng.array(4));
    const b = round(dtype, rng.array(5));
    const H = round(dtype, rng.array(20));
    const [ga, gb] = backwardGrads(dtype, nd.multiply, [[[4, 1], a], [[1, 5], b]], [4, 5], H);
    const ea = [], eb = [0, 0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      ea.push(0);
      for (let j = 0; j < 5; j++) {
        ea[i] += H[i * 5 + j] * b[j];
        eb[j] += H[i * 5 + j] * a[i];
      }
    }
    assertClose(ga, ea, { ...tol, what: 'a.grad' });
    assertClose(gb, eb, { ...tol, what: 'b.grad' });
  });

  test(`0-d s * m [2,2] and m [2,2] - s: s.grad is 0-d (${dtype})`, () => {
    const s = round(dtype, [0.75]);
    const m = round(dtype, rng.array(4));
    const H = round(dtype, rng.array(4));
    const [gs, gm] = backwardGrads(dtype, nd.multiply, [[[], s], [[2, 2], m]], [2, 2], H);
    assertClose(gs, [H.reduce((acc, h, i) => acc + h * m[i], 0)], { ...tol, what: 's.grad' });
    assertClose(gm, H.map((h) => h * s[0]), { ...tol, what: 'm.grad' });
    const [gm2, gs2] = backwardGrads(dtype, nd.subtract, [[[2, 2], m], [[], s]], [2, 2], H);
    assertClose(gm2, H, { ...tol, what: 'm.grad of m - s' });
    assertClose(gs2, [-H.reduce((acc, h) => acc + h, 0)], { ...tol, what: 's.grad of m - s' });
  });

  test(`both sides broadcast: a [2,1,3] / b [4,1] -> [2,4,3] (${dtype})`, () => {
    const a = round(dtype, rng.array(6));
    const b = round(dtype, rng.signedAway(4, 0.5, 2));
    const H = round(dtype, rng.array(24));
    const [ga, gb] = backwardGrads(dtype, nd.divide, [[[2, 1, 3], a], [[4, 1], b]], [2, 4, 3], H);
    const ea = new Array(6).fill(0), eb = new Array(4).fill(0);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) {
      const h = H[(i * 4 + j) * 3 + k];
      ea[i * 3 + k] += h / b[j];
      eb[j] += (-h * a[i * 3 + k]) / (b[j] * b[j]);
    }
    assertClose(ga, ea, { ...tol, what: 'a.grad' });
    assertClose(gb, eb, { ...tol, what: 'b.grad' });
  });
}

test('the same variable on both sides of a broadcast: x [3] * x[2,3]-broadcast accumulates', () => {
  nd.tidy(() => {
    const x = nd.array([0.5, -1, 2], { dtype: 'float64' });
    x.attachGrad();
    const y = autograd.record(() => nd.multiply(nd.broadcastTo(x, [2, 3]), x));
    y.backward();
    // y[i][j] = x_j^2 for both rows: dy/dx_j summed = 2 * 2 x_j
    assertClose(x.grad.toTypedArray(), [2, -4, 8], { rtol: 0, what: 'x.grad' });
  });
});

test('mixed dtypes: float32 with float64 gives float64, each gradient keeps its input dtype', () => {
  nd.tidy(() => {
    const av = [0.1, -0.7, 1.3];
    const bv = [0.3, 2.2];
    const a = nd.array(av, { shape: [3, 1] });
    const b = nd.array(bv, { dtype: 'float64' });
    a.attachGrad();
    b.attachGrad();
    const y = autograd.record(() => nd.multiply(a, b));
    assert.equal(y.dtype, 'float64');
    assert.deepEqual(y.shape, [3, 2]);
    y.backward();
    assert.equal(a.grad.dtype, 'float32');
    assert.equal(b.grad.dtype, 'float64');
    const a32 = av.map(Math.fround);
    assertClose(valuesOf(a.grad), a32.map(() => Math.fround(bv[0] + bv[1])), { rtol: 1e-7, what: 'a.grad' });
    assertClose(valuesOf(b.grad), bv.map(() => a32[0] + a32[1] + a32[2]), { rtol: 1e-15, what: 'b.grad' });
  });
});

test('int32 with a float gives the float dtype; a JS number takes the array dtype', () => {
  nd.tidy(() => {
    const i = nd.array([1, 2, 3], { dtype: 'int32' });
    const x = nd.array([0.5, 0.25, 0.125], { dtype: 'float64' });
    x.attachGrad();
    const y = autograd.record(() => nd.multiply(i, x));
    assert.equal(y.dtype, 'float64');
    assert.deepEqual(y.toArray(), [0.5, 0.5, 0.375]);
    y.backward();
    assert.deepEqual(x.grad.toArray(), [1, 2, 3]);
    assert.equal(nd.add(nd.ones([2]), 0.1).dtype, 'float32');
    assert.equal(nd.add(nd.ones([2]), 0.1).toTypedArray()[0], Math.fround(1 + Math.fround(0.1)));
    assert.equal(nd.multiply(2, nd.ones([2], { dtype: 'float64' })).dtype, 'float64');
  });
});
