// func.checkGrad: passes on correct derivatives at orders 1..3, fails on wrong ones (a custom
// function with a wrong backward, or one whose backward is right but not differentiable
// correctly), with the details that say where.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd, func } from '../../js/index.js';
import { assertWgError } from './helpers/check.mjs';

before(async () => {
  await init();
});

const X = [[0.5, -1.2, 0.8], [1.5, 0.3, -0.7]];
const Y = [0.4, -0.9, 1.1];

/** a custom unary function with the given backward(g, x) */
const custom = (forward, backward, opts = {}) => new autograd.Function({
  ...opts,
  forward(x) {
    this.saveForBackward(x);
    return forward(x);
  },
  backward(g) {
    return backward(g, this.saved[0]);
  },
});

describe('correct derivatives pass', () => {
  const cases = {
    'elementwise, one 2-D input': [(x) => x.sin().mul(x.tanh()), [X]],
    'a scalar of two inputs with broadcasting': [(x, y) => x.mul(y).exp().sum().add(y.square().sum()), [X, Y]],
    'matmul, softmax and a 0-d input': [(x, s) => nd.softmax(x.matmul(x.transpose()).mul(s)), [X, 0.7]],
    'a small network: fullyConnected, tanh, logSoftmax': [
      (x, w, b) => nd.logSoftmax(nd.fullyConnected(x, w, b).tanh()),
      [X, [[0.1, -0.4, 0.3], [0.7, 0.2, -0.5]], [0.05, -0.1]],
    ],
  };
  for (const [name, [f, inputs]] of Object.entries(cases)) {
    test(`${name}, orders 1..3`, () => {
      const result = func.checkGrad(f, inputs, { order: 3 });
      assert.equal(result.ok, true, JSON.stringify(result.details, null, 1));
      assert.equal(result.details.length, 3 * inputs.length, 'one check per order and input');
      assert.deepEqual(result.details.map((d) => d.order), [1, 2, 3].flatMap((k) => inputs.map(() => k)));
      assert.deepEqual(result.details.map((d) => d.input), [1, 2, 3].flatMap(() => inputs.map((_, i) => i)));
      assert.ok(result.maxAbsError < 1e-7, `maxAbsError ${result.maxAbsError}`);
      assert.ok(result.maxRelError < 1e-5, `maxRelError ${result.maxRelError}`);
      for (const d of result.details) {
        assert.ok(Number.isFinite(d.analytic) && Number.isFinite(d.numeric) && d.ok, JSON.stringify(d));
      }
    });
  }
  test('int32 inputs are passed as they are and not checked (softmaxCrossEntropy labels)', () => {
    const labels = nd.array([2, 0], { dtype: 'int32' });
    const result = func.checkGrad((x, l) => nd.softmaxCrossEntropy(x, l), [X, labels], { order: 2 });
    assert.ok(result.ok, JSON.stringify(result.details));
    assert.deepEqual(result.details.map((d) => d.input), [0, 0]);
    labels.dispose();
  });
  test('float32 inputs are checked on float64 copies and left unchanged', () => {
    const x = nd.array(X);
    const seen = [];
    const result = func.checkGrad((v) => (seen.push(v.dtype), v.mul(v).mul(v)), [x]);
    assert.ok(result.ok);
    assert.ok(seen.every((d) => d === 'float64'), `f saw ${[...new Set(seen)]}`);
    assert.equal(x.dtype, 'float32');
    assert.deepEqual(x.toArray(), X.map((r) => r.map(Math.fround)));
    x.dispose();
  });
  test('a custom function with a correct backward passes at order 3', () => {
    const cube = custom((x) => x.mul(x).mul(x), (g, x) => g.mul(x.square()).mul(3));
    assert.ok(func.checkGrad((x) => cube.apply(x), [X], { order: 3 }).ok);
  });
});

describe('wrong derivatives fail', () => {
  test('a custom function with a wrong backward: ok is false at order 1', () => {
    const wrongCube = custom((x) => x.mul(x).mul(x), (g, x) => g.mul(x.square()).mul(2)); // 2x² instead of 3x²
    const result = func.checkGrad((x) => wrongCube.apply(x), [X]);
    assert.equal(result.ok, false);
    assert.equal(result.details.length, 1);
    const [d] = result.details;
    assert.equal(d.ok, false);
    // the analytic directional derivative is 2/3 of the numeric one
    assert.ok(Math.abs(d.analytic - (2 / 3) * d.numeric) < 1e-6 * Math.abs(d.numeric), JSON.stringify(d));
    assert.ok(result.maxRelError > 0.3, `maxRelError ${result.maxRelError}`);
  });
  test('a wrong gradient of one of two inputs fails on that input only', () => {
    const mul = new autograd.Function({
      forward(a, b) {
        this.saveForBackward(a, b);
        return a.mul(b);
      },
      backward(g) {
        const [a, b] = this.saved;
        return [g.mul(b), g.mul(a).mul(1.01)]; // 1% off for b
      },
    });
    const result = func.checkGrad((a, b) => mul.apply(a, b), [[1, 2, 3], [-1, 0.5, 2]]);
    assert.deepEqual(result.details.map((d) => d.ok), [true, false]);
  });
  test('a backward right in value but wrong at second order: order 1 passes, order 2 fails', () => {
    // backward uses x.detach(): values right, but the engine cannot differentiate it again
    const detached = custom((x) => x.sin(), (g, x) => g.mul(x.detach().cos()));
    const result = func.checkGrad((x) => detached.apply(x), [X], { order: 2 });
    assert.equal(result.ok, false);
    assert.deepEqual(result.details.map((d) => [d.order, d.ok]), [[1, true], [2, false]]);
  });
  test('a saved intermediate is a constant at higher orders (documented): order 2 fails', () => {
    const sigmoidSavingCopy = new autograd.Function({
      forward(x) {
        const y = x.sigmoid();
        this.saveForBackward(y.mul(1)); // not the output itself: a constant for higher orders
        return y;
      },
      backward(g) {
        const [y] = this.saved;
        return g.mul(y).mul(nd.subtract(1, y));
      },
    });
    const result = func.checkGrad((x) => sigmoidSavingCopy.apply(x), [X], { order: 2 });
    assert.deepEqual(result.details.map((d) => d.ok), [true, false]);
  });
  test('tolerances: a tiny error passes with a loose rtol and fails with a tight one', () => {
    const slightlyOff = custom((x) => x.exp(), (g, x) => g.mul(x.exp()).mul(1 + 1e-6));
    const f = (x) => slightlyOff.apply(x);
    assert.equal(func.checkGrad(f, [X]).ok, true);
    assert.equal(func.checkGrad(f, [X], { rtol: 1e-9, atol: 1e-12 }).ok, false);
  });
});

describe('options and side effects', () => {
  test('the same seed gives the same checks; another seed other directions', () => {
    const f = (x) => x.sin();
    const a = func.checkGrad(f, [X], { seed: 7 });
    const b = func.checkGrad(f, [X], { seed: 7 });
    const c = func.checkGrad(f, [X], { seed: 8 });
    assert.deepEqual(a, b);
    assert.notEqual(a.details[0].analytic, c.details[0].analytic);
  });
  test('does not touch nd.random, frees what it made, leaves recording off', () => {
    nd.random.seed(3);
    const expected = nd.tidy(() => nd.random.uniform(0, 1, [4]).toArray());
    const before = nd.memory();
    nd.random.seed(3);
    func.checkGrad((x) => x.exp().sum(), [X], { order: 2 });
    const after = nd.memory();
    assert.deepEqual(nd.tidy(() => nd.random.uniform(0, 1, [4]).toArray()), expected);
    assert.equal(after.arrays, before.arrays, 'arrays');
    assert.equal(after.graphBytes, before.graphBytes, 'graphBytes');
    assert.equal(autograd.isRecording(), false);
  });
  test('a single NDArray input is one argument', () => {
    const x = nd.array([0.5, 1.5]);
    assert.ok(func.checkGrad((v) => v.square(), x).ok);
    x.dispose();
  });
  test('bad arguments', () => {
    assertWgError(() => func.checkGrad('f', [X]), 'INVALID_ARGUMENT', /checkGrad/, /function/);
    assertWgError(() => func.checkGrad((x) => x, 5), 'INVALID_ARGUMENT', /inputs/);
    assertWgError(() => func.checkGrad((x) => x, [X], { order: 0 }), 'INVALID_ARGUMENT', /order/);
    assertWgError(() => func.checkGrad((x) => x, [X], { eps: -1 }), 'INVALID_ARGUMENT', /eps/);
    assertWgError(() => func.checkGrad((x) => x, [X], { atol: 'small' }), 'INVALID_ARGUMENT', /atol/);
    assertWgError(() => func.checkGrad(() => 3, [X]), 'INVALID_ARGUMENT', /f must return an NDArray/);
    const labels = nd.array([1], { dtype: 'int32' });
    assertWgError(() => func.checkGrad((l) => l, [labels]), 'INVALID_ARGUMENT', /nothing to differentiate/);
    labels.dispose();
  });
});
