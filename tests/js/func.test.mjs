// func transforms (API.md "func"): grad, valueAndGrad, vjp, jvp, jacobian, hessian, hvp.
// Oracles: Jacobians and Hessians written out with Math.*, and float64 central differences of
// f's values (first differences for first derivatives, second differences for Hessians).
// Inputs 0-d, 1-D and 2-D, several arguments with argnums, compositions to order 4.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, nd, autograd, func } from '../../js/index.js';
import { assertClose, assertWgError, valuesOf } from './helpers/check.mjs';
import { toNd } from './helpers/bridge.mjs';
import { tensor, unravel } from './helpers/ref.mjs';
import { FD_EPS } from './helpers/fd.mjs';

before(async () => {
  await init();
});

const inTidy = (name, fn) => test(name, () => nd.tidy(fn));
const FD = { atol: 1e-6, rtol: 1e-6 };

// ---- inputs (reference tensors) and oracles --------------------------------------------
const X0 = tensor([], [0.7]);
const X1 = tensor([3], [0.5, -1.2, 2.0]);
const X2 = tensor([2, 3], [0.3, -0.8, 1.1, 2.2, -1.7, 0.9]);
const SHAPES = { '0-d': X0, '1-D': X1, '2-D': X2 };

const f64 = (t) => toNd(t, 'float64');
const diag = (values) => {
  const n = values.length;
  return Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? values[i / (n + 1)] : 0));
};

/** f(...inputs) as float64 values, everything it made freed */
const valuesAt = (f, inputs) => nd.tidy(() => valuesOf(f(...inputs.map(f64))));

const shifted = (inputs, i, e, delta) =>
  inputs.map((t, k) => (k !== i ? t : tensor(t.shape, t.data.map((v, j) => (j === e ? v + delta : v)))));

/** d f / d inputs[i] by central differences: flat, shape out.shape + in.shape */
function fdJacobian(f, inputs, i, eps = FD_EPS) {
  const n = inputs[i].data.length;
  const columns = Array.from({ length: n }, (_, e) => {
    const plus = valuesAt(f, shifted(inputs, i, e, eps));
    const minus = valuesAt(f, shifted(inputs, i, e, -eps));
    return plus.map((p, o) => (p - minus[o]) / (2 * eps));
  });
  const m = valuesAt(f, inputs).length;
  return Float64Array.from({ length: m * n }, (_, idx) => columns[idx % n][Math.floor(idx / n)]);
}

/** d2 f / d inputs[i] d inputs[j] of a scalar f by second central differences of its values */
function fdHessian(f, inputs, i, j, eps = 1e-4) {
  const ni = inputs[i].data.length;
  const nj = inputs[j].data.length;
  const at = (a, da, b, db) => valuesAt(f, shifted(shifted(inputs, i, a, da), j, b, db))[0];
  return Float64Array.from({ length: ni * nj }, (_, idx) => {
    const a = Math.floor(idx / nj);
    const b = idx % nj;
    return (at(a, eps, b, eps) - at(a, eps, b, -eps) - at(a, -eps, b, eps) + at(a, -eps, b, -eps)) / (4 * eps * eps);
  });
}

// f(x) = sum(x sin x): gradient x cos x + sin x, Hessian diag(2 cos x - x sin x)
const sinx = (x) => x.mul(x.sin()).sum();
const sinxGrad = (v) => v * Math.cos(v) + Math.sin(v);
const sinxHess = (v) => 2 * Math.cos(v) - v * Math.sin(v);

// g(x, y, z) = sum(x² y) + sum(e^y z), x, y: [2, 3], z: [3] broadcast over the rows
const G_ARGS = [X2, tensor([2, 3], [0.4, 1.3, -0.6, 0.8, -0.2, 1.0]), tensor([3], [1.5, -0.5, 0.25])];
const g3 = (x, y, z) => x.mul(x).mul(y).sum().add(y.exp().mul(z).sum());
const [GX, GY, GZ] = G_ARGS.map((t) => t.data);
const dgdx = GX.map((x, k) => 2 * x * GY[k]);
const dgdy = GY.map((y, k) => GX[k] ** 2 + Math.exp(y) * GZ[k % 3]);
const dgdz = GZ.map((_, c) => Math.exp(GY[c]) + Math.exp(GY[c + 3]));

// A @ A for a 2x2 A: d(AA)_ij / dA_kl = δ_ik A_lj + A_ik δ_jl
const A = tensor([2, 2], [0.5, -1.0, 2.0, 0.3]);
const square = (a) => a.matmul(a);
function squareJacobian(a) {
  const at = (r, c) => a.data[2 * r + c];
  return Float64Array.from({ length: 16 }, (_, idx) => {
    const [i, j, k, l] = unravel(idx, [2, 2, 2, 2]);
    return (i === k ? at(l, j) : 0) + (j === l ? at(i, k) : 0);
  });
}

// softmax Jacobian diag(s) - s sᵀ
const softmaxOf = (v) => {
  const e = Array.from(v, Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const softmaxJacobian = (v) => {
  const s = softmaxOf(v);
  return Float64Array.from({ length: s.length ** 2 }, (_, idx) => {
    const [i, j] = [Math.floor(idx / s.length), idx % s.length];
    return (i === j ? s[i] : 0) - s[i] * s[j];
  });
};

// ---- grad and valueAndGrad ---------------------------------------------------------------
describe('func.grad', () => {
  for (const [name, X] of Object.entries(SHAPES)) {
    inTidy(`sum(x sin x), ${name}: analytic and finite differences`, () => {
      const g = func.grad(sinx)(f64(X));
      assert.deepEqual(g.shape, X.shape);
      assertClose(valuesOf(g), X.data.map(sinxGrad), { what: 'grad' });
      assertClose(valuesOf(g), fdJacobian(sinx, [X], 0), { ...FD, what: 'grad vs FD' });
    });
  }
  inTidy('argnums: an index, an array, negative indices; JS data arguments', () => {
    const args = G_ARGS.map(f64);
    assertClose(valuesOf(func.grad(g3)(...args)), dgdx, { what: 'argnums 0 (default)' });
    assertClose(valuesOf(func.grad(g3, { argnums: 1 })(...args)), dgdy, { what: 'argnums 1' });
    const [gx, gz] = func.grad(g3, { argnums: [0, -1] })(...args);
    assertClose(valuesOf(gx), dgdx, { what: 'argnums [0, -1][0]' });
    assert.deepEqual(gz.shape, [3], 'the gradient of a broadcast argument has its shape');
    assertClose(valuesOf(gz), dgdz, { what: 'argnums [0, -1][1]' });
    const nested = G_ARGS.map((t) => Array.from({ length: t.shape[0] }, (_, r) => Array.from(t.data).slice(r * t.shape.at(-1), (r + 1) * t.shape.at(-1))));
    // only the differentiated arguments are made into NDArrays; the others are passed as they are
    assertClose(valuesOf(func.grad(g3, { argnums: 2 })(args[0], args[1], Array.from(GZ))), dgdz, { rtol: 1e-6, what: 'z from JS data (float32)' });
    const sumsq = (x) => x.square().sum();
    assertClose(valuesOf(func.grad(sumsq)(nested[0])), GX.map((v) => 2 * v), { rtol: 1e-6, what: 'x from nested JS arrays (float32)' });
    G_ARGS.forEach((_, i) => {
      const FDi = fdJacobian(g3, G_ARGS, i);
      assertClose(valuesOf(func.grad(g3, { argnums: i })(...args)), FDi, { ...FD, what: `argnums ${i} vs FD` });
    });
  });
  inTidy('float32 inputs give float32 gradients', () => {
    const g = func.grad(sinx)(nd.array(Array.from(X1.data)));
    assert.equal(g.dtype, 'float32');
    assertClose(valuesOf(g), X1.data.map(sinxGrad), { rtol: 1e-5, what: 'grad' });
  });
  inTidy('a result that does not depend on x gives zeros (as JAX)', () => {
    assertClose(valuesOf(func.grad(() => nd.array(3).sum())(f64(X1))), [0, 0, 0]);
  });
  inTidy('errors: not a function, a non-scalar f, argnums out of range', () => {
    assertWgError(() => func.grad(42), 'INVALID_ARGUMENT', /func\.grad/, /function/);
    assertWgError(() => func.grad((x) => x.sin())(f64(X1)), 'INVALID_ARGUMENT', /scalar/, /func\.jacobian|func\.vjp/);
    assertWgError(() => func.grad(sinx, { argnums: 3 })(f64(X1)), 'INVALID_ARGUMENT', /argnums/);
  });
});

describe('func.valueAndGrad', () => {
  inTidy('value and gradients with argnums', () => {
    const args = G_ARGS.map(f64);
    const [value, [gx, gy]] = func.valueAndGrad(g3, { argnums: [0, 1] })(...args);
    const expected = GX.reduce((s, x, k) => s + x * x * GY[k] + Math.exp(GY[k]) * GZ[k % 3], 0);
    assertClose(value.item(), expected, { what: 'value' });
    assertClose(valuesOf(gx), dgdx, { what: 'd/dx' });
    assertClose(valuesOf(gy), dgdy, { what: 'd/dy' });
  });
  inTidy('0-d input', () => {
    const [value, g] = func.valueAndGrad(sinx)(f64(X0));
    assertClose(value.item(), 0.7 * Math.sin(0.7));
    assertClose(g.item(), sinxGrad(0.7));
  });
});

// ---- vjp, jvp, hvp -------------------------------------------------------------------------
describe('func.vjp', () => {
  inTidy('A @ A: vjp(c) = Jᵀ c, against the written-out Jacobian', () => {
    const c = tensor([2, 2], [1, -2, 0.5, 3]);
    const [out, vjpFn] = func.vjp(square, f64(A));
    assertClose(valuesOf(out), [0.5 * 0.5 - 2, -0.5 - 0.3, 1 + 0.6, -2 + 0.09], { what: 'out' });
    const [g] = vjpFn(f64(c));
    const J = squareJacobian(A);
    assertClose(valuesOf(g), [0, 1, 2, 3].map((kl) => [0, 1, 2, 3].reduce((s, ij) => s + c.data[ij] * J[4 * ij + kl], 0)), { what: 'vjp' });
  });
  inTidy('several primals; the vjp function can be called again', () => {
    const [x, y] = [X1, tensor([3], [2, 0.5, -1])];
    const [out, vjpFn] = func.vjp((a, b) => a.mul(b).sin(), f64(x), f64(y));
    assert.deepEqual(out.shape, [3]);
    for (const c of [[1, 1, 1], [0.5, -2, 3]]) {
      const [gx, gy] = vjpFn(nd.array(c, { dtype: 'float64' }));
      const cosxy = x.data.map((v, k) => Math.cos(v * y.data[k]));
      assertClose(valuesOf(gx), cosxy.map((cv, k) => c[k] * cv * y.data[k]), { what: 'd/dx' });
      assertClose(valuesOf(gy), cosxy.map((cv, k) => c[k] * cv * x.data[k]), { what: 'd/dy' });
    }
  });
});

describe('func.jvp', () => {
  inTidy('A @ A: jvp(t) = t A + A t', () => {
    const t = tensor([2, 2], [0.1, 0.2, -0.3, 1]);
    const [out, tangent] = func.jvp(square, [f64(A)], [f64(t)]);
    assert.deepEqual(out.shape, [2, 2]);
    const J = squareJacobian(A);
    assertClose(valuesOf(tangent), [0, 1, 2, 3].map((ij) => [0, 1, 2, 3].reduce((s, kl) => s + J[4 * ij + kl] * t.data[kl], 0)), { what: 'jvp' });
  });
  inTidy('0-d: x³ with tangent 2 gives 6x²', () => {
    const [out, tangent] = func.jvp((x) => x.mul(x).mul(x), f64(X0), nd.array(2, { dtype: 'float64' }));
    assertClose(out.item(), 0.7 ** 3);
    assertClose(tangent.item(), 6 * 0.49);
  });
  inTidy('several primals: J_x t_x + J_y t_y, against finite differences', () => {
    const f = (x, y) => x.mul(y).tanh();
    const y = tensor([3], [0.2, 0.7, -1.1]);
    const [tx, ty] = [tensor([3], [1, 0, -1]), tensor([3], [0.5, 0.5, 2])];
    const [, tangent] = func.jvp(f, [f64(X1), f64(y)], [f64(tx), f64(ty)]);
    const fdAlong = valuesAt(f, [X1, y]).map((_, k) => {
      const move = (s) => [tensor([3], X1.data.map((v, i) => v + s * FD_EPS * tx.data[i])),
        tensor([3], y.data.map((v, i) => v + s * FD_EPS * ty.data[i]))];
      return (valuesAt(f, move(1))[k] - valuesAt(f, move(-1))[k]) / (2 * FD_EPS);
    });
    assertClose(valuesOf(tangent), fdAlong, { ...FD, what: 'jvp vs FD' });
  });
});

describe('func.hvp', () => {
  for (const [name, X] of Object.entries(SHAPES)) {
    inTidy(`sum(x sin x), ${name}: H t = (2 cos x - x sin x) t`, () => {
      const t = tensor(X.shape, X.data.map((_, k) => 1 - 0.5 * k));
      const [hv] = func.hvp(sinx, [f64(X)], [f64(t)]);
      assert.deepEqual(hv.shape, X.shape);
      assertClose(valuesOf(hv), X.data.map((v, k) => sinxHess(v) * t.data[k]), { what: 'hvp' });
    });
  }
  inTidy('several primals: the mixed blocks of sum(x² y)', () => {
    const f = (x, y) => x.mul(x).mul(y).sum();
    const y = tensor([3], [0.2, 0.7, -1.1]);
    const [tx, ty] = [tensor([3], [1, 0, -1]), tensor([3], [0.5, 0.5, 2])];
    const [hx, hy] = func.hvp(f, [f64(X1), f64(y)], [f64(tx), f64(ty)]);
    // H = [[diag(2y), diag(2x)], [diag(2x), 0]]
    assertClose(valuesOf(hx), X1.data.map((x, k) => 2 * y.data[k] * tx.data[k] + 2 * x * ty.data[k]), { what: 'H t, x block' });
    assertClose(valuesOf(hy), X1.data.map((x, k) => 2 * x * tx.data[k]), { what: 'H t, y block' });
  });
});

// ---- jacobian and hessian ------------------------------------------------------------------
describe('func.jacobian', () => {
  inTidy('softmax of a 1-D input: diag(s) - s sᵀ, shape [3, 3]', () => {
    const J = func.jacobian((x) => nd.softmax(x))(f64(X1));
    assert.deepEqual(J.shape, [3, 3]);
    assertClose(valuesOf(J), softmaxJacobian(X1.data), { what: 'jacobian' });
    assertClose(valuesOf(J), fdJacobian((x) => nd.softmax(x), [X1], 0), { ...FD, what: 'jacobian vs FD' });
  });
  inTidy('A @ A of a 2x2 input: shape [2, 2, 2, 2]', () => {
    const J = func.jacobian(square)(f64(A));
    assert.deepEqual(J.shape, [2, 2, 2, 2]);
    assertClose(valuesOf(J), squareJacobian(A), { what: 'jacobian' });
    assertClose(valuesOf(J), fdJacobian(square, [A], 0), { ...FD, what: 'jacobian vs FD' });
  });
  inTidy('0-d input and output: shape []', () => {
    const J = func.jacobian((x) => x.mul(x).mul(x))(f64(X0));
    assert.deepEqual(J.shape, []);
    assertClose(J.item(), 3 * 0.49);
  });
  inTidy('scalar output of a 2-D input: shape [] + [2, 3] is the gradient', () => {
    const J = func.jacobian(sinx)(f64(X2));
    assert.deepEqual(J.shape, [2, 3]);
    assertClose(valuesOf(J), X2.data.map(sinxGrad));
  });
  inTidy('argnums array: elementwise x * y gives [diag(y), diag(x)]', () => {
    const y = tensor([3], [2, 0.5, -1]);
    const [jx, jy] = func.jacobian((a, b) => a.mul(b), { argnums: [0, 1] })(f64(X1), f64(y));
    assertClose(valuesOf(jx), diag(y.data), { what: 'd/dx' });
    assertClose(valuesOf(jy), diag(X1.data), { what: 'd/dy' });
  });
  inTidy('an f returning several outputs: one Jacobian per output', () => {
    const [js, jsum] = func.jacobian((x) => [x.sin(), x.sum()])(f64(X1));
    assertClose(valuesOf(js), diag(X1.data.map(Math.cos)), { what: 'd sin x / dx' });
    assert.deepEqual(jsum.shape, [3]);
    assertClose(valuesOf(jsum), [1, 1, 1], { what: 'd sum x / dx' });
  });
  inTidy('a 2-D output of several inputs with argnums, against finite differences', () => {
    const args = [X2, tensor([3], [0.4, -0.3, 1.2])];
    const f = (x, b) => x.mul(b).tanh().add(b.square());
    const [jx, jb] = func.jacobian(f, { argnums: [0, 1] })(...args.map(f64));
    assert.deepEqual(jx.shape, [2, 3, 2, 3]);
    assert.deepEqual(jb.shape, [2, 3, 3]);
    assertClose(valuesOf(jx), fdJacobian(f, args, 0), { ...FD, what: 'd/dx vs FD' });
    assertClose(valuesOf(jb), fdJacobian(f, args, 1), { ...FD, what: 'd/db vs FD' });
  });
});

describe('func.hessian', () => {
  for (const [name, X] of Object.entries(SHAPES)) {
    inTidy(`sum(x sin x), ${name}: diag(2 cos x - x sin x), shape in.shape + in.shape`, () => {
      const H = func.hessian(sinx)(f64(X));
      assert.deepEqual(H.shape, [...X.shape, ...X.shape]);
      assertClose(valuesOf(H), diag(X.data.map(sinxHess)), { what: 'hessian' });
      assertClose(valuesOf(H), fdHessian(sinx, [X], 0, 0), { atol: 1e-5, rtol: 1e-5, what: 'hessian vs FD' });
    });
  }
  inTidy('logsumexp: diag(s) - s sᵀ', () => {
    const H = func.hessian((x) => nd.logsumexp(x))(f64(X1));
    assertClose(valuesOf(H), softmaxJacobian(X1.data), { what: 'hessian' });
  });
  inTidy('argnums array: blocks [i][j] = d2f / dxi dxj', () => {
    const f = (x, y) => x.mul(x).mul(y).sum();
    const y = tensor([3], [0.2, 0.7, -1.1]);
    const H = func.hessian(f, { argnums: [0, 1] })(f64(X1), f64(y));
    const expected = [[diag(y.data.map((v) => 2 * v)), diag(X1.data.map((v) => 2 * v))],
      [diag(X1.data.map((v) => 2 * v)), new Float64Array(9)]];
    for (const i of [0, 1]) {
      for (const j of [0, 1]) {
        assert.deepEqual(H[i][j].shape, [3, 3]);
        assertClose(valuesOf(H[i][j]), expected[i][j], { what: `H[${i}][${j}]` });
        assertClose(valuesOf(H[i][j]), fdHessian(f, [X1, y], i, j), { atol: 1e-5, rtol: 1e-5, what: `H[${i}][${j}] vs FD` });
      }
    }
  });
  inTidy('a quadratic form: xᵀ M x gives M + Mᵀ', () => {
    const M = tensor([3, 3], [1, 2, 0, -1, 3, 0.5, 0, 4, -2]);
    const H = func.hessian((x) => x.dot(f64(M).dot(x)))(f64(X1));
    assertClose(valuesOf(H), M.data.map((v, idx) => v + M.data[3 * (idx % 3) + Math.floor(idx / 3)]), { what: 'hessian' });
  });
});

// ---- composition ---------------------------------------------------------------------------
describe('composition', () => {
  // f(x) = x² sin x and its derivatives of orders 1..4
  const derivs = [
    (x) => x * x * Math.sin(x),
    (x) => x * x * Math.cos(x) + 2 * x * Math.sin(x),
    (x) => -x * x * Math.sin(x) + 4 * x * Math.cos(x) + 2 * Math.sin(x),
    (x) => -x * x * Math.cos(x) - 6 * x * Math.sin(x) + 6 * Math.cos(x),
    (x) => x * x * Math.sin(x) - 8 * x * Math.cos(x) - 12 * Math.sin(x),
  ];
  const f = (x) => x.mul(x).mul(x.sin());
  inTidy('grad(grad(grad(grad(f)))) of a 0-d input: orders 1..4', () => {
    let g = f;
    for (let k = 1; k <= 4; k++) {
      g = func.grad(g);
      assertClose(g(f64(X0)).item(), derivs[k](0.7), { rtol: 1e-9, what: `order ${k}` });
    }
  });
  inTidy('grad(grad(grad(f))) of 1-D and 2-D inputs (elementwise, through sums)', () => {
    const up = (h) => (x) => func.grad(h)(x).sum();
    const third = func.grad(up(up((x) => f(x).sum())));
    for (const X of [X1, X2]) {
      const g = third(f64(X));
      assert.deepEqual(g.shape, X.shape);
      assertClose(valuesOf(g), X.data.map(derivs[3]), { rtol: 1e-9, what: `order 3, shape [${X.shape}]` });
    }
  });
  inTidy('jacobian(grad(f)) is hessian(f); jvp(grad(f)) is hvp(f)', () => {
    const H = func.jacobian(func.grad(sinx))(f64(X1));
    assertClose(valuesOf(H), diag(X1.data.map(sinxHess)), { what: 'jacobian of grad' });
    const t = f64(tensor([3], [1, 2, 3]));
    const [, hv] = func.jvp(func.grad(sinx), [f64(X1)], [t]);
    assertClose(valuesOf(hv), X1.data.map((v, k) => sinxHess(v) * (k + 1)), { what: 'jvp of grad' });
  });
  inTidy('hessian of a gradient norm: order 3 through hessian(f) with f = |grad g|²', () => {
    // g = sum(x³)/3: grad g = x², |grad g|² = sum(x⁴), Hessian diag(12 x²)
    const g = (x) => x.mul(x).mul(x).sum().div(3);
    const H = func.hessian((x) => func.grad(g)(x).square().sum())(f64(X1));
    assertClose(valuesOf(H), diag(X1.data.map((v) => 12 * v * v)), { rtol: 1e-9, what: 'hessian' });
  });
  inTidy('mixed partials with argnums inside argnums: d/dx (d g3/dy) summed', () => {
    // d/dy g3 = x² + e^y z; sum over it, d/dx: 2x
    const inner = (x, y, z) => func.grad(g3, { argnums: 1 })(x, y, z).sum();
    const gx = func.grad(inner, { argnums: 0 })(...G_ARGS.map(f64));
    assertClose(valuesOf(gx), GX.map((v) => 2 * v), { what: 'd2 g / dx dy' });
    const gz = func.grad(inner, { argnums: 2 })(...G_ARGS.map(f64));
    assertClose(valuesOf(gz), dgdz, { what: 'd2 g / dz dy' });
  });
  inTidy('vjp inside grad: the gradient of <c, J c> for f = sin', () => {
    // vjp of sin along c is c cos x; sum(c * c cos x) has gradient -c² sin x
    const c = [0.5, -1, 2];
    const h = (x) => {
      const [, vjpFn] = func.vjp((a) => a.sin(), x);
      const cot = nd.array(c, { dtype: 'float64' });
      return vjpFn(cot)[0].mul(cot).sum();
    };
    assertClose(valuesOf(func.grad(h)(f64(X1))), X1.data.map((v, k) => -c[k] * c[k] * Math.sin(v)), { what: 'grad of vjp' });
  });
  inTidy('a transform inside autograd.record stays connected: autograd.grad goes through it', () => {
    const x = f64(X1).attachGrad();
    const g = autograd.record(() => func.grad(sinx)(x).sum());
    const [h] = autograd.grad(g, x);
    assertClose(valuesOf(h), X1.data.map(sinxHess), { what: 'd/dx sum(grad)' });
  });
});

// ---- memory ---------------------------------------------------------------------------------
describe('memory', () => {
  test('outermost transforms leave no arrays and no graphs behind', () => {
    const before = nd.memory();
    const x = f64(X1);
    const results = [
      func.grad(sinx)(x), ...func.valueAndGrad(sinx)(x), func.hessian(sinx)(x), func.jacobian((v) => v.sin())(x),
      ...func.hvp(sinx, [x], [x]), ...func.jvp((v) => v.sin(), [x], [x]),
      func.grad((v) => func.grad(sinx)(v).sum())(x),
    ];
    const [out, vjpFn] = func.vjp((v) => v.sin(), x);
    results.push(out, ...vjpFn(x));
    results.forEach((r) => r.dispose());
    x.dispose();
    const after = nd.memory();
    assert.equal(after.graphBytes, before.graphBytes, 'graphBytes');
    // vjpFn keeps its traced function alive until it is garbage: count only arrays here
    assert.ok(after.arrays <= before.arrays + 2, `arrays ${after.arrays}, before ${before.arrays}`);
  });
  test('graphBytes: a createGraph gradient holds a graph until its results are disposed', () => {
    const base = nd.memory().graphBytes;
    const x = nd.array(Array.from({ length: 256 }, (_, i) => i / 256), { dtype: 'float64' }).attachGrad();
    const y = autograd.record(() => x.sin().mul(x).exp());
    const withY = nd.memory().graphBytes;
    const [dy] = autograd.grad(y, x, { createGraph: true, headGrads: nd.onesLike(y) });
    assert.ok(nd.memory().graphBytes > withY, `graphBytes ${nd.memory().graphBytes}, with y only ${withY}`);
    y.dispose();
    assert.ok(nd.memory().graphBytes > base, 'the gradient still holds its graph after y is disposed');
    const [d2] = autograd.grad(dy, x, { headGrads: nd.onesLike(dy) }); // a second order through it works
    assert.deepEqual(d2.shape, [256]);
    dy.dispose();
    assert.equal(nd.memory().graphBytes, base, 'disposing the gradient frees its graph');
    d2.dispose();
    x.dispose();
  });
  test('func.grad with createGraph (nested) frees its graph with its results', () => {
    const base = nd.memory().graphBytes;
    const x = f64(X1).attachGrad();
    const g = autograd.record(() => func.grad(sinx)(x));
    assert.ok(nd.memory().graphBytes > base);
    g.dispose();
    x.dispose();
    assert.equal(nd.memory().graphBytes, base);
  });
});

test('oracle self-check: the written-out Jacobian of A @ A agrees with finite differences', () => {
  assertClose(squareJacobian(A), fdJacobian(square, [A], 0), FD);
});
