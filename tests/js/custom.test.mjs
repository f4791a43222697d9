// Custom functions (autograd.Function): forward and backward written by the user with nd
// operators; higher orders through them; once-differentiable; errors from inside backward;
// ownership of what backward makes and of what forward saves.
// Oracles: derivatives written out with Math.* and float64 central differences (func.checkGrad
// is tested on its own in checkgrad.test.mjs).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd, func, WasmgradError } from '../../js/index.js';
import { assertClose, assertWgError, valuesOf } from './helpers/check.mjs';
import { UNARY_DERIVS } from './helpers/analytic.mjs';

before(async () => {
  await init();
});

const inTidy = (name, fn) => test(name, () => nd.tidy(fn));
const XS = [0.5, -1.25, 2];
const variable = (values = XS, dtype = 'float64') => nd.array(values, { dtype }).attachGrad();

/** d^k y / dx^k for k = 1..order by nesting autograd.grad with createGraph */
function derivatives(y, x, order) {
  const out = [];
  let d = y;
  for (let k = 1; k <= order; k++) {
    [d] = autograd.grad(d, x, { createGraph: true, headGrads: nd.onesLike(d) });
    out.push(d);
  }
  return out;
}

// cube: the subclass form (MXNet), saving the input
class Cube extends autograd.Function {
  forward(x) {
    this.saveForBackward(x);
    return x.mul(x).mul(x);
  }
  backward(g) {
    const [x] = this.saved;
    return g.mul(x.square()).mul(3);
  }
}

// softplus: the options form, backward g * sigmoid(x) from the saved input
const softplus = new autograd.Function({
  name: 'Softplus',
  forward(x) {
    this.saveForBackward(x);
    return x.exp().log1p();
  },
  backward(g) {
    const [x] = this.saved;
    return g.mul(x.sigmoid());
  },
});

// sigmoid saving its output: backward y (1 - y) g goes through the recorded output
class Sigmoid extends autograd.Function {
  forward(x) {
    const y = x.sigmoid();
    this.saveForBackward(y);
    return y;
  }
  backward(g) {
    const [y] = this.saved;
    return g.mul(y).mul(nd.subtract(1, y));
  }
}

const sig = (v) => 1 / (1 + Math.exp(-v));
const SOFTPLUS_DERIVS = [
  (v) => Math.log1p(Math.exp(v)),
  sig,
  (v) => sig(v) * (1 - sig(v)),
  (v) => sig(v) * (1 - sig(v)) * (1 - 2 * sig(v)),
];
const CUBE_DERIVS = [(v) => v ** 3, (v) => 3 * v * v, (v) => 6 * v, () => 6];

describe('orders 1..3 through custom functions', () => {
  const cases = [
    ['Cube (subclass)', () => new Cube(), CUBE_DERIVS],
    ['Softplus (options)', () => softplus, SOFTPLUS_DERIVS],
    ['Sigmoid saving its output', () => new Sigmoid(), UNARY_DERIVS.sigmoid],
  ];
  const shapes = { '0-d': [0.75], '1-D': XS, '2-D': [[0.5, -1.25, 2], [0.1, 1.5, -0.3]] };
  for (const [name, make, d] of cases) {
    for (const dtype of ['float64', 'float32']) {
      for (const [shapeName, values] of Object.entries(shapes)) {
        inTidy(`${name}, ${dtype}, ${shapeName}`, () => {
          const data = shapeName === '0-d' ? values[0] : values;
          const x = variable(data, dtype);
          const fn = make();
          const y = autograd.record(() => fn.apply(x));
          assert.deepEqual(y.shape, x.shape);
          assert.equal(y.dtype, dtype);
          const flat = valuesOf(x);
          const rtol = dtype === 'float64' ? 1e-12 : 2e-5;
          assertClose(valuesOf(y), flat.map(d[0]), { rtol, atol: 1e-6 * (dtype === 'float32'), what: 'value' });
          derivatives(y, x, 3).forEach((dk, k) => {
            assert.equal(dk.dtype, dtype);
            assertClose(valuesOf(dk), flat.map(d[k + 1]), { rtol, atol: dtype === 'float32' ? 1e-5 : 1e-14, what: `order ${k + 1}` });
          });
        });
      }
    }
  }

  inTidy('func.grad(func.grad(func.grad(f))) through a custom cube, 0-d', () => {
    const cube = new Cube();
    const f = (x) => cube.apply(x).mul(x.sin());
    // (x³ sin x)''' = -x³ cos x - 9x² sin x + 18x cos x + 6 sin x
    const expected = (v) => -(v ** 3) * Math.cos(v) - 9 * v * v * Math.sin(v) + 18 * v * Math.cos(v) + 6 * Math.sin(v);
    const third = func.grad(func.grad(func.grad(f)));
    assertClose(third(nd.array(0.8, { dtype: 'float64' })).item(), expected(0.8), { rtol: 1e-12 });
  });
  inTidy('func.hessian and func.hvp through a custom softplus, 1-D', () => {
    const f = (x) => softplus.apply(x).sum();
    const x = nd.array(XS, { dtype: 'float64' });
    const H = func.hessian(f)(x);
    const d2 = XS.map(SOFTPLUS_DERIVS[2]);
    assertClose(valuesOf(H), [d2[0], 0, 0, 0, d2[1], 0, 0, 0, d2[2]], { what: 'hessian' });
    const [hv] = func.hvp(f, [x], [nd.array([1, 2, 3], { dtype: 'float64' })]);
    assertClose(valuesOf(hv), d2.map((v, k) => v * (k + 1)), { what: 'hvp' });
  });
  inTidy('func.grad(cube.apply): apply is bound', () => {
    const cube = new Cube();
    assertClose(func.grad(cube.apply)(nd.array(1.5, { dtype: 'float64' })).item(), 3 * 1.5 ** 2);
  });
  test('checkGrad passes at order 3 for every case above', () => {
    for (const [name, make] of cases) {
      const fn = make();
      const result = func.checkGrad((x) => fn.apply(x), [[[0.5, -1.25], [0.3, 1.1]]], { order: 3 });
      assert.ok(result.ok, `${name}: ${JSON.stringify(result.details)}`);
    }
  });
});

describe('several inputs and outputs', () => {
  // mul(a, b) with a scalar exponent argument: forward a * b^p, backward [g b^p, g p a b^(p-1), null]
  const mulPow = new autograd.Function({
    forward(a, b, p) {
      this.saveForBackward(a, b);
      this.p = p; // other values may be kept on `this`
      return a.mul(b.pow(p));
    },
    backward(g) {
      const [a, b] = this.saved;
      return [g.mul(b.pow(this.p)), g.mul(a).mul(b.pow(this.p - 1)).mul(this.p), null];
    },
  });
  const A = [0.5, -1.5, 2];
  const B = [1.2, 0.7, 2.5];
  inTidy('gradients for each input; a JS number argument gets none', () => {
    const a = variable(A);
    const b = variable(B);
    const y = autograd.record(() => mulPow.apply(a, b, 3));
    assertClose(valuesOf(y), A.map((v, k) => v * B[k] ** 3));
    const [ga, gb] = autograd.grad(y, [a, b], { createGraph: true });
    assertClose(valuesOf(ga), B.map((v) => v ** 3), { what: 'd/da' });
    assertClose(valuesOf(gb), A.map((v, k) => 3 * v * B[k] ** 2), { what: 'd/db' });
    // second order, mixed: d/db sum(d/da) = 3 b²; d/db sum(d/db) = 6 a b
    const [gab] = autograd.grad(ga, b, { headGrads: nd.onesLike(ga), retainGraph: true });
    assertClose(valuesOf(gab), B.map((v) => 3 * v * v), { what: 'd2/dadb' });
    const [gbb] = autograd.grad(gb, b, { headGrads: nd.onesLike(gb) });
    assertClose(valuesOf(gbb), A.map((v, k) => 6 * v * B[k]), { what: 'd2/db2' });
  });
  inTidy('needsInputGrad says which gradients are asked for', () => {
    const seen = [];
    const f = new autograd.Function({
      forward: (a, b) => a.mul(b),
      backward(g) {
        seen.push(this.needsInputGrad);
        return [g, g];
      },
    });
    const a = variable(A);
    const b = nd.array(B, { dtype: 'float64' }); // a constant
    autograd.record(() => f.apply(a, b, 'label')).backward();
    assert.deepEqual(seen, [[true, false, false]]);
    assertClose(valuesOf(a.grad), [1, 1, 1]);
  });
  inTidy('several outputs: forward returns [sin x, cos x], backward gets one gradient per output', () => {
    const sincos = new autograd.Function({
      forward(x) {
        this.saveForBackward(x);
        return [x.sin(), x.cos()];
      },
      backward(gs, gc) {
        const [x] = this.saved;
        return gs.mul(x.cos()).sub(gc.mul(x.sin()));
      },
    });
    const x = variable([[0.5, -1], [2, 0.25]]);
    const [s, c] = autograd.record(() => sincos.apply(x));
    assert.deepEqual(s.shape, [2, 2]);
    assert.deepEqual(c.shape, [2, 2]);
    const flat = valuesOf(x);
    assertClose(valuesOf(s), flat.map(Math.sin));
    assertClose(valuesOf(c), flat.map(Math.cos));
    // d/dx (2 sin x + cos x) = 2 cos x - sin x; next order -2 sin x - cos x
    const loss = autograd.record(() => s.mul(2).add(c).sum());
    const [d1] = autograd.grad(loss, x, { createGraph: true });
    assertClose(valuesOf(d1), flat.map((v) => 2 * Math.cos(v) - Math.sin(v)), { what: 'order 1' });
    const [d2] = autograd.grad(d1, x, { headGrads: nd.onesLike(d1) });
    assertClose(valuesOf(d2), flat.map((v) => -2 * Math.sin(v) - Math.cos(v)), { what: 'order 2' });
    // only one output used: the other's gradient is zeros
    const [ds] = autograd.grad(autograd.record(() => sincos.apply(x)[0].sum()), x);
    assertClose(valuesOf(ds), flat.map(Math.cos), { what: 'sin only' });
  });
  inTidy('several outputs, saving an output: the recorded output is used at higher orders', () => {
    const expAndSquare = new autograd.Function({
      forward(x) {
        const e = x.exp();
        this.saveForBackward(x, e);
        return [x.square(), e];
      },
      backward(gq, ge) {
        const [x, e] = this.saved;
        return gq.mul(x).mul(2).add(ge.mul(e));
      },
    });
    const result = func.checkGrad((x) => {
      const [q, e] = expAndSquare.apply(x);
      return q.mul(e);
    }, [[0.3, -0.7, 1.2]], { order: 3 });
    assert.ok(result.ok, JSON.stringify(result.details));
  });
});

describe('onceDifferentiable', () => {
  const onceCube = () => new Cube({ onceDifferentiable: true });
  inTidy('first order works, also with createGraph', () => {
    const x = variable();
    const y = autograd.record(() => onceCube().apply(x));
    const [d1] = autograd.grad(y, x, { retainGraph: true });
    assertClose(valuesOf(d1), XS.map((v) => 3 * v * v));
    const [d1g] = autograd.grad(y, x, { createGraph: true });
    assertClose(valuesOf(d1g), XS.map((v) => 3 * v * v));
    y.backward();
    assertClose(valuesOf(x.grad), XS.map((v) => 3 * v * v));
  });
  inTidy('second order is a NOT_DIFFERENTIABLE error that names the function and the option', () => {
    const x = variable();
    const y = autograd.record(() => onceCube().apply(x));
    const [d1] = autograd.grad(y, x, { createGraph: true });
    assertWgError(() => autograd.grad(d1, x, { headGrads: nd.onesLike(d1) }), 'NOT_DIFFERENTIABLE',
      /Cube/, /onceDifferentiable/);
    // nested transforms too
    const cube = onceCube();
    assertWgError(() => func.grad(func.grad((v) => cube.apply(v)))(nd.array(1.5, { dtype: 'float64' })),
      'NOT_DIFFERENTIABLE', /Cube/);
    assertWgError(() => func.hessian((v) => cube.apply(v).sum())(nd.array(XS, { dtype: 'float64' })),
      'NOT_DIFFERENTIABLE', /Cube/);
    // and the library keeps working
    const [ok] = autograd.grad(autograd.record(() => new Cube().apply(x)), x);
    assertClose(valuesOf(ok), XS.map((v) => 3 * v * v));
  });
  inTidy('a second order that does not go through it is fine', () => {
    const x = variable();
    const w = variable([1, 2, 3]);
    // d/dx of (once(w) * x²) = 2 x once(w): differentiating that again w.r.t. x never enters once's backward
    const y = autograd.record(() => onceCube().apply(w).mul(x.square()).sum());
    const [dx] = autograd.grad(y, x, { createGraph: true });
    const [dxx] = autograd.grad(dx, x, { headGrads: nd.onesLike(dx) });
    assertClose(valuesOf(dxx), [2, 16, 54]);
  });
});

describe('errors', () => {
  inTidy('an exception thrown by backward becomes a WasmgradError with the exception as cause', () => {
    const boom = new Error('boom');
    const bad = new autograd.Function({
      name: 'Exploding',
      forward: (x) => x.exp(),
      backward: () => {
        throw boom;
      },
    });
    const x = variable();
    const err = assertWgError(() => autograd.record(() => bad.apply(x)).backward(), 'INVALID_ARGUMENT', /Exploding/, /boom/);
    assert.equal(err.cause, boom);
    // the library keeps working, the variable is unchanged
    assertClose(valuesOf(x), XS);
    autograd.record(() => x.exp().sum()).backward();
    assertClose(valuesOf(x.grad), XS.map(Math.exp));
  });
  inTidy('a WasmgradError inside backward keeps its code', () => {
    const bad = new autograd.Function({
      forward: (x) => x.exp(),
      backward: (g) => g.add(nd.ones([7], { dtype: 'float64' })),
    });
    const x = variable();
    assertWgError(() => autograd.grad(autograd.record(() => bad.apply(x)), x), 'SHAPE_MISMATCH', /backward/);
  });
  inTidy('wrong gradients: shape, count, type', () => {
    const x = variable();
    const withBackward = (backward) => new autograd.Function({ name: 'Wrong', forward: (v) => v.exp(), backward });
    const run = (fn) => autograd.grad(autograd.record(() => fn.apply(x)), x);
    assertWgError(() => run(withBackward(() => nd.ones([2], { dtype: 'float64' }))), 'SHAPE_MISMATCH', /Wrong|custom function/, /shape/);
    assertWgError(() => run(withBackward((g) => [g, g])), 'INVALID_ARGUMENT', /Wrong/, /2 gradients for 1 argument/);
    assertWgError(() => run(withBackward(() => 3)), 'INVALID_ARGUMENT', /Wrong/);
    assertWgError(() => run(withBackward(() => [3])), 'INVALID_ARGUMENT', /Wrong/, /NDArray/);
    // null: no gradient, so zeros (allowUnused is about the graph, which does reach x)
    assertClose(valuesOf(run(withBackward(() => null))[0]), [0, 0, 0]);
  });
  inTidy('autograd.grad inside backward is refused', () => {
    const x = variable();
    const reentrant = new autograd.Function({
      forward: (v) => v.exp(),
      backward: (g) => autograd.grad(g, g)[0],
    });
    assertWgError(() => autograd.grad(autograd.record(() => reentrant.apply(x)), x), 'INVALID_ARGUMENT');
  });
  test('bad definitions and misuse', () => {
    assertWgError(() => new autograd.Function(), 'INVALID_ARGUMENT', /forward/, /backward/);
    assertWgError(() => new autograd.Function({ forward: (x) => x }), 'INVALID_ARGUMENT', /backward/);
    assertWgError(() => new autograd.Function({ forward: (x) => x, backward: (g) => g, onceDifferentiable: 1 }),
      'INVALID_ARGUMENT', /onceDifferentiable/);
    nd.tidy(() => {
      const x = variable();
      const noArray = new autograd.Function({ name: 'NoArray', forward: () => 42, backward: (g) => g });
      assertWgError(() => noArray.apply(x), 'INVALID_ARGUMENT', /NoArray\.apply/, /forward must return an NDArray/);
      const cube = new Cube();
      assertWgError(() => cube.saveForBackward(x), 'INVALID_ARGUMENT', /inside forward/);
      assertWgError(() => cube.saved, 'INVALID_ARGUMENT', /inside backward/);
      const disposed = variable();
      disposed.dispose();
      assertWgError(() => cube.apply(disposed), 'DISPOSED', /Cube\.apply/);
      const throwing = new autograd.Function({ forward: () => { throw new RangeError('in forward'); }, backward: (g) => g });
      assert.throws(() => throwing.apply(x), RangeError, 'an exception in forward propagates as it is');
    });
  });
});

describe('lifetimes', () => {
  test('no arrays or bytes left once the results are disposed (saved arrays are released)', () => {
    const before = nd.memory();
    const x = variable(Array.from({ length: 1000 }, (_, i) => i / 1000));
    class SavesMuch extends autograd.Function {
      forward(v) {
        this.saveForBackward(v.exp(), v.sin()); // two intermediates of 8000 bytes each
        return v.square();
      }
      backward(g) {
        const [e, s] = this.saved;
        return g.mul(e).add(s);
      }
    }
    const y = autograd.record(() => new SavesMuch().apply(x));
    assert.ok(nd.memory().bytes >= before.bytes + 4 * 8000, 'the saved arrays are held');
    const [g] = autograd.grad(y, x, { createGraph: true });
    y.dispose();
    g.dispose();
    x.dispose();
    const after = nd.memory();
    assert.equal(after.arrays, before.arrays, 'arrays');
    assert.equal(after.bytes, before.bytes, 'bytes');
    assert.equal(after.graphBytes, before.graphBytes, 'graphBytes');
  });
  test('not recorded (outside record, or no input needs a gradient): saved arrays are released at once', () => {
    const before = nd.memory();
    nd.tidy(() => {
      const x = nd.array([1, 2, 3], { dtype: 'float64' });
      const y = new Cube().apply(x);
      assertClose(valuesOf(y), [1, 8, 27]);
      autograd.record(() => new Cube().apply(x));
    });
    assert.deepEqual(nd.memory(), before);
  });
  test('backward inside a user tidy: gradients outlive the tidy, and the tidy frees only its own arrays', () => {
    const x = variable();
    const arraysBefore = nd.memory().arrays;
    const [g] = nd.tidy(() => {
      const y = autograd.record(() => new Cube().apply(x));
      return autograd.grad(y, x, { createGraph: true });
    });
    assert.equal(nd.memory().arrays, arraysBefore + 1, 'only the returned gradient is left');
    assertClose(valuesOf(g), XS.map((v) => 3 * v * v));
    const [g2] = autograd.grad(g, x, { headGrads: nd.onesLike(g) }); // its graph is intact
    assertClose(valuesOf(g2), XS.map((v) => 6 * v));
    for (const a of [g, g2, x]) a.dispose();
  });
  inTidy('a backward that uses shapes and axes (the scratch area) during autograd.grad of several variables', () => {
    // reshape and sum with axes write the scratch area, where autograd.grad keeps its lists
    const rowSums = new autograd.Function({
      forward: (m) => m.sum({ axis: 1 }),
      backward: (g) => g.reshape([-1, 1]).broadcastTo([2, 3]).transpose([1, 0]).transpose([1, 0]),
    });
    const m = variable([[1, 2, 3], [4, 5, 6]]);
    const w = variable([0.5, -2]);
    const loss = autograd.record(() => rowSums.apply(m).mul(w).sum());
    const [gm, gw] = autograd.grad(loss, [m, w], { retainGraph: true });
    assertClose(valuesOf(gm), [0.5, 0.5, 0.5, -2, -2, -2], { what: 'd/dm' });
    assertClose(valuesOf(gw), [6, 15], { what: 'd/dw' });
    loss.backward();
    assertClose(valuesOf(m.grad), [0.5, 0.5, 0.5, -2, -2, -2], { what: 'm.grad' });
  });
  inTidy('a backward that returns its own input gradient or a saved array unchanged', () => {
    const identity = new autograd.Function({ forward: (v) => v.add(0), backward: (g) => g });
    const keep = new autograd.Function({
      forward(v) {
        const c = nd.full(v.shape, 2, { dtype: v.dtype });
        this.saveForBackward(c);
        return v.mul(2);
      },
      backward() {
        return this.saved[0];
      },
    });
    const x = variable();
    const [g] = autograd.grad(autograd.record(() => keep.apply(identity.apply(x))), x, { retainGraph: true });
    assertClose(valuesOf(g), [2, 2, 2]);
  });
  test('WasmgradError is the error class of custom-function failures', () => {
    const x = nd.array([1], { dtype: 'float64' }).attachGrad();
    const bad = new autograd.Function({ forward: (v) => v.exp(), backward: () => { throw new Error('x'); } });
    assert.throws(() => autograd.record(() => bad.apply(x)).backward(), WasmgradError);
    x.dispose();
  });
});
